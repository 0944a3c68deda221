// Authenticator data (WebAuthn §6.1) and the COSE public key it carries (§6.5.1).
import { encodeCbor, type CborEncodable, type CborKey } from '../ctap/cbor.js';
import { AuthDataFlag } from '../ctap/constants.js';
import { coseKey, type CoseAlgorithm } from '../ctap/cose.js';
import { concatBytes } from '../util/bytes.js';

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

/** A credential's backup flags (WebAuthn §6.1.3: BE, and BS only with BE), as its record keeps them. */
export function backupFlags(c: { backupEligibility?: boolean; backupState?: boolean } | undefined): number {
  if (!c?.backupEligibility) return 0;
  return AuthDataFlag.BE | (c.backupState ? AuthDataFlag.BS : 0);
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
