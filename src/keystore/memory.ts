// An in-memory credential store: for tests and throw-away keys; nothing survives the process.
// Per-RP queries are indexed as in the SQLite store: each RP keeps its credentials sorted, so the
// newest, a count and the next after a position cost a binary search, not a pass over the RP.
import { toHex } from '../util/bytes.js';
import { countAfter } from './reservedCounters.js';
import { summaryOf } from './summary.js';
import { compareText } from './textOrder.js';
import { FACTORY_META_PREFIX, type CredentialPosition, type CredentialStore, type CredentialSummary, type ListPage, type RpFilter, type RpPage, type RpSummary, type StoredCredential } from './types.js';

/**
 * A byte string as a map key: one character per byte (a credential ID is looked up on every
 * assertion, and this is a single call where hex is a concatenation per byte).
 */
function bytesKey(bytes: Uint8Array): string {
  // A longer one (no credential's, but a request may name anything) in hex, which no argument list
  // limits: its 2 characters per byte keep it apart from every short one.
  if (bytes.length > 1024) return toHex(bytes);
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/**
 * A deep copy: what the caller holds and what the store holds never share bytes (new Uint8Array,
 * not slice(): a Buffer's slice() is a view of the same memory).
 */
function copy(c: StoredCredential): StoredCredential {
  const b = (x: Uint8Array | undefined): Uint8Array | undefined => x && new Uint8Array(x);
  return {
    ...c,
    id: new Uint8Array(c.id),
    userId: new Uint8Array(c.userId),
    privateKey: new Uint8Array(c.privateKey),
    credBlob: b(c.credBlob),
    largeBlobKey: b(c.largeBlobKey),
    credRandom: b(c.credRandom),
    hmacSecret: c.hmacSecret === true,
    thirdPartyPayment: c.thirdPartyPayment === true,
  };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Whether `a` is older than `b`: the lists below are kept oldest first, so a new credential (the
 * usual case) is appended; queries read them from the end, newest first (equal times by ID, descending).
 */
function olderThan(a: CredentialPosition, b: CredentialPosition): boolean {
  return a.createdAt !== b.createdAt ? a.createdAt < b.createdAt : compareBytes(a.id, b.id) < 0;
}

/** How many elements of `sorted` are older than `p`: a binary search. */
function countOlder(sorted: readonly CredentialPosition[], p: CredentialPosition): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (olderThan(sorted[mid]!, p)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(sorted: StoredCredential[], c: StoredCredential): void {
  const i = countOlder(sorted, c);
  if (i === sorted.length) sorted.push(c);
  else sorted.splice(i, 0, c);
}

function removeSorted(sorted: StoredCredential[], c: StoredCredential): void {
  const i = countOlder(sorted, c);
  if (sorted[i] === c) sorted.splice(i, 1);
}

/** Up to `limit` of `sorted`, newest first, starting after `after` (i.e. older than it). */
function newestFirst(sorted: readonly StoredCredential[], after: CredentialPosition | undefined, limit: number): StoredCredential[] {
  const end = after ? countOlder(sorted, after) : sorted.length;
  return sorted.slice(Math.max(0, end - limit), end).reverse();
}

/** One RP's credentials, oldest first: all of them, and each credProtect level apart. */
class RpBucket {
  readonly all: StoredCredential[] = [];
  readonly byLevel = new Map<number, StoredCredential[]>();

  add(c: StoredCredential): void {
    insertSorted(this.all, c);
    let level = this.byLevel.get(c.credProtect);
    if (!level) this.byLevel.set(c.credProtect, (level = []));
    insertSorted(level, c);
  }

  remove(c: StoredCredential): void {
    removeSorted(this.all, c);
    const level = this.byLevel.get(c.credProtect)!;
    removeSorted(level, c);
    if (level.length === 0) this.byLevel.delete(c.credProtect);
  }

  /** The sorted credentials a filter sees: one of the kept lists, unless it takes some levels but not others and more than one. */
  visible(f: RpFilter): readonly StoredCredential[] {
    const max = f.maxCredProtect ?? Infinity;
    const levels = [...this.byLevel.keys()].filter((l) => l <= max);
    if (levels.length === this.byLevel.size) return this.all;
    if (levels.length === 1) return this.byLevel.get(levels[0]!)!;
    return this.all.filter((c) => c.credProtect <= max);
  }

  count(f: RpFilter): number {
    const max = f.maxCredProtect ?? Infinity;
    let n = 0;
    for (const [level, list] of this.byLevel) if (level <= max) n += list.length;
    return n;
  }
}

export class MemoryStore implements CredentialStore {
  private readonly meta = new Map<string, Uint8Array>();
  /** changes(): additions and removals. */
  private changeCount = 0;
  /** By credential ID (bytesKey()). */
  private readonly creds = new Map<string, StoredCredential>();
  /** Credential ID (bytesKey()) by RP ID and user ID. */
  private readonly byUser = new Map<string, string>();
  private readonly buckets = new Map<string, RpBucket>();
  /** The keys of `buckets`, sorted (for paging through RPs). */
  private readonly rpIds: string[] = [];

  private static userKey(rpId: string, userId: Uint8Array): string {
    return `${userId.length} ${bytesKey(userId)}${rpId}`; // the length says where the user ID ends
  }

  getMeta(key: string): Uint8Array | undefined {
    const v = this.meta.get(key);
    return v && new Uint8Array(v);
  }
  setMeta(key: string, value: Uint8Array): void {
    this.meta.set(key, new Uint8Array(value));
  }
  put(credential: StoredCredential): void {
    const same = this.byUser.get(MemoryStore.userKey(credential.rpId, credential.userId));
    if (same !== undefined) this.remove(same);
    this.remove(bytesKey(credential.id));
    const c = copy(credential);
    this.creds.set(bytesKey(c.id), c);
    this.byUser.set(MemoryStore.userKey(c.rpId, c.userId), bytesKey(c.id));
    let bucket = this.buckets.get(c.rpId);
    if (!bucket) {
      this.buckets.set(c.rpId, (bucket = new RpBucket()));
      this.rpIds.splice(this.rpIndex(c.rpId), 0, c.rpId);
    }
    bucket.add(c);
    this.changeCount++;
  }
  putMany(credentials: Iterable<StoredCredential>): void {
    for (const c of credentials) this.put(c);
  }
  get(id: Uint8Array): StoredCredential | undefined {
    const c = this.creds.get(bytesKey(id));
    return c && copy(c);
  }
  countByRp(rpId: string, filter: RpFilter = {}): number {
    return this.buckets.get(rpId)?.count(filter) ?? 0;
  }
  pageByRp(rpId: string, page: RpPage): StoredCredential[] {
    return newestFirst(this.buckets.get(rpId)?.visible(page) ?? [], page.after, page.limit).map(copy);
  }
  findByUser(rpId: string, userId: Uint8Array): StoredCredential | undefined {
    const id = this.byUser.get(MemoryStore.userKey(rpId, userId));
    return id === undefined ? undefined : copy(this.creds.get(id)!);
  }
  rps(after: string | undefined, limit: number): RpSummary[] {
    let start = after === undefined ? 0 : this.rpIndex(after);
    if (after !== undefined && this.rpIds[start] === after) start++;
    return this.rpIds.slice(start, start + limit).map((rpId) => ({ rpId, credentials: this.buckets.get(rpId)!.all.length }));
  }
  rpCount(): number {
    return this.rpIds.length;
  }
  rpName(rpId: string): string | undefined {
    const all = this.buckets.get(rpId)?.all ?? [];
    for (let i = all.length - 1; i >= 0; i--) if (all[i]!.rpName !== undefined) return all[i]!.rpName;
    return undefined;
  }
  list(): StoredCredential[] {
    return this.rpIds.flatMap((rpId) => newestFirst(this.buckets.get(rpId)!.all, undefined, Infinity).map(copy));
  }
  /** A binary search for the first RP, then each RP's sorted list from its position: as the SQLite store's index. */
  summaries(page: ListPage): CredentialSummary[] {
    const { after, limit } = page;
    let i = after ? this.rpIndex(after.rpId) : 0;
    let end = this.rpIds.length;
    if (page.rpId !== undefined) {
      const at = this.rpIndex(page.rpId);
      if (this.rpIds[at] !== page.rpId || i > at) return [];
      [i, end] = [at, at + 1];
    }
    const out: CredentialSummary[] = [];
    for (; i < end && out.length < limit; i++) {
      const rpId = this.rpIds[i]!;
      const from = after?.rpId === rpId ? after : undefined;
      for (const c of newestFirst(this.buckets.get(rpId)!.all, from, limit - out.length)) out.push(summaryOf(c));
    }
    return out;
  }
  count(): number {
    return this.creds.size;
  }
  delete(id: Uint8Array): boolean {
    return this.remove(bytesKey(id));
  }
  changes(): number {
    return this.changeCount;
  }
  setSignCount(id: Uint8Array, signCount: number): void {
    const c = this.creds.get(bytesKey(id));
    if (c) c.signCount = signCount;
  }
  nextSignCount(id: Uint8Array): number | undefined {
    const c = this.creds.get(bytesKey(id));
    if (!c) return undefined;
    c.signCount = countAfter(c.signCount);
    return c.signCount;
  }
  wipe(): void {
    this.changeCount += this.creds.size;
    for (const key of [...this.meta.keys()]) if (!key.startsWith(FACTORY_META_PREFIX)) this.meta.delete(key);
    this.creds.clear();
    this.byUser.clear();
    this.buckets.clear();
    this.rpIds.length = 0;
  }
  close(): void {}

  /** Where `rpId` is or would go in `rpIds`. */
  private rpIndex(rpId: string): number {
    let lo = 0;
    let hi = this.rpIds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareText(this.rpIds[mid]!, rpId) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private remove(idKey: string): boolean {
    const c = this.creds.get(idKey);
    if (!c) return false;
    this.creds.delete(idKey);
    this.byUser.delete(MemoryStore.userKey(c.rpId, c.userId));
    const bucket = this.buckets.get(c.rpId)!;
    bucket.remove(c);
    if (bucket.all.length === 0) {
      this.buckets.delete(c.rpId);
      this.rpIds.splice(this.rpIndex(c.rpId), 1);
    }
    this.changeCount++;
    return true;
  }
}
