// Events read off the CTAP traffic the node layer passes to the core: each request and its answer,
// and from successful answers what changed (a credential made or used, a PIN set, a reset). Only
// names, IDs, RP IDs and counters are taken out of the messages, never a secret member.
import { decodeCbor, type CborMap, type CborValue } from '../../ctap/cbor.js';
import { Command } from '../../ctap/constants.js';
import {
  ClientPinKey, ClientPinSubCommand, CredMgmtKey, CredMgmtParamKey, CredMgmtSubCommand, GetAssertionKey, GetAssertionResponseKey,
  MakeCredentialKey, MakeCredentialResponseKey,
} from '../../ctap/keys.js';
import { commandName, subCommandName, u2fInstructionName } from '../../ctap/names.js';
import { Status, statusName } from '../../ctap/status.js';
import { Ins, parseApdu, StatusWord } from '../../ctap2/ctap1/apdu.js';
import { parseAuthData } from '../../client/authData.js';
import { toBase64url, toHex } from '../../util/bytes.js';
import type { KeyEvents } from './emitter.js';

const asMap = (v: CborValue | undefined): CborMap | undefined => (v instanceof Map ? v : undefined);
const bytes = (v: CborValue | undefined): Uint8Array | undefined => (v instanceof Uint8Array ? v : undefined);
const text = (v: CborValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

function params(request: Uint8Array): CborMap | undefined {
  if (request.length < 2) return undefined;
  try {
    return asMap(decodeCbor(request.subarray(1)));
  } catch {
    return undefined;
  }
}

/** The RP ID a request names, where it names one (makeCredential's rp.id, getAssertion's rpId). */
function requestRpId(cmd: number, p: CborMap | undefined): string | undefined {
  if (cmd === Command.authenticatorMakeCredential) return text(asMap(p?.get(MakeCredentialKey.rp))?.get('id'));
  if (cmd === Command.authenticatorGetAssertion) return text(p?.get(GetAssertionKey.rpId));
  return undefined;
}

/** The credential ID a credential-management request names (deleteCredential, updateUserInformation). */
function credMgmtCredentialId(p: CborMap | undefined): Uint8Array | undefined {
  return bytes(asMap(asMap(p?.get(CredMgmtKey.subCommandParams))?.get(CredMgmtParamKey.credentialID))?.get('id'));
}

const U2F_STATUS = new Map<number, string>(Object.entries(StatusWord).map(([k, v]) => [v, k]));

/** What the events need to know of the store, asked before a request changes it. */
export interface StoreView {
  /** The RP of a stored credential, if the key holds it. */
  rpOf(credentialId: Uint8Array): string | undefined;
  /** The discoverable credential of this user at this RP (a new one replaces it). */
  userCredential(rpId: string, userId: Uint8Array): Uint8Array | undefined;
}

/**
 * Turns the key's traffic into events. Kept per key and channel: getNextAssertion answers for the
 * RP its channel's getAssertion named; a deleted credential's RP, and the credential a discoverable
 * makeCredential replaces, are looked up before the request runs.
 */
export class ExchangeEvents {
  private readonly assertionRp = new Map<number, string | undefined>();
  private readonly deleting = new Map<number, string | undefined>();
  private readonly replacing = new Map<number, Uint8Array | undefined>();

  constructor(private readonly events: KeyEvents, private readonly store: StoreView) {}

  request(request: Uint8Array, channel: number): void {
    if (!this.events.watched) return;
    const cmd = request[0] ?? -1;
    const p = params(request);
    const rpId = requestRpId(cmd, p);
    if (cmd === Command.authenticatorGetAssertion) this.assertionRp.set(channel, rpId);
    if (this.isCredMgmt(cmd) && p?.get(CredMgmtKey.subCommand) === CredMgmtSubCommand.deleteCredential) {
      const id = credMgmtCredentialId(p);
      this.deleting.set(channel, id && this.store.rpOf(id));
    }
    if (cmd === Command.authenticatorMakeCredential) this.replacing.set(channel, this.replaced(p, rpId));
    const subCommand = subCommandName(cmd, request.subarray(1));
    this.events.emit('request', { command: commandName(cmd), ...(subCommand && { subCommand }), ...(rpId !== undefined && { rpId }), channel });
  }

  response(request: Uint8Array, response: Uint8Array, channel: number): void {
    const cmd = request[0] ?? -1;
    try {
      if (!this.events.watched) return;
      const status = response[0] ?? Status.CTAP1_ERR_OTHER;
      this.events.emit('response', { command: commandName(cmd), status: statusName(status), channel });
      if (status === Status.CTAP2_OK) this.changes(cmd, params(request), response, channel);
    } catch {
      // An answer this reader cannot take apart tells no change: the response event said enough.
    } finally {
      // What was noted for this request goes with it (channels come and go: nothing piles up); the
      // RP of a getAssertion stays for its getNextAssertions, until another command ends the walk.
      this.deleting.delete(channel);
      this.replacing.delete(channel);
      if (cmd !== Command.authenticatorGetAssertion && cmd !== Command.authenticatorGetNextAssertion) this.assertionRp.delete(channel);
    }
  }

  /** CTAP 2.1 §6.1.2 step 17: a discoverable credential replaces the one of the same user at the RP. */
  private replaced(p: CborMap | undefined, rpId: string | undefined): Uint8Array | undefined {
    const userId = bytes(asMap(p?.get(MakeCredentialKey.user))?.get('id'));
    const rk = asMap(p?.get(MakeCredentialKey.options))?.get('rk') === true;
    return rk && rpId !== undefined && userId ? this.store.userCredential(rpId, userId) : undefined;
  }

  private isCredMgmt(cmd: number): boolean {
    return cmd === Command.authenticatorCredentialManagement || cmd === Command.authenticatorCredentialManagementPreview;
  }

  private changes(cmd: number, p: CborMap | undefined, response: Uint8Array, channel: number): void {
    const answer = (): CborMap | undefined => asMap(decodeCbor(response.subarray(1)));
    switch (cmd) {
      case Command.authenticatorMakeCredential: {
        const authData = parseAuthData(bytes(answer()?.get(MakeCredentialResponseKey.authData))!);
        if (!authData.attested) return;
        const rk = asMap(p?.get(MakeCredentialKey.options))?.get('rk') === true;
        const rpId = requestRpId(cmd, p);
        const old = this.replacing.get(channel);
        if (old) this.events.emit('credential-deleted', { credentialId: toBase64url(old), rpId, source: 'ctap' });
        this.events.emit('credential-added', {
          credentialId: toBase64url(authData.attested.credentialId), rpId, signCount: authData.signCount, discoverable: rk, source: 'ctap',
        });
        return;
      }
      case Command.authenticatorGetAssertion:
      case Command.authenticatorGetNextAssertion: {
        const a = answer();
        const authData = parseAuthData(bytes(a?.get(GetAssertionResponseKey.authData))!);
        // §6.2.2: the credential may be left out when the allowList had exactly one.
        const allowed = p?.get(GetAssertionKey.allowList);
        const id = bytes(asMap(a?.get(GetAssertionResponseKey.credential))?.get('id'))
          ?? (Array.isArray(allowed) ? bytes(asMap(allowed[0])?.get('id')) : undefined);
        if (!id) return;
        this.events.emit('credential-used', { credentialId: toBase64url(id), rpId: this.assertionRp.get(channel), signCount: authData.signCount });
        return;
      }
      case Command.authenticatorClientPIN: {
        const sub = p?.get(ClientPinKey.subCommand);
        if (sub === ClientPinSubCommand.setPIN) this.events.emit('pin-set', {});
        if (sub === ClientPinSubCommand.changePIN) this.events.emit('pin-changed', {});
        return;
      }
      case Command.authenticatorReset:
        this.events.emit('reset', { source: 'ctap' });
        return;
      default: {
        const sub = this.isCredMgmt(cmd) ? p?.get(CredMgmtKey.subCommand) : undefined;
        const id = credMgmtCredentialId(p);
        if (!id) return;
        if (sub === CredMgmtSubCommand.deleteCredential) {
          this.events.emit('credential-deleted', { credentialId: toBase64url(id), rpId: this.deleting.get(channel), source: 'ctap' });
        } else if (sub === CredMgmtSubCommand.updateUserInformation) {
          // The user entity as sent: its names replace the stored ones (CTAP 2.1 §6.8.6).
          const user = asMap(asMap(p?.get(CredMgmtKey.subCommandParams))?.get(CredMgmtParamKey.user));
          const names = { name: text(user?.get('name')), displayName: text(user?.get('displayName')) };
          this.events.emit('credential-updated', { credentialId: toBase64url(id), rpId: this.store.rpOf(id), user: names, source: 'ctap' });
        }
      }
    }
  }

  apduRequest(apdu: Uint8Array, channel: number): void {
    if (!this.events.watched) return;
    this.events.emit('request', { command: apdu.length >= 2 ? u2fInstructionName(apdu[1]!) : 'U2F (not an APDU)', channel });
  }

  /** U2F has no RP ID, only its hash (the appId's): credential events of U2F carry none. */
  apduResponse(apdu: Uint8Array, response: Uint8Array, channel: number): void {
    if (!this.events.watched) return;
    const n = response.length;
    const sw = n >= 2 ? (response[n - 2]! << 8) | response[n - 1]! : -1;
    const ins = apdu[1] ?? -1;
    this.events.emit('response', {
      command: apdu.length >= 2 ? u2fInstructionName(ins) : 'U2F (not an APDU)',
      status: U2F_STATUS.get(sw) ?? (sw < 0 ? 'no status word' : `SW_${toHex(response.subarray(n - 2)).toUpperCase()}`),
      channel,
    });
    if (sw !== StatusWord.SW_NO_ERROR) return;
    try {
      if (ins === Ins.REGISTER) {
        // U2F §4.3: 0x05, a 65-byte public key, the key handle's length, the key handle.
        const id = response.subarray(67, 67 + response[66]!);
        this.events.emit('credential-added', { credentialId: toBase64url(id), signCount: 0, discoverable: false, source: 'ctap' });
      } else if (ins === Ins.AUTHENTICATE) {
        // U2F §5.1: challenge, application (32 bytes each), then the key handle with its length; §5.4: flags, counter.
        const data = parseApdu(apdu).data;
        const id = data.subarray(65, 65 + data[64]!);
        const signCount = new DataView(response.buffer, response.byteOffset + 1, 4).getUint32(0);
        this.events.emit('credential-used', { credentialId: toBase64url(id), signCount });
      }
    } catch {
      // As above: no change read, the response event stands.
    }
  }
}
