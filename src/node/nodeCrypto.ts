// The Crypto of the Node binding, through node:crypto (OpenSSL): the same results as nobleCrypto,
// 20-30x faster for P-256 (key agreement, public keys, signatures), several times for AES-GCM.
// Where OpenSSL's per-call overhead loses on the protocols' tiny inputs, noble's code stays
// (measured per primitive with bench/crypto.ts): the seed arithmetic. AES-CBC measures alike in a
// tight loop, but in a ceremony, between other work, noble's key schedule in JS cost several times
// OpenSSL's AES-NI. SHA-256 goes through the one-shot hash(), which beats noble's even on an RP ID
// (no Hash object per call).
import {
  createCipheriv, createDecipheriv, createECDH, createHmac, hash, createPrivateKey, createPublicKey, generateKeyPairSync, sign,
  type Cipher, type Decipher, type ECDH, type KeyObject,
} from 'node:crypto';
import { CoseAlg, RSA_MODULUS_LENGTH, type CoseAlgorithm } from '../ctap/cose.js';
import { checkAesKey, checkAlg, checkBlocks, checkBytes, checkPrivateKey, isUncompressedPoint, seedLength, type Crypto, type KeyAgreementKey } from '../ctap/crypto.js';
import { nobleCrypto } from '../ctap/nobleCrypto.js';
import { KeyObjectCache } from './keyObjectCache.js';

export interface NodeCryptoOptions {
  /** How many credential keys stay imported as OpenSSL key objects (default 1024; 0: none). */
  keyCacheSize?: number;
}

const TAG_LENGTH = 16;
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A plain Uint8Array copy (not a view into Node's shared Buffer pool); the Buffer is wiped. */
function take(b: Buffer): Uint8Array {
  const out = new Uint8Array(b);
  b.fill(0);
  return out;
}

const b64u = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64url');

/** The two curves' names in OpenSSL and JWK, and their coordinate length. */
const CURVES = {
  [CoseAlg.ES256]: { openssl: 'prime256v1', jwk: 'P-256', size: 32 },
  [CoseAlg.ES384]: { openssl: 'secp384r1', jwk: 'P-384', size: 48 },
} as const;
type EcAlg = keyof typeof CURVES;

/** The scalar 1 in `size` bytes: loaded over a private key to take it out of OpenSSL's memory. */
function scalarOne(size: number): Uint8Array {
  const one = new Uint8Array(size);
  one[size - 1] = 1;
  return one;
}

/**
 * Public points of private keys, one ECDH object per curve kept for it (making one per key cost as
 * much as the point). scrub() overwrites the last private key set with the scalar 1, so a deleted
 * credential's key stays nowhere (OpenSSL wipes the key it replaces), without making the object
 * again: a registration that replaces a passkey deletes one every time, and a new ECDH object cost
 * more than loading the scalar (17 µs against 12 here; both compute a point).
 */
class EcPoints {
  private readonly ecdh = new Map<EcAlg, ECDH>();
  /** Curves whose object holds a credential's key. */
  private readonly loaded = new Set<EcAlg>();

  of(alg: EcAlg, privateKey: Uint8Array): Uint8Array {
    let ecdh = this.ecdh.get(alg);
    if (!ecdh) this.ecdh.set(alg, (ecdh = createECDH(CURVES[alg].openssl)));
    ecdh.setPrivateKey(privateKey);
    this.loaded.add(alg);
    return take(ecdh.getPublicKey());
  }

  scrub(): void {
    for (const alg of this.loaded) this.ecdh.get(alg)!.setPrivateKey(scalarOne(CURVES[alg].size));
    this.loaded.clear();
  }
}

// JWK with the public point given: OpenSSL then skips deriving it, and its PKCS#8 decoders (about 7x slower).
function ecKeyObject(alg: EcAlg, privateKey: Uint8Array, p: Uint8Array): KeyObject {
  const { jwk, size } = CURVES[alg];
  return createPrivateKey({
    key: { kty: 'EC', crv: jwk, d: b64u(privateKey), x: b64u(p.subarray(1, 1 + size)), y: b64u(p.subarray(1 + size)) },
    format: 'jwk',
  });
}

function rsaKeyObject(privateKey: Uint8Array): KeyObject {
  let key: KeyObject | undefined;
  try {
    key = createPrivateKey({ key: Buffer.from(privateKey.buffer, privateKey.byteOffset, privateKey.length), format: 'der', type: 'pkcs8' });
  } catch {
    key = undefined;
  }
  // The same error type as the other implementations' for a key of the wrong form.
  if (key?.asymmetricKeyType !== 'rsa' || key.asymmetricKeyDetails?.modulusLength !== 2048) throw new RangeError('privateKey must be an RSA-2048 key in PKCS#8 DER');
  return key;
}

/** An RSA-2048 key (exponent 65537) from OpenSSL's generator, as PKCS#8 DER. */
function rsaPrivateKey(): Uint8Array {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicExponent: 65537,
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  return take(privateKey);
}

function ed25519KeyObject(privateKey: Uint8Array): KeyObject {
  // Node imports a private OKP JWK from d alone (x must be a string; OpenSSL derives the public key
  // from d), 10x faster than PKCS#8. PKCS#8 if a Node version ever refuses the empty x.
  try {
    return createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64u(privateKey), x: '' }, format: 'jwk' });
  } catch {
    const der = Buffer.concat([ED25519_PKCS8_PREFIX, privateKey]);
    try {
      return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    } finally {
      der.fill(0);
    }
  }
}

function keyObject(alg: CoseAlgorithm, privateKey: Uint8Array, points: EcPoints): KeyObject {
  if (alg === CoseAlg.ES256 || alg === CoseAlg.ES384) return ecKeyObject(alg, privateKey, points.of(alg, privateKey));
  return alg === CoseAlg.RS256 ? rsaKeyObject(privateKey) : ed25519KeyObject(privateKey);
}

/** The digest each algorithm signs with (EdDSA hashes inside). */
const DIGEST = { [CoseAlg.ES256]: 'sha256', [CoseAlg.ES384]: 'sha384', [CoseAlg.RS256]: 'sha256', [CoseAlg.EdDSA]: null } as const;

const cbcName = (key: Uint8Array): string => (checkAesKey(key).length === 32 ? 'aes-256-cbc' : 'aes-128-cbc');

/** Whole blocks through a CBC cipher without padding. */
function cbc(c: Cipher | Decipher, data: Uint8Array): Uint8Array {
  c.setAutoPadding(false);
  const head = c.update(data);
  const tail = c.final(); // empty without padding
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  head.fill(0); // a PIN or a token: only the copy handed out remains
  return out;
}

function keyAgreementKey(seed: Uint8Array): KeyAgreementKey {
  const privateKey = nobleCrypto.generatePrivateKey(CoseAlg.ES256, seed);
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(privateKey);
  privateKey.fill(0); // from here on only OpenSSL's copy, freed with `ecdh`
  return {
    publicKey: take(ecdh.getPublicKey()),
    agree(peer) {
      if (!isUncompressedPoint(checkBytes(peer, 'peerPoint'))) return undefined;
      try {
        return take(ecdh.computeSecret(peer));
      } catch {
        return undefined; // not on the curve
      }
    },
  };
}

export class NodeCrypto implements Crypto {
  private readonly keys: KeyObjectCache;
  private readonly points = new EcPoints();

  constructor(options: NodeCryptoOptions = {}) {
    this.keys = new KeyObjectCache(options.keyCacheSize ?? 1024);
  }

  sha256(data: Uint8Array): Uint8Array {
    return take(hash('sha256', checkBytes(data, 'data'), 'buffer'));
  }

  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
    return take(createHmac('sha256', checkBytes(key, 'key')).update(checkBytes(data, 'data')).digest());
  }

  /**
   * RFC 5869 over OpenSSL's HMAC: two HMAC objects for the protocols' 32 bytes cost less than noble's
   * HKDF (and than hkdfSync's job), four times per PIN/UV token. Lengths it does not take go to noble, to fail alike.
   */
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: string, length: number): Uint8Array {
    checkBytes(ikm, 'ikm');
    checkBytes(salt, 'salt');
    if (!Number.isSafeInteger(length) || length <= 0 || length > 255 * 32) return nobleCrypto.hkdfSha256(ikm, salt, info, length);
    const prk = createHmac('sha256', salt).update(ikm).digest();
    const out = new Uint8Array(length);
    const infoBytes = Buffer.from(info, 'utf8');
    let t: Buffer = Buffer.alloc(0);
    for (let i = 1, off = 0; off < length; i++, off += 32) {
      const next = createHmac('sha256', prk).update(t).update(infoBytes).update(new Uint8Array([i])).digest();
      t.fill(0);
      t = next;
      out.set(t.subarray(0, Math.min(32, length - off)), off);
    }
    t.fill(0);
    prk.fill(0);
    return out;
  }

  // Inputs checked before a cipher holds the key (none is left waiting for the collector on a refusal).
  cbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const name = cbcName(key);
    checkBytes(iv, 'iv', 16);
    checkBlocks(plaintext, 'plaintext');
    return cbc(createCipheriv(name, key, iv), plaintext);
  }

  cbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    const name = cbcName(key);
    checkBytes(iv, 'iv', 16);
    checkBlocks(ciphertext, 'ciphertext');
    return cbc(createDecipheriv(name, key, iv), ciphertext);
  }

  /** The curves' keys as noble derives them (the same bytes for the same seed); RSA from OpenSSL. */
  generatePrivateKey(alg: CoseAlgorithm, seed: Uint8Array): Uint8Array {
    if (checkAlg(alg) !== CoseAlg.RS256) return nobleCrypto.generatePrivateKey(alg, seed);
    checkBytes(seed, 'seed', seedLength(alg));
    return rsaPrivateKey();
  }

  readonly supportsAlgorithm = (alg: CoseAlgorithm): boolean => {
    try {
      return checkAlg(alg) === alg;
    } catch {
      return false;
    }
  };

  aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    const c = createCipheriv('aes-256-gcm', checkBytes(key, 'key', 32), checkBytes(nonce, 'nonce', 12), { authTagLength: TAG_LENGTH });
    c.setAAD(checkBytes(aad, 'aad'));
    return take(Buffer.concat([c.update(checkBytes(plaintext, 'plaintext')), c.final(), c.getAuthTag()]));
  }

  aeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined {
    const d = createDecipheriv('aes-256-gcm', checkBytes(key, 'key', 32), checkBytes(nonce, 'nonce', 12), { authTagLength: TAG_LENGTH });
    d.setAAD(checkBytes(aad, 'aad'));
    if (checkBytes(sealed, 'sealed').length < TAG_LENGTH) return undefined;
    d.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
    const plain = d.update(sealed.subarray(0, sealed.length - TAG_LENGTH));
    try {
      d.final();
    } catch {
      plain.fill(0); // released only once the tag verifies
      return undefined;
    }
    return take(plain);
  }

  /**
   * The public key. A curve point comes from the kept ECDH object; the key object a signature needs
   * is imported at the first signature (most new credentials sign nothing at registration: batch
   * or no attestation). EdDSA and RS256 keys are imported here, the public key read from the import.
   */
  publicKeyOf(alg: CoseAlgorithm, privateKey: Uint8Array): Uint8Array {
    checkPrivateKey(checkAlg(alg), privateKey);
    if (alg === CoseAlg.ES256 || alg === CoseAlg.ES384) return this.points.of(alg, privateKey);
    const key = this.keys.get(alg, privateKey, () => keyObject(alg, privateKey, this.points));
    if (alg === CoseAlg.RS256) {
      const jwk = createPublicKey(key).export({ format: 'jwk' });
      const n = Buffer.from(jwk.n!, 'base64url');
      if (n.length !== RSA_MODULUS_LENGTH) throw new RangeError('RS256 keys are RSA-2048');
      return new Uint8Array(Buffer.concat([n, Buffer.from(jwk.e!, 'base64url')]));
    }
    // The private JWK carries x: no public key object to make (which costs as much as the import).
    return new Uint8Array(Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url'));
  }

  // Arrow functions: these use the instance, and stay right when passed around detached.
  readonly sign = (alg: CoseAlgorithm, privateKey: Uint8Array, message: Uint8Array): Uint8Array => {
    checkPrivateKey(checkAlg(alg), privateKey);
    checkBytes(message, 'message');
    const key = this.keys.get(alg, privateKey, () => keyObject(alg, privateKey, this.points));
    return take(sign(DIGEST[alg], message, key));
  };

  readonly keyAgreementKey = keyAgreementKey;

  /**
   * One ECDH object for every one-time agreement: making one costs OpenSSL as much as a key pair.
   * It holds the last one-time key until the next agreement or forget(), which loads the scalar 1
   * over it (doing so after every agreement would cost it a second point); nothing reads it.
   */
  private once: ECDH | undefined;

  // An arrow function, as sign's: it uses the instance, and stays right when passed around detached.
  readonly agreeOnce = (seed: Uint8Array, peerPoint: Uint8Array): { publicKey: Uint8Array; z: Uint8Array | undefined } => {
    const privateKey = nobleCrypto.generatePrivateKey(CoseAlg.ES256, seed);
    const ecdh = (this.once ??= createECDH('prime256v1'));
    ecdh.setPrivateKey(privateKey);
    privateKey.fill(0);
    const publicKey = take(ecdh.getPublicKey());
    if (!isUncompressedPoint(checkBytes(peerPoint, 'peerPoint'))) return { publicKey, z: undefined };
    try {
      return { publicKey, z: take(ecdh.computeSecret(peerPoint)) };
    } catch {
      return { publicKey, z: undefined }; // not on the curve
    }
  };

  /** Drops one credential's imported key (after its deletion), or every one (after a reset). */
  readonly forget = (key?: { alg: number; privateKey: Uint8Array }): void => {
    if (key) this.keys.delete(key.alg, key.privateKey);
    else this.keys.clear();
    this.points.scrub();
    this.once?.setPrivateKey(scalarOne(32)); // over the last one-time key, as scrub() does
  };

  /** How many keys are imported now (for tests). */
  get cachedKeys(): number {
    return this.keys.size;
  }
}
