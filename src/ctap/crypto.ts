// The cryptography the key and the host compute with, as one interface: the core and the client
// take it from outside. nobleCrypto.ts runs anywhere; the Node binding passes OpenSSL's.
import { CoseAlg, type CoseAlgorithm } from './cose.js';

/** A P-256 key agreement key pair of the PIN/UV auth protocols (CTAP 2.1 §6.5.6); the private half stays inside. */
export interface KeyAgreementKey {
  /** Uncompressed SEC1 point. */
  readonly publicKey: Uint8Array;
  /** Z, the x-coordinate of ECDH with the peer's uncompressed point; undefined when that is not a point on P-256. */
  agree(peerPoint: Uint8Array): Uint8Array | undefined;
}

/**
 * Every implementation gives the same bytes for the same inputs (ECDSA signatures aside, which
 * only have to verify) and rejects bad inputs alike: TypeError or RangeError for a wrong type or
 * length, undefined where a peer's data does not authenticate or is not a point.
 */
export interface Crypto {
  sha256(data: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: string, length: number): Uint8Array;
  /** AES-256-GCM seal (12-byte nonce): the ciphertext with its 16-byte tag appended. */
  aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** AES-256-GCM open: undefined when the tag does not verify (wrong key, wrong AAD, altered bytes). */
  aeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined;
  /**
   * AES-CBC without padding, as the PIN/UV auth protocols (AES-256) and getInfo's encIdentifier and
   * encCredStoreState (AES-128) use it: a 32- or 16-byte key, whole 16-byte blocks only.
   */
  cbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array;
  cbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  /**
   * A new credential private key from seedLength(alg) bytes of injected randomness (the extra bytes
   * reduce bias). RS256 keys (PKCS#8 DER, RSA-2048) come from the implementation's own generator:
   * primes from a seed would need a DRBG and a prime search of our own, for keys no test replays.
   */
  generatePrivateKey(alg: CoseAlgorithm, seed: Uint8Array): Uint8Array;
  /**
   * The raw public key: uncompressed SEC1 point for ES256 and ES384, 32 bytes for EdDSA, the
   * 256-byte modulus followed by the exponent for RS256.
   */
  publicKeyOf(alg: CoseAlgorithm, privateKey: Uint8Array): Uint8Array;
  /**
   * A signature as WebAuthn carries it: DER ECDSA over SHA-256 (ES256) or SHA-384 (ES384), raw 64
   * bytes for EdDSA, RSASSA-PKCS1-v1_5 with SHA-256 for RS256.
   */
  sign(alg: CoseAlgorithm, privateKey: Uint8Array, message: Uint8Array): Uint8Array;
  /** A key agreement key from 48 bytes of injected randomness (the same derivation as ES256 keys). */
  keyAgreementKey(seed: Uint8Array): KeyAgreementKey;
  /**
   * A key agreement key used for one agreement only, the platform's side of encapsulate(): its
   * public point, and Z with the peer (undefined when that is not a point on P-256). The same bytes
   * as keyAgreementKey(seed).agree(peerPoint); absent, the protocols call that instead. An
   * implementation may reuse its own objects for it (OpenSSL's ECDH objects cost more to make).
   */
  agreeOnce?(seed: Uint8Array, peerPoint: Uint8Array): { publicKey: Uint8Array; z: Uint8Array | undefined };
  /**
   * Drops what the implementation keeps of one private key (a deleted or replaced credential's), or
   * of every private key when none is named (a reset).
   */
  forget?(key?: { alg: number; privateKey: Uint8Array }): void;
  /** Whether this implementation has `alg` (absent: every algorithm but RS256). */
  supportsAlgorithm(alg: CoseAlgorithm): boolean;
}

/** Every algorithm some implementation has, in this key's order of preference. */
export const SUPPORTED_ALGORITHMS: readonly CoseAlgorithm[] = [CoseAlg.ES256, CoseAlg.EdDSA, CoseAlg.ES384, CoseAlg.RS256];

/** What a key does out of the box: RS256 only when the user turns it on, as on hardware keys. */
export const DEFAULT_ALGORITHMS: readonly CoseAlgorithm[] = [CoseAlg.ES256, CoseAlg.EdDSA, CoseAlg.ES384];

/**
 * Bytes of randomness generatePrivateKey takes: a scalar's length and half again (FIPS 186-5
 * A.2.1, the minimum noble accepts), 48 for EdDSA as for ES256 (its first 32 are the key), none
 * for RS256 (see generatePrivateKey).
 */
export function seedLength(alg: CoseAlgorithm): number {
  return alg === CoseAlg.ES384 ? 72 : alg === CoseAlg.RS256 ? 0 : 48;
}

/** A private key's length in bytes: fixed for the curves, undefined for RS256 (PKCS#8 DER). */
export function privateKeyLength(alg: CoseAlgorithm): number | undefined {
  return alg === CoseAlg.ES384 ? 48 : alg === CoseAlg.RS256 ? undefined : 32;
}

/** A private key of `alg` as the implementations take it: its length, or non-empty DER for RS256. */
export function checkPrivateKey(alg: CoseAlgorithm, privateKey: unknown): Uint8Array {
  const key = checkBytes(privateKey, 'privateKey', privateKeyLength(alg));
  if (key.length === 0) throw new RangeError('privateKey must not be empty');
  return key;
}

export function isSupportedAlgorithm(alg: number): alg is CoseAlgorithm {
  return (SUPPORTED_ALGORITHMS as readonly number[]).includes(alg);
}

/** The input checks every implementation makes, so that they reject alike. */
export function checkBytes(v: unknown, what: string, length?: number): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  if (length !== undefined && v.length !== length) throw new RangeError(`${what} must be ${length} bytes`);
  return v;
}

/** An AES-256 or AES-128 key. */
export function checkAesKey(v: unknown): Uint8Array {
  const key = checkBytes(v, 'key');
  if (key.length !== 32 && key.length !== 16) throw new RangeError('key must be 32 or 16 bytes');
  return key;
}

export function checkAlg(alg: number): CoseAlgorithm {
  if (!isSupportedAlgorithm(alg)) throw new RangeError(`unsupported algorithm ${alg}`);
  return alg;
}

/** CBC input: whole blocks, at least one. */
export function checkBlocks(v: unknown, what: string): Uint8Array {
  const b = checkBytes(v, what);
  if (b.length === 0 || b.length % 16 !== 0) throw new RangeError(`${what} must be whole 16-byte blocks`);
  return b;
}

/** A peer's key agreement point in the only form the protocols carry: 65 bytes, uncompressed. */
export function isUncompressedPoint(v: Uint8Array): boolean {
  return v.length === 65 && v[0] === 0x04;
}
