// COSE (RFC 9052/9053) as CTAP uses it: algorithm and key-parameter numbers, and COSE_Key builders.
import type { CborMap, CborValue } from './cbor.js';

/** COSE algorithm identifiers (IANA COSE Algorithms registry). */
export const CoseAlg = { ES256: -7, EdDSA: -8 } as const;
export type CoseAlgorithm = (typeof CoseAlg)[keyof typeof CoseAlg];

/** COSE key parameters and values (RFC 9052/9053). */
export const CoseKey = { kty: 1, alg: 3, crv: -1, x: -2, y: -3 } as const;
export const CoseKty = { OKP: 1, EC2: 2 } as const;
export const CoseCrv = { P256: 1, Ed25519: 6 } as const;

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

export function coseKey(alg: CoseAlgorithm, publicKey: Uint8Array): CborMap {
  if (alg === CoseAlg.ES256) return p256CoseKey(alg, publicKey);
  return new Map<number, CborValue>([
    [CoseKey.kty, CoseKty.OKP],
    [CoseKey.alg, alg],
    [CoseKey.crv, CoseCrv.Ed25519],
    [CoseKey.x, publicKey],
  ]);
}
