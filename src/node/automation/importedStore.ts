// A credential store that also holds imported non-discoverable credentials. The key's own are the
// key sealed in the ID (ctap2/credentialId.ts); an ID made by another authenticator does not open
// here, so its key is kept in the store's device state (sealed with it in an encrypted keystore),
// one record per ID. get(id) finds it, so getAssertion with that ID in the allowList signs with it;
// the per-RP queries behind discoverable getAssertion and credentialManagement never see it.
import { decodeCbor, encodeCbor, type CborMap } from '../../ctap/cbor.js';
import type { CredentialStore, CredentialSummary, ListPage, RpFilter, RpPage, RpSummary, StoredCredential } from '../../keystore/types.js';
import { countAfter } from '../../keystore/reservedCounters.js';
import { toBase64url } from '../../util/bytes.js';

/** Meta keys: the list of imported IDs, and a record per ID (wipe() removes both, as reset must). */
const INDEX = 'imported.index';
const recordKey = (id: Uint8Array): string => `imported.credential.${toBase64url(id)}`;

function encodeRecord(c: StoredCredential): Uint8Array {
  return encodeCbor({
    rpId: c.rpId, userId: c.userId, userName: c.userName, userDisplayName: c.userDisplayName, alg: c.alg,
    privateKey: c.privateKey, credProtect: c.credProtect, createdAt: c.createdAt, signCount: c.signCount,
    backupEligibility: c.backupEligibility === true, backupState: c.backupState === true,
  });
}

function decodeRecord(id: Uint8Array, raw: Uint8Array): StoredCredential {
  const m = decodeCbor(raw) as CborMap;
  const text = (k: string): string | undefined => (typeof m.get(k) === 'string' ? (m.get(k) as string) : undefined);
  return {
    id, rpId: text('rpId')!, userId: m.get('userId') as Uint8Array, userName: text('userName'), userDisplayName: text('userDisplayName'),
    alg: m.get('alg') as number, privateKey: m.get('privateKey') as Uint8Array, credProtect: m.get('credProtect') as number,
    createdAt: m.get('createdAt') as number, signCount: m.get('signCount') as number, hmacSecret: false, thirdPartyPayment: false,
    // Records written before the backup flags were kept have none: false, as their flags said.
    backupEligibility: m.get('backupEligibility') === true, backupState: m.get('backupState') === true,
    discoverable: false,
  };
}

export class ImportingStore implements CredentialStore {
  /** The imported IDs (base64url), read once: every get() and put() asks, and most keys have none. */
  private ids: Set<string> | undefined;

  constructor(readonly inner: CredentialStore) {}

  private importedSet(): Set<string> {
    this.ids ??= new Set(this.importedIds().map(toBase64url));
    return this.ids;
  }

  /** The imported non-discoverable credential with this ID, if any. */
  imported(id: Uint8Array): StoredCredential | undefined {
    const ids = this.importedSet();
    if (ids.size === 0 || !ids.has(toBase64url(id))) return undefined;
    const raw = this.inner.getMeta(recordKey(id));
    return raw && raw.length > 0 ? decodeRecord(new Uint8Array(id), raw) : undefined;
  }

  /** Every imported non-discoverable credential, in import order. */
  listImported(): StoredCredential[] {
    return this.importedIds().flatMap((id) => this.imported(id) ?? []);
  }

  /** Adds or replaces one (its ID listed once). */
  putImported(c: StoredCredential): void {
    this.inner.setMeta(recordKey(c.id), encodeRecord(c));
    const ids = this.importedIds();
    if (!ids.some((id) => toBase64url(id) === toBase64url(c.id))) this.inner.setMeta(INDEX, encodeCbor([...ids, c.id]));
    this.importedSet().add(toBase64url(c.id));
  }

  private importedIds(): Uint8Array[] {
    const raw = this.inner.getMeta(INDEX);
    return raw ? (decodeCbor(raw) as Uint8Array[]) : [];
  }

  private deleteImported(id: Uint8Array): boolean {
    if (!this.imported(id)) return false;
    // A meta record cannot be removed, only emptied: an empty record reads as none.
    this.inner.setMeta(recordKey(id), new Uint8Array(0));
    const key = toBase64url(id);
    this.inner.setMeta(INDEX, encodeCbor(this.importedIds().filter((i) => toBase64url(i) !== key)));
    this.importedSet().delete(key);
    return true;
  }

  getMeta(key: string): Uint8Array | undefined {
    return this.inner.getMeta(key);
  }
  /** The discoverable credentials' changes (encCredStoreState): imported non-discoverable ones are not among them. */
  changes(): number {
    return this.inner.changes();
  }
  setMeta(key: string, value: Uint8Array): void {
    this.inner.setMeta(key, value);
  }
  get(id: Uint8Array): StoredCredential | undefined {
    return this.inner.get(id) ?? this.imported(id);
  }
  /** credentialManagement's updateUserInformation reaches an imported one through get(): it stays imported. */
  put(c: StoredCredential): void {
    if (this.imported(c.id)) this.putImported(c);
    else this.inner.put(c);
  }
  putMany(credentials: Iterable<StoredCredential>): void {
    this.inner.putMany(credentials);
  }
  delete(id: Uint8Array): boolean {
    return this.inner.delete(id) || this.deleteImported(id);
  }
  setSignCount(id: Uint8Array, signCount: number): void {
    const c = this.imported(id);
    if (c) this.putImported({ ...c, signCount });
    else this.inner.setSignCount(id, signCount);
  }
  /** An imported credential's counter is written on every use (imports are few; no reservation needed). */
  nextSignCount(id: Uint8Array): number | undefined {
    const own = this.inner.nextSignCount(id);
    if (own !== undefined) return own;
    const c = this.imported(id);
    if (!c) return undefined;
    c.signCount = countAfter(c.signCount);
    this.putImported(c);
    return c.signCount;
  }
  countByRp(rpId: string, filter?: RpFilter): number {
    return this.inner.countByRp(rpId, filter);
  }
  pageByRp(rpId: string, page: RpPage): StoredCredential[] {
    return this.inner.pageByRp(rpId, page);
  }
  findByUser(rpId: string, userId: Uint8Array): StoredCredential | undefined {
    return this.inner.findByUser(rpId, userId);
  }
  rps(after: string | undefined, limit: number): RpSummary[] {
    return this.inner.rps(after, limit);
  }
  rpCount(): number {
    return this.inner.rpCount();
  }
  rpName(rpId: string): string | undefined {
    return this.inner.rpName(rpId);
  }
  list(): StoredCredential[] {
    return this.inner.list();
  }
  summaries(page: ListPage): CredentialSummary[] {
    return this.inner.summaries(page);
  }
  count(): number {
    return this.inner.count();
  }
  wipe(): void {
    this.inner.wipe();
    this.ids = undefined;
  }
  close(): void {
    this.inner.close();
  }
}
