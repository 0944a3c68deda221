// The core's cryptography, over @noble/* so the core runs anywhere; each function checks its inputs.
import { p256 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { gcm } from '@noble/ciphers/aes.js';
import { CoseAlg, type CoseAlgorithm } from './cose.js';

function bytes(v: unknown, what: string, length?: number): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  if (length !== undefined && v.length !== length) throw new RangeError(`${what} must be ${length} bytes`);
  return v;
}

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(bytes(data, 'data'));
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(nobleSha256, bytes(key, 'key'), bytes(data, 'data'));
}

export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: string, length: number): Uint8Array {
  return hkdf(nobleSha256, bytes(ikm, 'ikm'), bytes(salt, 'salt'), new TextEncoder().encode(info), length);
}

export const SUPPORTED_ALGORITHMS: readonly CoseAlgorithm[] = [CoseAlg.ES256, CoseAlg.EdDSA];

export function isSupportedAlgorithm(alg: number): alg is CoseAlgorithm {
  return (SUPPORTED_ALGORITHMS as readonly number[]).includes(alg);
}

/** A new private key for `alg` from 48 bytes of injected randomness (extra bytes reduce bias). */
export function generatePrivateKey(alg: CoseAlgorithm, seed: Uint8Array): Uint8Array {
  bytes(seed, 'seed', 48);
  return alg === CoseAlg.ES256 ? p256.utils.randomSecretKey(seed) : seed.slice(0, 32);
}

/** The raw public key: uncompressed SEC1 point for ES256, 32 bytes for EdDSA. */
export function publicKeyOf(alg: CoseAlgorithm, privateKey: Uint8Array): Uint8Array {
  bytes(privateKey, 'privateKey', 32);
  return alg === CoseAlg.ES256 ? p256.getPublicKey(privateKey, false) : ed25519.getPublicKey(privateKey);
}

/** A signature as WebAuthn carries it: DER ECDSA over SHA-256 for ES256, raw 64 bytes for EdDSA. */
export function sign(alg: CoseAlgorithm, privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  bytes(privateKey, 'privateKey', 32);
  bytes(message, 'message');
  return alg === CoseAlg.ES256
    ? p256.sign(message, privateKey, { format: 'der' })
    : ed25519.sign(message, privateKey);
}

/** AES-256-GCM seal: returns ciphertext with its tag appended. */
export function aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  return gcm(bytes(key, 'key', 32), bytes(nonce, 'nonce', 12), aad).encrypt(plaintext);
}

/** AES-256-GCM open: undefined when the tag does not verify (wrong key, wrong AAD, altered bytes). */
export function aeadOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array | undefined {
  try {
    return gcm(bytes(key, 'key', 32), bytes(nonce, 'nonce', 12), aad).decrypt(sealed);
  } catch {
    return undefined;
  }
}
