// `ctap-emu blobs list|get|set|delete`: the key's large-blob array (CTAP 2.1 §6.10) over CTAP, and
// per-credential blobs in it, found by credential ID through credentialManagement (which gives each
// credential's largeBlobKey) and sealed or opened with that key, as python-fido2 and libfido2 do.
import { readFileSync, writeFileSync } from 'node:fs';
import { ClientPin, PinPermission } from '../client/clientPin.js';
import type { AuthenticatorInfo, Ctap2Client } from '../client/ctap2.js';
import { LargeBlobMapKey } from '../ctap/keys.js';
import { Status } from '../ctap/status.js';
import { LargeBlobs } from '../node/clients.js';
import { fromBase64url, toBase64url, utf8 } from '../util/bytes.js';
import { CliError, ctapErrorAsCli, ExitCode, printJson, printTable, withKey, type KeyOptions } from './common.js';
import { credentialManagement, CRED_MGMT_MESSAGES, keyCredentials, pinOf, type KeyCredential } from './credsDevice.js';
import { byIdPrefix } from './credsView.js';

export interface BlobOptions extends KeyOptions {
  pin?: string;
  json?: boolean;
}

const BLOB_MESSAGES = {
  ...CRED_MGMT_MESSAGES,
  [Status.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL]: 'the large-blob array would be over the key\'s maxSerializedLargeBlobArray',
};
const ctapError = (e: unknown): never => ctapErrorAsCli(e, BLOB_MESSAGES);

async function checkedInfo(ctap: Ctap2Client): Promise<AuthenticatorInfo> {
  const info = await ctap.getInfo();
  if (info.options.largeBlobs !== true) throw new CliError('this key has no large-blob storage (getInfo option largeBlobs)');
  return info;
}

/** Every discoverable credential with its largeBlobKey, through credentialManagement with the PIN. */
async function credentials(ctap: Ctap2Client, info: AuthenticatorInfo, pin: string): Promise<KeyCredential[]> {
  return keyCredentials(await credentialManagement(ctap, info, pin));
}

function locate(creds: KeyCredential[], id: string): KeyCredential {
  const c = byIdPrefix(creds, (c) => c.credentialId, id, 'on this key');
  if (!c.largeBlobKey) throw new CliError(`credential ${toBase64url(c.credentialId)} has no largeBlobKey (made without the largeBlobKey extension)`);
  return c;
}

export async function blobsList(o: BlobOptions): Promise<void> {
  const rows = await withKey(o, async (ctap) => {
    const info = await checkedInfo(ctap);
    const lb = new LargeBlobs(ctap, info);
    const entries = await lb.readBlobArray();
    // With the PIN, each entry is matched to the credential whose largeBlobKey opens it.
    const creds = o.pin !== undefined ? await credentials(ctap, info, o.pin) : [];
    return entries.map((entry, index) => {
      const m = entry instanceof Map ? entry : undefined;
      const sealed = m?.get(LargeBlobMapKey.ciphertext);
      const origSize = m?.get(LargeBlobMapKey.origSize);
      const owner = creds.find((c) => c.largeBlobKey && lb.open(c.largeBlobKey, entry) !== undefined);
      return {
        index,
        size: sealed instanceof Uint8Array ? sealed.length : undefined,
        origSize: typeof origSize === 'number' ? origSize : undefined,
        rpId: owner?.rp.id,
        user: owner?.user.name,
        credentialId: owner && toBase64url(owner.credentialId),
      };
    });
  }).catch(ctapError);
  if (o.json) return printJson(rows);
  if (rows.length === 0) {
    process.stderr.write('the large-blob array is empty\n');
    return;
  }
  await printTable(['#', 'SIZE', 'ORIG SIZE', 'RP ID', 'USER', 'CREDENTIAL ID'], rows.map((r) => [
    String(r.index), String(r.size ?? '?'), String(r.origSize ?? '?'), r.rpId ?? (o.pin === undefined ? '(give --pin)' : '(no credential here)'),
    r.user ?? '', r.credentialId ? `${r.credentialId.slice(0, 16)}…` : '',
  ]));
}

export async function blobsGet(id: string, o: BlobOptions & { out?: string }): Promise<void> {
  const pin = await pinOf(o);
  const blob = await withKey(o, async (ctap) => {
    const info = await checkedInfo(ctap);
    const c = locate(await credentials(ctap, info, pin), id);
    return new LargeBlobs(ctap, info).getBlob(c.largeBlobKey!);
  }).catch(ctapError);
  if (!blob) throw new CliError(`no large blob for credential ${id}`, ExitCode.notFound);
  if (o.out) writeFileSync(o.out, blob);
  else if (o.json) printJson({ blob: toBase64url(blob) });
  else process.stdout.write(blob);
}

function blobData(o: { file?: string; data?: string; base64url?: string }): Uint8Array {
  const given = [o.file, o.data, o.base64url].filter((v) => v !== undefined);
  if (given.length !== 1) throw new CliError('give the blob as one of --file, --data or --base64url', ExitCode.usage);
  if (o.file !== undefined) return new Uint8Array(readFileSync(o.file));
  return o.data !== undefined ? utf8(o.data) : fromBase64url(o.base64url!);
}

async function write(id: string, o: BlobOptions, data: Uint8Array | undefined): Promise<KeyCredential> {
  const pin = await pinOf(o);
  return withKey(o, async (ctap) => {
    const info = await checkedInfo(ctap);
    const c = locate(await credentials(ctap, info, pin), id);
    const token = await new ClientPin(ctap, info.pinUvAuthProtocols).getPinToken(pin, PinPermission.lbw);
    await new LargeBlobs(ctap, info, { token }).putBlob(c.largeBlobKey!, data);
    return c;
  }).catch(ctapError);
}

export async function blobsSet(id: string, o: BlobOptions & { file?: string; data?: string; base64url?: string }): Promise<void> {
  const data = blobData(o);
  const c = await write(id, o, data);
  if (o.json) return printJson({ credentialId: toBase64url(c.credentialId), size: data.length });
  process.stdout.write(`stored ${data.length} bytes for ${c.rp.id} ${c.user.name ?? ''} (${toBase64url(c.credentialId)})\n`);
}

export async function blobsDelete(id: string, o: BlobOptions): Promise<void> {
  const c = await write(id, o, undefined);
  if (o.json) return printJson({ deleted: toBase64url(c.credentialId) });
  process.stdout.write(`deleted the large blob of ${c.rp.id} ${c.user.name ?? ''} (${toBase64url(c.credentialId)})\n`);
}
