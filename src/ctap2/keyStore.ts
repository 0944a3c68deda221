// The default KeyStore: a master secret made on first use and kept in the store's meta table, and
// the keys derived from it for one purpose each. Derived keys are kept by this instance only (HKDF
// on every assertion was a sixth of its cost) and go when the master secret does.
import type { Crypto } from '../ctap/crypto.js';
import type { CredentialStore } from '../keystore/types.js';
import { concatBytes, equalBytes, utf8 } from '../util/bytes.js';
import { openCredentialId, sealCredentialId, type CredentialSecret } from './credentialId.js';
import type { DeviceSecretPurpose, KeyStore } from './env.js';

const MASTER_SECRET = 'masterSecret';
const NONCE_LENGTH = 12;
const Purpose = {
  credentialId: 'ctap-emu credential id v1',
  hmacSecret: 'ctap-emu hmac-secret v1',
  pinHash: 'ctap-emu pin hash v1',
  persistentToken: 'ctap-emu persistent token v1',
  identifier: 'ctap-emu identifier v1',
  credStoreState: 'ctap-emu cred store state v1',
} as const;
type Purpose = (typeof Purpose)[keyof typeof Purpose];

/** How many opened credential IDs are kept (an allowList sign-in opens the same ID every time). */
const OPENED_MAX = 256;

/** One char per byte (apply takes the bytes as they are; a spread first copies them into an array). */
const chars = (a: Uint8Array): string => String.fromCharCode.apply(null, a as unknown as number[]);
/** A Map key for a byte string (cheap to build, never printed). */
const byteKey = (a: Uint8Array, b: Uint8Array): string => chars(a) + chars(b);

export class DeviceKeyStore implements KeyStore {
  /** At most one key per purpose: bounded by construction. */
  private readonly derived = new Map<Purpose, Uint8Array>();
  /** Opened credential IDs by RP ID hash and ID, oldest first; at most OPENED_MAX, gone on reset. */
  private readonly opened = new Map<string, CredentialSecret>();
  /** The last sealed PIN hash opened, and its hash; gone on reset. */
  private pinHash: { sealed: Uint8Array; hash: Uint8Array } | undefined;

  constructor(
    private readonly store: CredentialStore,
    private readonly random: (n: number) => Uint8Array,
    private readonly crypto: Crypto,
  ) {}

  private key(purpose: Purpose): Uint8Array {
    let key = this.derived.get(purpose);
    if (!key) {
      let secret = this.store.getMeta(MASTER_SECRET);
      if (!secret) {
        secret = this.random(32);
        this.store.setMeta(MASTER_SECRET, secret);
      }
      key = this.crypto.hkdfSha256(secret, new Uint8Array(32), purpose, 32);
      this.derived.set(purpose, key);
    }
    return key;
  }

  sealCredentialId(rpIdHash: Uint8Array, secret: CredentialSecret): Uint8Array {
    return sealCredentialId(this.crypto, this.key(Purpose.credentialId), this.random(NONCE_LENGTH), rpIdHash, secret);
  }

  openCredentialId(rpIdHash: Uint8Array, id: Uint8Array): CredentialSecret | undefined {
    const k = byteKey(rpIdHash, id);
    const hit = this.opened.get(k);
    if (hit) return hit;
    const secret = openCredentialId(this.crypto, this.key(Purpose.credentialId), rpIdHash, id);
    if (secret) {
      if (this.opened.size >= OPENED_MAX) this.opened.delete(this.opened.keys().next().value!);
      this.opened.set(k, secret);
    }
    return secret;
  }

  credRandom(credentialId: Uint8Array, uv: boolean): Uint8Array {
    return this.crypto.hmacSha256(this.key(Purpose.hmacSecret), concatBytes(new Uint8Array([uv ? 1 : 0]), credentialId));
  }

  sealPinHash(hash: Uint8Array): Uint8Array {
    const nonce = this.random(NONCE_LENGTH);
    return concatBytes(nonce, this.crypto.aeadSeal(this.key(Purpose.pinHash), nonce, hash, utf8('pin')));
  }

  openPinHash(sealed: Uint8Array): Uint8Array | undefined {
    if (sealed.length <= NONCE_LENGTH) return undefined;
    // The PIN record is read on every PIN entry and getInfo: the last sealed hash opened is kept.
    const last = this.pinHash;
    if (last && equalBytes(last.sealed, sealed)) return last.hash.slice();
    const hash = this.crypto.aeadOpen(this.key(Purpose.pinHash), sealed.subarray(0, NONCE_LENGTH), sealed.subarray(NONCE_LENGTH), utf8('pin'));
    if (hash) {
      last?.hash.fill(0);
      this.pinHash = { sealed: sealed.slice(), hash: hash.slice() };
    }
    return hash;
  }

  deviceSecret(purpose: DeviceSecretPurpose, generation: number): Uint8Array {
    const n = new Uint8Array(8);
    new DataView(n.buffer).setBigUint64(0, BigInt(generation));
    return this.crypto.hmacSha256(this.key(Purpose[purpose]), n);
  }

  /** The store's wipe removed the master secret; the next use makes a new one. */
  reset(): void {
    for (const k of this.derived.values()) k.fill(0);
    this.derived.clear();
    for (const s of this.opened.values()) s.privateKey.fill(0);
    this.opened.clear();
    this.pinHash?.hash.fill(0);
    this.pinHash = undefined;
  }
}
