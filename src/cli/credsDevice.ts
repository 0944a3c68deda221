// `ctap-emu creds list|show|delete --udp|--device`: the discoverable credentials on a running key or
// a USB key, through authenticatorCredentialManagement (CTAP 2.1 §6.8) with a token from the PIN;
// also how `blobs` finds a credential on a key.
import { ClientPin, PinPermission } from '../client/clientPin.js';
import { CredentialManagement, type ManagedCredential, type ManagedRp } from '../client/credentialManagement.js';
import type { AuthenticatorInfo, Ctap2Client } from '../client/ctap2.js';
import { Status } from '../ctap/status.js';
import { askSecret, CliError, confirmOrStop, ctapErrorAsCli, PIN_MESSAGES, remoteName, withKey, type KeyOptions } from './common.js';
import { byIdPrefix, type CredentialView, deleteQuestion, printCredential, printCredentials, printDeleted, viewOfManaged } from './credsView.js';

/** Options of every creds command: a keystore (--store, --passphrase) or a key (--udp, --device, and its --pin). */
export interface CredsOptions extends KeyOptions {
  pin?: string;
  json?: boolean;
}

/** A credential on a key, with the RP it belongs to. */
export interface KeyCredential extends ManagedCredential {
  rp: ManagedRp;
}

const NO_PIN = 'the key has no PIN: credential management needs one (`ctap-emu pin set` sets one)';

/** What credential management's failures mean, for every command that uses it. */
export const CRED_MGMT_MESSAGES: Readonly<Record<number, string>> = {
  ...PIN_MESSAGES,
  [Status.CTAP2_ERR_PIN_NOT_SET]: NO_PIN,
};
const credsError = (e: unknown): never => ctapErrorAsCli(e, CRED_MGMT_MESSAGES);

/**
 * Refuses, in words, a key that cannot list credentials with a PIN: no credMgmt option (a
 * 'credentialMgmtPreview'-only key speaks a pre-2.1 draft this client does not), or no PIN set.
 */
export function checkCredMgmt(info: AuthenticatorInfo): void {
  if (info.options.credMgmt !== true) {
    throw new CliError(info.options.credentialMgmtPreview === true
      ? 'this key offers only the CTAP 2.1 preview of credential management (credentialMgmtPreview), which ctap-emu does not speak'
      : 'this key has no credential management (getInfo option credMgmt): its passkeys cannot be listed or deleted');
  }
  if (info.options.clientPin !== true) throw new CliError(NO_PIN);
}

export const pinOf = async (o: { pin?: string }): Promise<string> => o.pin ?? (await askSecret('PIN: '));

/** Credential management with a `cm` token from the PIN (CTAP 2.1 §6.5.5.7). */
export async function credentialManagement(ctap: Ctap2Client, info: AuthenticatorInfo, pin: string): Promise<CredentialManagement> {
  return new CredentialManagement(ctap, await new ClientPin(ctap, info.pinUvAuthProtocols).getPinToken(pin, PinPermission.cm));
}

/** Every discoverable credential on the key, or only those of `rpId`. */
export async function keyCredentials(cm: CredentialManagement, rpId?: string): Promise<KeyCredential[]> {
  const out: KeyCredential[] = [];
  for (const rp of await cm.rps()) {
    if (rpId === undefined || rp.id === rpId) for (const c of await cm.credentials(rp.rpIdHash)) out.push({ ...c, rp });
  }
  return out;
}

interface OnKey {
  ctap: Ctap2Client;
  info: AuthenticatorInfo;
  pin: string;
}

/**
 * Opens the key, checks it can, asks for the PIN if it was not given (not before: a key without a
 * PIN is refused first), and runs `fn` with its credentials (only `rpId`'s when given).
 */
function withCredentials<T>(o: CredsOptions, fn: (creds: KeyCredential[], key: OnKey) => Promise<T>, rpId?: string): Promise<T> {
  return withKey(o, async (ctap) => {
    const info = await ctap.getInfo();
    checkCredMgmt(info);
    const pin = await pinOf(o);
    return fn(await keyCredentials(await credentialManagement(ctap, info, pin), rpId), { ctap, info, pin });
  }).catch(credsError);
}

const view = (c: KeyCredential): CredentialView => viewOfManaged(c.rp, c);
const onKey = (o: KeyOptions): string => `on ${remoteName(o)}`;
const byId = (creds: KeyCredential[], id: string, o: KeyOptions): KeyCredential => byIdPrefix(creds, (c) => c.credentialId, id, onKey(o));

export async function credsListDevice(o: CredsOptions & { rp?: string }): Promise<void> {
  const creds = await withCredentials(o, async (creds) => creds, o.rp);
  await printCredentials(creds, view, o, onKey(o));
}

export async function credsShowDevice(id: string, o: CredsOptions): Promise<void> {
  const c = await withCredentials(o, async (creds) => byId(creds, id, o));
  printCredential(view(c), o);
}

export async function credsDeleteDevice(id: string, o: CredsOptions & { yes?: boolean }): Promise<void> {
  const deleted = await withCredentials(o, async (creds, { ctap, info, pin }) => {
    const c = byId(creds, id, o);
    await confirmOrStop(deleteQuestion(view(c)), 'not deleted', o.yes);
    // A fresh token: the first may have expired while the user made up their mind.
    await (await credentialManagement(ctap, info, pin)).delete(c.credentialId);
    return c;
  });
  printDeleted(view(deleted), o);
}
