// How `ctap-emu creds` shows a discoverable credential, the same whether it was read from a keystore
// file or from a key over CTAP (credentialManagement), and how a credential ID prefix finds one.
import type { ManagedCredential, ManagedRp } from '../client/credentialManagement.js';
import { algorithmName, CoseKey } from '../ctap/cose.js';
import type { CredentialSummary } from '../keystore/types.js';
import { toBase64url } from '../util/bytes.js';
import { CliError, ExitCode } from './errors.js';
import { printJson, printJsonArray, Table } from './output.js';

/** IDs in base64url, as WebAuthn shows them; never the key. Over CTAP there is no creation time or counter. */
export interface CredentialView {
  rpId: string;
  rpName?: string;
  userName?: string;
  userDisplayName?: string;
  userHandle: string;
  credentialId: string;
  algorithm: string;
  credProtect?: string;
  largeBlobKey: boolean;
  created?: string;
  signCount?: number;
}

const PROTECT_NAMES: Record<number, string> = {
  1: 'userVerificationOptional',
  2: 'userVerificationOptionalWithCredentialIDList',
  3: 'userVerificationRequired',
};

const protectName = (level: number | undefined): string | undefined =>
  level === undefined ? undefined : (PROTECT_NAMES[level] ?? String(level));

export function viewOfStored(c: CredentialSummary): CredentialView {
  return {
    rpId: c.rpId,
    rpName: c.rpName,
    userName: c.userName,
    userDisplayName: c.userDisplayName,
    userHandle: toBase64url(c.userId),
    credentialId: toBase64url(c.id),
    algorithm: algorithmName(c.alg),
    credProtect: protectName(c.credProtect),
    largeBlobKey: c.hasLargeBlobKey,
    created: new Date(c.createdAt).toISOString(),
    signCount: c.signCount,
  };
}

/** A credential as credentialManagement gives it (CTAP 2.1 §6.8.3): the algorithm is the COSE key's `alg`. */
export function viewOfManaged(rp: ManagedRp, c: ManagedCredential): CredentialView {
  const alg = c.publicKey.get(CoseKey.alg);
  return {
    rpId: rp.id,
    rpName: rp.name,
    userName: c.user.name,
    userDisplayName: c.user.displayName,
    userHandle: toBase64url(c.user.id),
    credentialId: toBase64url(c.credentialId),
    algorithm: typeof alg === 'number' ? algorithmName(alg) : '?',
    credProtect: protectName(c.credProtect),
    largeBlobKey: c.largeBlobKey !== undefined,
  };
}

function* mapIterable<T, U>(items: Iterable<T>, f: (t: T) => U): Generator<U> {
  for (const t of items) yield f(t);
}

/**
 * `creds list` (of `o.rp`'s credentials, if given, in or on `where`): a JSON array, or a table (or a
 * line on stderr saying there is nothing). Items become views one at a time, so a keystore's
 * credentials are read a page at a time.
 */
export async function printCredentials<T>(items: Iterable<T>, view: (t: T) => CredentialView, o: { json?: boolean; rp?: string }, where: string): Promise<void> {
  if (o.json) return printJsonArray(mapIterable(items, view));
  const table = new Table(['RP ID', 'USER', 'DISPLAY NAME', 'CREDENTIAL ID', 'ALG', 'PROTECT', 'CREATED', 'COUNT']);
  for (const item of items) {
    const c = view(item);
    table.add([
      c.rpId, c.userName ?? '', c.userDisplayName ?? '', `${c.credentialId.slice(0, 16)}…`, c.algorithm,
      (c.credProtect ?? '-').replace('userVerification', 'uv'), c.created?.slice(0, 19).replace('T', ' ') ?? '-', String(c.signCount ?? '-'),
    ]);
  }
  if (table.size === 0) return void process.stderr.write(`no discoverable credentials${o.rp ? ` for ${o.rp}` : ''} ${where}\n`);
  await table.print();
}

/** `creds show`: one field a line (what the key does not say is left out), or JSON. */
export function printCredential(c: CredentialView, o: { json?: boolean }): void {
  if (o.json) return printJson(c);
  const width = Math.max(...Object.keys(c).map((k) => k.length));
  for (const [k, v] of Object.entries(c)) if (v !== undefined) process.stdout.write(`${k.padEnd(width)}  ${String(v)}\n`);
}

export function printDeleted(c: CredentialView, o: { json?: boolean }): void {
  if (o.json) return printJson({ deleted: c });
  process.stdout.write(`deleted ${c.rpId} ${c.userName ?? c.userHandle} (${c.credentialId})\n`);
}

/** The question `creds delete` asks before it deletes. */
export function deleteQuestion(c: CredentialView): string {
  return `Delete the passkey of ${c.userName ?? c.userHandle} for ${c.rpId} (${c.credentialId})? The key will no longer sign in with it.`;
}

/** An empty ID is a usage error (every ID would start with it), found before any PIN is asked for. */
export function checkIdGiven(id: string): void {
  if (id === '') throw new CliError('give a credential ID (base64url, or a unique prefix of one)', ExitCode.usage);
}

/**
 * The one item whose base64url credential ID is `id` or starts with it (a prefix of any length, if
 * unique); `where` ends the not-found message ("in FILE", "on KEY").
 */
export function byIdPrefix<T>(items: Iterable<T>, idOf: (t: T) => Uint8Array, id: string, where: string): T {
  checkIdGiven(id);
  const matches: T[] = [];
  for (const item of items) {
    const b64 = toBase64url(idOf(item));
    if (b64 === id) return item;
    if (b64.startsWith(id)) matches.push(item);
  }
  if (matches.length > 1) throw new CliError(`credential ID prefix ${id} matches ${matches.length} credentials: give more of it`);
  if (matches.length === 0) throw new CliError(`no credential ${id} ${where}`, ExitCode.notFound);
  return matches[0]!;
}
