// Credential private keys as PKCS#8 DER, the form WebAuthn Automation and Chrome's DevTools move
// them in, to and from the form the store keeps (a curve's raw scalar or seed; RSA as PKCS#8).
import { createECDH, createPrivateKey, type KeyObject } from 'node:crypto';
import { CoseAlg, type CoseAlgorithm } from '../../ctap/cose.js';
import { RSA_MODULUS_LENGTH } from '../../ctap/cose.js';
import { fromBase64url, toBase64url } from '../../util/bytes.js';

const EC = {
  [CoseAlg.ES256]: { openssl: 'prime256v1', jwk: 'P-256', size: 32 },
  [CoseAlg.ES384]: { openssl: 'secp384r1', jwk: 'P-384', size: 48 },
} as const;

/** PrivateKeyInfo { version 0, id-Ed25519, OCTET STRING { OCTET STRING (32) } } up to the seed. */
const ED25519_PKCS8_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

export interface CredentialKey {
  alg: CoseAlgorithm;
  privateKey: Uint8Array;
}

function der(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
}

/** `d` of a JWK, left-padded to the curve's size (a JWK may drop leading zeros). */
function jwkScalar(key: KeyObject, size: number): Uint8Array {
  const d = fromBase64url(String(key.export({ format: 'jwk' }).d));
  if (d.length > size) throw new RangeError('privateKey: the scalar is too long for its curve');
  const out = new Uint8Array(size);
  out.set(d, size - d.length);
  return out;
}

/** A PKCS#8 key as an algorithm and the bytes the store keeps; RangeError for a key this key cannot use. */
export function fromPkcs8(pkcs8: Uint8Array): CredentialKey {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  } catch {
    throw new RangeError('privateKey is not a PKCS#8 private key');
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ed25519') return { alg: CoseAlg.EdDSA, privateKey: jwkScalar(key, 32) };
  if (key.asymmetricKeyType === 'ec') {
    for (const alg of [CoseAlg.ES256, CoseAlg.ES384] as const) {
      if (details.namedCurve === EC[alg].openssl) return { alg, privateKey: jwkScalar(key, EC[alg].size) };
    }
    throw new RangeError(`privateKey: curve ${details.namedCurve ?? '?'} is not supported (P-256, P-384)`);
  }
  if (key.asymmetricKeyType === 'rsa') {
    // RS256 signs with RSA-2048 only (what NodeCrypto takes).
    if (details.modulusLength !== RSA_MODULUS_LENGTH * 8) throw new RangeError('privateKey: RSA keys must be RSA-2048');
    return { alg: CoseAlg.RS256, privateKey: der(key) };
  }
  throw new RangeError(`privateKey: ${key.asymmetricKeyType ?? 'this'} key type is not supported (P-256, P-384, Ed25519, RSA-2048)`);
}

/** The store's form of a credential's key as PKCS#8 DER. */
export function toPkcs8(alg: CoseAlgorithm, privateKey: Uint8Array): Uint8Array {
  if (alg === CoseAlg.RS256) return new Uint8Array(privateKey);
  if (alg === CoseAlg.EdDSA) {
    // RFC 8410: the seed in a fixed frame (a JWK needs its public x, and Node 24 refuses one without).
    if (privateKey.length !== 32) throw new RangeError('an Ed25519 key is 32 bytes');
    const out = new Uint8Array(ED25519_PKCS8_PREFIX.length + 32);
    out.set(ED25519_PKCS8_PREFIX);
    out.set(privateKey, ED25519_PKCS8_PREFIX.length);
    return out;
  }
  const { openssl, jwk, size } = EC[alg];
  const ecdh = createECDH(openssl);
  ecdh.setPrivateKey(privateKey);
  const point = ecdh.getPublicKey();
  return der(createPrivateKey({
    key: { kty: 'EC', crv: jwk, d: toBase64url(privateKey), x: toBase64url(point.subarray(1, 1 + size)), y: toBase64url(point.subarray(1 + size)) },
    format: 'jwk',
  }));
}
