// PIN/UV auth protocols 1 and 2 (CTAP 2.1 §6.5.6, §6.5.7): the key agreement, KDF, encryption and
// MAC both sides use. Pure functions over @noble, shared by the authenticator and the host client.
import { p256 } from '@noble/curves/nist.js';
import { cbc } from '@noble/ciphers/aes.js';
import type { CborMap, CborValue } from './cbor.js';
import { CoseKey, CoseKty } from './cose.js';
import { p256CoseKey } from './cose.js';
import { hkdfSha256, hmacSha256, sha256 } from './crypto.js';
import { asBytes, asInt, asMap, required } from './params.js';
import { CtapError, Status } from './status.js';
import { concatBytes, equalBytes } from '../util/bytes.js';

/** COSE alg of the key agreement key: ECDH-ES + HKDF-256 (as the spec fixes it, whatever the KDF). */
export const COSE_ECDH_ES_HKDF_256 = -25;

export interface PinUvAuthProtocol {
  readonly version: 1 | 2;
  /** Shared secret from the ECDH x-coordinate Z. */
  kdf(z: Uint8Array): Uint8Array;
  encrypt(key: Uint8Array, plaintext: Uint8Array, iv: Uint8Array): Uint8Array;
  /** undefined when the ciphertext has the wrong shape. */
  decrypt(key: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined;
  authenticate(key: Uint8Array, message: Uint8Array): Uint8Array;
  /** Length of a pinUvAuthParam, and of the padded new-PIN ciphertext. */
  readonly macLength: number;
  readonly newPinEncLength: number;
  readonly pinHashEncLength: number;
}

const ZERO_IV = new Uint8Array(16);

function cbcEncrypt(key: Uint8Array, iv: Uint8Array, pt: Uint8Array): Uint8Array {
  return cbc(key, iv, { disablePadding: true }).encrypt(pt);
}
function cbcDecrypt(key: Uint8Array, iv: Uint8Array, ct: Uint8Array): Uint8Array | undefined {
  if (ct.length === 0 || ct.length % 16 !== 0) return undefined;
  return cbc(key, iv, { disablePadding: true }).decrypt(ct);
}

/** §6.5.6: SHA-256(Z), AES-256-CBC with a zero IV, HMAC truncated to 16 bytes. */
export const protocolOne: PinUvAuthProtocol = {
  version: 1,
  kdf: (z) => sha256(z),
  encrypt: (key, pt) => cbcEncrypt(key, ZERO_IV, pt),
  decrypt: (key, ct) => cbcDecrypt(key, ZERO_IV, ct),
  authenticate: (key, msg) => hmacSha256(key, msg).slice(0, 16),
  macLength: 16,
  newPinEncLength: 64,
  pinHashEncLength: 16,
};

/** §6.5.7: HKDF to an HMAC key and an AES key, random IV prepended, full 32-byte HMAC. */
export const protocolTwo: PinUvAuthProtocol = {
  version: 2,
  kdf: (z) => {
    const salt = new Uint8Array(32);
    return concatBytes(hkdfSha256(z, salt, 'CTAP2 HMAC key', 32), hkdfSha256(z, salt, 'CTAP2 AES key', 32));
  },
  encrypt: (key, pt, iv) => concatBytes(iv, cbcEncrypt(key.subarray(key.length === 64 ? 32 : 0), iv, pt)),
  decrypt: (key, ct) => (ct.length < 16 ? undefined : cbcDecrypt(key.subarray(key.length === 64 ? 32 : 0), ct.subarray(0, 16), ct.subarray(16))),
  // A 64-byte shared secret authenticates with its first half; a 32-byte token with itself.
  authenticate: (key, msg) => hmacSha256(key.subarray(0, 32), msg),
  macLength: 32,
  newPinEncLength: 16 + 64,
  pinHashEncLength: 16 + 16,
};

export const PROTOCOLS: Record<number, PinUvAuthProtocol> = { 1: protocolOne, 2: protocolTwo };

export function protocolFor(version: number): PinUvAuthProtocol {
  const p = PROTOCOLS[version];
  if (!p) throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, `pinUvAuthProtocol ${version} is not supported`);
  return p;
}

/** LEFT(SHA-256(PIN), 16): what the key stores and the host sends encrypted (CTAP 2.1 §6.5.5.5). */
export function pinHash(pinUtf8: Uint8Array): Uint8Array {
  return sha256(pinUtf8).slice(0, 16);
}

/** Constant-time check of a MAC as `authenticate` makes it. */
export function verifyMac(p: PinUvAuthProtocol, key: Uint8Array, message: Uint8Array, mac: Uint8Array): boolean {
  return mac.length === p.macLength && equalBytes(p.authenticate(key, message), mac);
}

/** The COSE_Key form of a key agreement public key (uncompressed SEC1 point in). */
export function keyAgreementCose(publicKey: Uint8Array): Map<number | string, CborValue> {
  return p256CoseKey(COSE_ECDH_ES_HKDF_256, publicKey);
}

/** The peer's COSE key as an uncompressed point; INVALID_PARAMETER when it is not a P-256 point. */
export function coseToPoint(v: CborValue): Uint8Array {
  const m: CborMap = asMap(v, 'keyAgreement');
  const x = required(m, CoseKey.x, asBytes, 'keyAgreement.x');
  const y = required(m, CoseKey.y, asBytes, 'keyAgreement.y');
  if (required(m, CoseKey.kty, asInt, 'keyAgreement.kty') !== CoseKty.EC2 || x.length !== 32 || y.length !== 32) {
    throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, 'keyAgreement is not a P-256 key');
  }
  const point = concatBytes(new Uint8Array([4]), x, y);
  if (!p256.utils.isValidPublicKey(point, false)) {
    throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, 'keyAgreement is not a point on P-256');
  }
  return point;
}

/** Z: the x-coordinate of ECDH(privateKey, peer). */
export function ecdhX(privateKey: Uint8Array, peerPoint: Uint8Array): Uint8Array {
  return p256.getSharedSecret(privateKey, peerPoint, true).slice(1);
}

export function newKeyAgreementKey(seed: Uint8Array): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const privateKey = p256.utils.randomSecretKey(seed);
  return { privateKey, publicKey: p256.getPublicKey(privateKey, false) };
}
