// Authenticator data (WebAuthn §6.1) and the COSE public key it carries (§6.5.1).
import { encodeCbor, type CborEncodable, type CborKey, type CborMap, type CborValue } from './cbor.js';
import { AuthDataFlag, CoseAlg, CoseCrv, CoseKey, CoseKty, type CoseAlgorithm } from './constants.js';
import { concatBytes } from '../util/bytes.js';

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

export interface AttestedCredentialData {
  aaguid: Uint8Array;
  credentialId: Uint8Array;
  alg: CoseAlgorithm;
  publicKey: Uint8Array;
}

export interface AuthDataInput {
  rpIdHash: Uint8Array;
  flags: number;
  signCount: number;
  attested?: AttestedCredentialData;
  /** Authenticator extension outputs. AT and ED are set here from what is present. */
  extensions?: ReadonlyMap<CborKey, CborEncodable>;
}

export function encodeAuthData(input: AuthDataInput): Uint8Array {
  const header = new Uint8Array(37);
  header.set(input.rpIdHash, 0);
  const hasExtensions = input.extensions !== undefined && input.extensions.size > 0;
  header[32] = input.flags | (input.attested ? AuthDataFlag.AT : 0) | (hasExtensions ? AuthDataFlag.ED : 0);
  new DataView(header.buffer).setUint32(33, input.signCount >>> 0);
  const parts: Uint8Array[] = [header];
  if (input.attested) {
    const { aaguid, credentialId, alg, publicKey } = input.attested;
    const idLength = new Uint8Array([credentialId.length >> 8, credentialId.length & 0xff]);
    parts.push(aaguid, idLength, credentialId, encodeCbor(coseKey(alg, publicKey)));
  }
  if (hasExtensions) parts.push(encodeCbor(input.extensions!));
  return concatBytes(...parts);
}
