// COSE (RFC 9052/9053) as CTAP uses it: algorithm and key-parameter numbers, and COSE_Key builders.
import type { CborMap, CborValue } from './cbor.js';

/** COSE algorithm identifiers (IANA COSE Algorithms registry). */
export const CoseAlg = { ES256: -7, EdDSA: -8, ES384: -35, RS256: -257 } as const;
export type CoseAlgorithm = (typeof CoseAlg)[keyof typeof CoseAlg];
export type CoseAlgorithmName = keyof typeof CoseAlg;

/** The algorithm's name (ES256, EdDSA, ES384, RS256), or its number for one this project does not know. */
export function algorithmName(alg: number): string {
  return (Object.keys(CoseAlg) as CoseAlgorithmName[]).find((k) => CoseAlg[k] === alg) ?? String(alg);
}

/** COSE key parameters and values (RFC 9052/9053). */
export const CoseKey = { kty: 1, alg: 3, crv: -1, x: -2, y: -3 } as const;
/** RSA key parameters (RFC 8230 §4): the modulus and the public exponent. */
export const CoseRsaKey = { n: -1, e: -2 } as const;
export const CoseKty = { OKP: 1, EC2: 2, RSA: 3 } as const;
export const CoseCrv = { P256: 1, P384: 2, Ed25519: 6 } as const;

/** RSA public keys as Crypto.publicKeyOf gives them: the 256-byte modulus of RSA-2048, then the exponent. */
export const RSA_MODULUS_LENGTH = 256;

/** A P-256 point (uncompressed SEC1) as a COSE_Key with the given alg. */
export function p256CoseKey(alg: number, point: Uint8Array): CborMap {
  return new Map<number, CborValue>([
    [CoseKey.kty, CoseKty.EC2],
    [CoseKey.alg, alg],
    [CoseKey.crv, CoseCrv.P256],
    [CoseKey.x, point.slice(1, 33)],
    [CoseKey.y, point.slice(33, 65)],
  ]);
}

/** A P-384 point (uncompressed SEC1, 97 bytes) as a COSE_Key. */
function p384CoseKey(point: Uint8Array): CborMap {
  return new Map<number, CborValue>([
    [CoseKey.kty, CoseKty.EC2],
    [CoseKey.alg, CoseAlg.ES384],
    [CoseKey.crv, CoseCrv.P384],
    [CoseKey.x, point.slice(1, 49)],
    [CoseKey.y, point.slice(49, 97)],
  ]);
}

export function coseKey(alg: CoseAlgorithm, publicKey: Uint8Array): CborMap {
  if (alg === CoseAlg.ES256) return p256CoseKey(alg, publicKey);
  if (alg === CoseAlg.ES384) return p384CoseKey(publicKey);
  if (alg === CoseAlg.RS256) {
    return new Map<number, CborValue>([
      [CoseKey.kty, CoseKty.RSA],
      [CoseKey.alg, alg],
      [CoseRsaKey.n, publicKey.slice(0, RSA_MODULUS_LENGTH)],
      [CoseRsaKey.e, publicKey.slice(RSA_MODULUS_LENGTH)],
    ]);
  }
  return new Map<number, CborValue>([
    [CoseKey.kty, CoseKty.OKP],
    [CoseKey.alg, alg],
    [CoseKey.crv, CoseCrv.Ed25519],
    [CoseKey.x, publicKey],
  ]);
}
