// Credential keys imported into OpenSSL, kept for the next signature: importing costs OpenSSL more
// than signing does. One cache per NodeCrypto (so per key), bounded, emptied by clear().
import { hash, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Least recently used entries go first. Entries are found by SHA-256 of a secret of this cache, the
 * algorithm and the private key (the secret is replaced, and the old one wiped, by clear()): the
 * map's keys are strings, which cannot be wiped, and they tell nothing about a private key once
 * that secret is gone. One hash() call, not an HMAC object: the lookup is on every signature.
 */
export class KeyObjectCache {
  private readonly entries = new Map<string, KeyObject>();
  private secret: Uint8Array = new Uint8Array(randomBytes(32));

  constructor(private readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) throw new RangeError('keyCacheSize must be a whole number');
  }

  /** The key object of (alg, privateKey): the cached one, else `make()`'s, then kept. */
  get(alg: number, privateKey: Uint8Array, make: () => KeyObject): KeyObject {
    if (this.capacity === 0) return make();
    const index = this.indexOf(alg, privateKey);
    let key = this.entries.get(index);
    if (key) {
      this.entries.delete(index); // re-inserted below: most recently used last
    } else {
      key = make();
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(index, key);
    return key;
  }

  /** Drops the key object of (alg, privateKey), if kept. */
  delete(alg: number, privateKey: Uint8Array): void {
    if (this.entries.size > 0) this.entries.delete(this.indexOf(alg, privateKey));
  }

  private indexOf(alg: number, privateKey: Uint8Array): string {
    const input = new Uint8Array(this.secret.length + 1 + privateKey.length);
    input.set(this.secret);
    input[this.secret.length] = alg & 0xff;
    input.set(privateKey, this.secret.length + 1);
    const index = hash('sha256', input, 'base64');
    input.fill(0);
    return index;
  }

  clear(): void {
    this.entries.clear();
    this.secret.fill(0);
    this.secret = new Uint8Array(randomBytes(32));
  }

  get size(): number {
    return this.entries.size;
  }
}
