// `ctap-emu creds list|show|delete`: the discoverable credentials in a keystore file, offline.
import { algorithmName } from '../ctap/cose.js';
import type { StoredCredential } from '../keystore/types.js';
import type { SqliteStore } from '../keystore/sqlite.js';
import { fromBase64url, toBase64url } from '../util/bytes.js';
import { allCredentials, credentialsOfRp } from '../keystore/walk.js';
import { CliError, ExitCode, printJson, printJsonArray, printTable, withStore, type StoreOptions } from './common.js';

const PROTECT_NAMES: Record<number, string> = {
  1: 'userVerificationOptional',
  2: 'userVerificationOptionalWithCredentialIDList',
  3: 'userVerificationRequired',
};

/** A credential as the CLI shows it: IDs in base64url, as WebAuthn shows them; never the key. */
export function describeCredential(c: StoredCredential): Record<string, string | number | undefined> {
  return {
    rpId: c.rpId,
    rpName: c.rpName,
    userName: c.userName,
    userDisplayName: c.userDisplayName,
    userHandle: toBase64url(c.userId),
    credentialId: toBase64url(c.id),
    algorithm: algorithmName(c.alg),
    credProtect: PROTECT_NAMES[c.credProtect] ?? String(c.credProtect),
    created: new Date(c.createdAt).toISOString(),
    signCount: c.signCount,
  };
}

/** The bytes of a whole base64url ID, or none (a prefix of one need not decode). */
function bytesOr(id: string): Uint8Array {
  try {
    return fromBase64url(id);
  } catch {
    return new Uint8Array(0);
  }
}

function* mapIterable<T, U>(items: Iterable<T>, f: (t: T) => U): Generator<U> {
  for (const t of items) yield f(t);
}

/** The one credential whose base64url ID is `id` or starts with it (a prefix of any length, if unique). */
function find(store: SqliteStore, id: string): StoredCredential {
  if (id === '') throw new CliError('give a credential ID (base64url, or a unique prefix of one)', ExitCode.usage);
  const exact = store.get(bytesOr(id));
  if (exact && toBase64url(exact.id) === id) return exact;
  const matches: StoredCredential[] = [];
  for (const c of allCredentials(store)) if (toBase64url(c.id).startsWith(id)) matches.push(c);
  if (matches.length > 1) throw new CliError(`credential ID prefix ${id} matches ${matches.length} credentials: give more of it`);
  if (matches.length === 0) throw new CliError(`no credential ${id} in ${store.path}`, ExitCode.notFound);
  return matches[0]!;
}

export async function credsList(o: StoreOptions & { rp?: string; json?: boolean }): Promise<void> {
  await withStore(o, (store) => {
    // A page at a time: each credential becomes its printed form at once, and its key is dropped.
    const creds = o.rp ? credentialsOfRp(store, o.rp) : allCredentials(store);
    if (o.json) return printJsonArray(mapIterable(creds, describeCredential));
    const rows: string[][] = [];
    for (const cred of creds) {
      const c = describeCredential(cred);
      rows.push([
        String(c.rpId), String(c.userName ?? ''), String(c.userDisplayName ?? ''), `${String(c.credentialId).slice(0, 16)}…`,
        String(c.algorithm), String(c.credProtect).replace('userVerification', 'uv'), String(c.created).slice(0, 19).replace('T', ' '),
        String(c.signCount),
      ]);
    }
    if (rows.length === 0) {
      process.stderr.write(`no discoverable credentials${o.rp ? ` for ${o.rp}` : ''} in ${store.path}\n`);
      return;
    }
    printTable(['RP ID', 'USER', 'DISPLAY NAME', 'CREDENTIAL ID', 'ALG', 'PROTECT', 'CREATED', 'COUNT'], rows);
  });
}

export async function credsShow(id: string, o: StoreOptions & { json?: boolean }): Promise<void> {
  await withStore(o, (store) => {
    const c = describeCredential(find(store, id));
    if (o.json) return printJson(c);
    const width = Math.max(...Object.keys(c).map((k) => k.length));
    for (const [k, v] of Object.entries(c)) if (v !== undefined) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  });
}

export async function credsDelete(id: string, o: StoreOptions & { json?: boolean }): Promise<void> {
  await withStore(o, (store) => {
    const c = find(store, id);
    store.delete(c.id);
    if (o.json) return printJson({ deleted: describeCredential(c) });
    process.stdout.write(`deleted ${c.rpId} ${c.userName ?? toBase64url(c.userId)} (${toBase64url(c.id)})\n`);
  });
}
