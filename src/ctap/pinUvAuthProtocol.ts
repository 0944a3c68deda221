// PIN/UV auth protocols 1 and 2 (CTAP 2.1 §6.5.6, §6.5.7): the key agreement, KDF, encryption and
// MAC both sides use, built over a Crypto (the key's or the host's), shared by authenticator and client.
import type { CborMap, CborValue } from './cbor.js';
import { CoseKey, CoseKty } from './cose.js';
import { p256CoseKey } from './cose.js';
import type { Crypto, KeyAgreementKey } from './crypto.js';
import { asBytes, asInt, asMap, required } from './params.js';
import { CtapError, Status } from './status.js';
import { concatBytes, equalBytes, utf8 } from '../util/bytes.js';

/** COSE alg of the key agreement key: ECDH-ES + HKDF-256 (as the spec fixes it, whatever the KDF). */
export const COSE_ECDH_ES_HKDF_256 = -25;

export interface PinUvAuthProtocol {
  readonly version: 1 | 2;
  /** decapsulate() and encapsulate()'s secret: kdf(ecdh(own, peer)); INVALID_PARAMETER when the peer is no P-256 key. */
  sharedSecret(own: KeyAgreementKey, peer: CborValue): Uint8Array;
  /** The platform's encapsulate() (§6.5.6): a key pair from `seed` for this one agreement, its public point and the shared secret. */
  encapsulate(seed: Uint8Array, peer: CborValue): { publicKey: Uint8Array; secret: Uint8Array };
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
const ZERO_SALT = new Uint8Array(32);

/** HKDF-Expand's one block (RFC 5869 §2.3, L = 32): T(1) = HMAC(PRK, info || 0x01). */
const HMAC_KEY_INFO = concatBytes(utf8('CTAP2 HMAC key'), new Uint8Array([1]));
const AES_KEY_INFO = concatBytes(utf8('CTAP2 AES key'), new Uint8Array([1]));

/**
 * §6.5.7 kdf: HKDF-SHA-256(salt = 32 zeros, Z) to 32 bytes with info "CTAP2 HMAC key", then with
 * "CTAP2 AES key". Both share HKDF-Extract's PRK, so it is computed once: three HMACs, not four.
 */
function protocolTwoKdf(c: Crypto, z: Uint8Array): Uint8Array {
  const prk = c.hmacSha256(ZERO_SALT, z);
  const hmacKey = c.hmacSha256(prk, HMAC_KEY_INFO);
  const aesKey = c.hmacSha256(prk, AES_KEY_INFO);
  prk.fill(0);
  const secret = concatBytes(hmacKey, aesKey);
  hmacKey.fill(0);
  aesKey.fill(0);
  return secret;
}

const wholeBlocks = (ct: Uint8Array): boolean => ct.length > 0 && ct.length % 16 === 0;

/** What both protocols share: the P-256 key agreement. */
function keyAgreement(c: Crypto, kdf: (z: Uint8Array) => Uint8Array): Pick<PinUvAuthProtocol, 'sharedSecret' | 'encapsulate' | 'kdf'> {
  const secretOf = (z: Uint8Array | undefined): Uint8Array => {
    if (!z) throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, 'keyAgreement is not a point on P-256');
    const secret = kdf(z);
    z.fill(0);
    return secret;
  };
  return {
    sharedSecret: (own, peer) => secretOf(own.agree(coseToPoint(peer))),
    encapsulate(seed, peer) {
      const point = coseToPoint(peer);
      if (c.agreeOnce) {
        const { publicKey, z } = c.agreeOnce(seed, point);
        return { publicKey, secret: secretOf(z) };
      }
      const own = c.keyAgreementKey(seed);
      return { publicKey: own.publicKey, secret: secretOf(own.agree(point)) };
    },
    kdf,
  };
}

/** §6.5.6: SHA-256(Z), AES-256-CBC with a zero IV, HMAC truncated to 16 bytes. */
export function protocolOne(c: Crypto): PinUvAuthProtocol {
  return {
    version: 1,
    ...keyAgreement(c, (z) => c.sha256(z)),
    encrypt: (key, pt) => c.cbcEncrypt(key, ZERO_IV, pt),
    decrypt: (key, ct) => (wholeBlocks(ct) ? c.cbcDecrypt(key, ZERO_IV, ct) : undefined),
    authenticate: (key, msg) => c.hmacSha256(key, msg).slice(0, 16),
    macLength: 16,
    newPinEncLength: 64,
    pinHashEncLength: 16,
  };
}

/** §6.5.7: HKDF to an HMAC key and an AES key, random IV prepended, full 32-byte HMAC. */
export function protocolTwo(c: Crypto): PinUvAuthProtocol {
  // A 64-byte shared secret encrypts with its second half; a 32-byte token is used whole.
  const aesKey = (key: Uint8Array): Uint8Array => key.subarray(key.length === 64 ? 32 : 0);
  return {
    version: 2,
    ...keyAgreement(c, (z) => protocolTwoKdf(c, z)),
    encrypt: (key, pt, iv) => concatBytes(iv, c.cbcEncrypt(aesKey(key), iv, pt)),
    decrypt: (key, ct) => (ct.length > 16 && wholeBlocks(ct.subarray(16)) ? c.cbcDecrypt(aesKey(key), ct.subarray(0, 16), ct.subarray(16)) : undefined),
    // A 64-byte shared secret authenticates with its first half; a 32-byte token with itself.
    authenticate: (key, msg) => c.hmacSha256(key.subarray(0, 32), msg),
    macLength: 32,
    newPinEncLength: 16 + 64,
    pinHashEncLength: 16 + 16,
  };
}

const PROTOCOLS: Record<number, (c: Crypto) => PinUvAuthProtocol> = { 1: protocolOne, 2: protocolTwo };

export function isSupportedProtocol(version: number): version is 1 | 2 {
  return Object.hasOwn(PROTOCOLS, version);
}

/** Each crypto's protocols, made once: they hold nothing but the crypto, and several requests of every ceremony ask. */
const made = new WeakMap<Crypto, PinUvAuthProtocol[]>();

/** The protocol `version` over `crypto`; INVALID_PARAMETER for a version this side does not know. */
export function protocolFor(version: number, crypto: Crypto): PinUvAuthProtocol {
  if (!isSupportedProtocol(version)) throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, `pinUvAuthProtocol ${version} is not supported`);
  let byVersion = made.get(crypto);
  if (!byVersion) made.set(crypto, (byVersion = []));
  return (byVersion[version] ??= Object.freeze(PROTOCOLS[version]!(crypto)));
}

/** LEFT(SHA-256(PIN), 16): what the key stores and the host sends encrypted (CTAP 2.1 §6.5.5.5). */
export function pinHash(crypto: Crypto, pinUtf8: Uint8Array): Uint8Array {
  return crypto.sha256(pinUtf8).slice(0, 16);
}

/** Constant-time check of a MAC as `authenticate` makes it. */
export function verifyMac(p: PinUvAuthProtocol, key: Uint8Array, message: Uint8Array, mac: Uint8Array): boolean {
  return mac.length === p.macLength && equalBytes(p.authenticate(key, message), mac);
}

/** The COSE_Key form of a key agreement public key (uncompressed SEC1 point in). */
export function keyAgreementCose(publicKey: Uint8Array): Map<number | string, CborValue> {
  return p256CoseKey(COSE_ECDH_ES_HKDF_256, publicKey);
}

/** The peer's COSE key as an uncompressed point; INVALID_PARAMETER when it is not shaped as a P-256 key (the ECDH checks the point). */
export function coseToPoint(v: CborValue): Uint8Array {
  const m: CborMap = asMap(v, 'keyAgreement');
  const x = required(m, CoseKey.x, asBytes, 'keyAgreement.x');
  const y = required(m, CoseKey.y, asBytes, 'keyAgreement.y');
  if (required(m, CoseKey.kty, asInt, 'keyAgreement.kty') !== CoseKty.EC2 || x.length !== 32 || y.length !== 32) {
    throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, 'keyAgreement is not a P-256 key');
  }
  return concatBytes(new Uint8Array([4]), x, y);
}
