// COSE public keys to SubjectPublicKeyInfo DER, as WebAuthn's getPublicKey() returns them.
import type { CborMap } from '../ctap/cbor.js';
import { CoseAlg, CoseKey, CoseRsaKey } from '../ctap/cose.js';
import { concatBytes, fromHex } from '../util/bytes.js';

// DER prefixes of SubjectPublicKeyInfo for each key type (RFC 5480, RFC 8410).
const P256_SPKI_PREFIX = fromHex('3059301306072a8648ce3d020106082a8648ce3d030107034200');
const P384_SPKI_PREFIX = fromHex('3076301006072a8648ce3d020106052b81040022036200');
const ED25519_SPKI_PREFIX = fromHex('302a300506032b6570032100');
/** AlgorithmIdentifier rsaEncryption with NULL parameters (RFC 8017 A.1). */
const RSA_ALGORITHM = fromHex('300d06092a864886f70d0101010500');

/** A DER element: tag, definite length, contents. */
function der(tag: number, body: Uint8Array): Uint8Array {
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return concatBytes(new Uint8Array([tag, ...len]), body);
}

/** A DER INTEGER from unsigned big-endian bytes: leading zeros dropped, one added where the top bit is set. */
function derUint(v: Uint8Array): Uint8Array {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  const b = v.subarray(i);
  return der(0x02, (b[0] ?? 0) & 0x80 ? concatBytes(new Uint8Array([0]), b) : b);
}

function ecCoordinates(key: CborMap, size: number): [Uint8Array, Uint8Array] {
  const x = key.get(CoseKey.x);
  const y = key.get(CoseKey.y);
  if (!(x instanceof Uint8Array) || !(y instanceof Uint8Array)) throw new Error('COSE EC2 key has no x or y coordinate');
  if (x.length !== size || y.length !== size) throw new Error(`COSE EC2 coordinates must be ${size} bytes`);
  return [x, y];
}

export function coseToSpki(key: CborMap): Uint8Array {
  const alg = key.get(CoseKey.alg);
  if (alg === CoseAlg.ES256) return concatBytes(P256_SPKI_PREFIX, new Uint8Array([0x04]), ...ecCoordinates(key, 32));
  if (alg === CoseAlg.ES384) return concatBytes(P384_SPKI_PREFIX, new Uint8Array([0x04]), ...ecCoordinates(key, 48));
  if (alg === CoseAlg.RS256) {
    const n = key.get(CoseRsaKey.n);
    const e = key.get(CoseRsaKey.e);
    if (!(n instanceof Uint8Array) || !(e instanceof Uint8Array) || n.length === 0 || e.length === 0) throw new Error('COSE RSA key has no n or e');
    // RFC 8017 A.1.1 RSAPublicKey, in a BIT STRING with no unused bits.
    const rsaPublicKey = der(0x30, concatBytes(derUint(n), derUint(e)));
    return der(0x30, concatBytes(RSA_ALGORITHM, der(0x03, concatBytes(new Uint8Array([0]), rsaPublicKey))));
  }
  const x = key.get(CoseKey.x);
  if (alg === CoseAlg.EdDSA && x instanceof Uint8Array) return concatBytes(ED25519_SPKI_PREFIX, x);
  throw new Error(`no SPKI form for COSE algorithm ${String(alg)}`);
}
