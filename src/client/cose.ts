// COSE public keys to SubjectPublicKeyInfo DER, as WebAuthn's getPublicKey() returns them.
import type { CborMap } from '../ctap/cbor.js';
import { CoseAlg, CoseKey } from '../ctap/cose.js';
import { concatBytes, fromHex } from '../util/bytes.js';

// DER prefixes of SubjectPublicKeyInfo for each key type (RFC 5480, RFC 8410).
const P256_SPKI_PREFIX = fromHex('3059301306072a8648ce3d020106082a8648ce3d030107034200');
const ED25519_SPKI_PREFIX = fromHex('302a300506032b6570032100');

export function coseToSpki(key: CborMap): Uint8Array {
  const alg = key.get(CoseKey.alg);
  const x = key.get(CoseKey.x);
  if (!(x instanceof Uint8Array)) throw new Error('COSE key has no x coordinate');
  if (alg === CoseAlg.ES256) {
    const y = key.get(CoseKey.y);
    if (!(y instanceof Uint8Array)) throw new Error('COSE EC2 key has no y coordinate');
    return concatBytes(P256_SPKI_PREFIX, new Uint8Array([0x04]), x, y);
  }
  if (alg === CoseAlg.EdDSA) return concatBytes(ED25519_SPKI_PREFIX, x);
  throw new Error(`no SPKI form for COSE algorithm ${String(alg)}`);
}
