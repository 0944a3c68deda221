// An in-memory credential store: for tests and throw-away keys; nothing survives the process.
import { toHex as hex } from '../util/bytes.js';
import type { CredentialStore, StoredCredential } from './types.js';

/** A deep copy: what the caller holds and what the store holds never share bytes. */
function copy(c: StoredCredential): StoredCredential {
  const b = (x: Uint8Array | undefined): Uint8Array | undefined => x && x.slice();
  return {
    ...c,
    id: c.id.slice(),
    userId: c.userId.slice(),
    privateKey: c.privateKey.slice(),
    credBlob: b(c.credBlob),
    largeBlobKey: b(c.largeBlobKey),
    credRandom: b(c.credRandom),
    hmacSecret: c.hmacSecret === true,
  };
}

function newestFirst(a: StoredCredential, b: StoredCredential): number {
  return b.createdAt - a.createdAt;
}

export class MemoryStore implements CredentialStore {
  private readonly meta = new Map<string, Uint8Array>();
  private readonly creds = new Map<string, StoredCredential>();

  getMeta(key: string): Uint8Array | undefined {
    return this.meta.get(key)?.slice();
  }
  setMeta(key: string, value: Uint8Array): void {
    this.meta.set(key, value.slice());
  }
  put(credential: StoredCredential): void {
    for (const [k, c] of this.creds) {
      if (c.rpId === credential.rpId && hex(c.userId) === hex(credential.userId)) this.creds.delete(k);
    }
    this.creds.set(hex(credential.id), copy(credential));
  }
  get(id: Uint8Array): StoredCredential | undefined {
    const c = this.creds.get(hex(id));
    return c && copy(c);
  }
  listByRp(rpId: string): StoredCredential[] {
    return [...this.creds.values()].filter((c) => c.rpId === rpId).sort(newestFirst).map(copy);
  }
  list(): StoredCredential[] {
    return [...this.creds.values()]
      .sort((a, b) => a.rpId.localeCompare(b.rpId) || newestFirst(a, b))
      .map(copy);
  }
  count(): number {
    return this.creds.size;
  }
  delete(id: Uint8Array): boolean {
    return this.creds.delete(hex(id));
  }
  setSignCount(id: Uint8Array, signCount: number): void {
    const c = this.creds.get(hex(id));
    if (c) c.signCount = signCount;
  }
  wipe(): void {
    this.meta.clear();
    this.creds.clear();
  }
  close(): void {}
}
