// The portable Crypto, over @noble/*: pure JavaScript, so the key and the client run anywhere (a
// browser page too). The reference the faster implementations are tested against.
import { p256, p384 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { cbc, gcm } from '@noble/ciphers/aes.js';
import { CoseAlg } from './cose.js';
import {
  checkAesKey, checkAlg, checkBlocks, checkBytes, checkPrivateKey, isSupportedAlgorithm, isUncompressedPoint, seedLength, type Crypto, type KeyAgreementKey,
} from './crypto.js';
import type { CoseAlgorithm } from './cose.js';

/** seed mod (n - 1) + 1, big-endian, as FIPS 186-5 A.2.1 (extra random bits) and noble do it. */
function p256SecretKey(seed: Uint8Array): Uint8Array {
  return p256.utils.randomSecretKey(checkBytes(seed, 'seed', 48));
}

function keyAgreementKey(seed: Uint8Array): KeyAgreementKey {
  const privateKey = p256SecretKey(seed);
  return {
    publicKey: p256.getPublicKey(privateKey, false),
    agree(peer) {
      if (!isUncompressedPoint(checkBytes(peer, 'peerPoint'))) return undefined;
      try {
        return p256.getSharedSecret(privateKey, peer, true).slice(1);
      } catch {
        return undefined; // not on the curve
      }
    },
  };
}

/** Noble has no RSA: RS256 needs the Node binding's OpenSSL (NodeCrypto). */
function supported(alg: number): Exclude<CoseAlgorithm, typeof CoseAlg.RS256> {
  if (checkAlg(alg) === CoseAlg.RS256) throw new RangeError('RS256 needs OpenSSL (NodeCrypto): the portable crypto has no RSA');
  return alg as Exclude<CoseAlgorithm, typeof CoseAlg.RS256>;
}

export const nobleCrypto: Crypto = {
  sha256: (data) => sha256(checkBytes(data, 'data')),
  hmacSha256: (key, data) => hmac(sha256, checkBytes(key, 'key'), checkBytes(data, 'data')),
  hkdfSha256: (ikm, salt, info, length) =>
    hkdf(sha256, checkBytes(ikm, 'ikm'), checkBytes(salt, 'salt'), new TextEncoder().encode(info), length),
  aeadSeal: (key, nonce, plaintext, aad) =>
    gcm(checkBytes(key, 'key', 32), checkBytes(nonce, 'nonce', 12), checkBytes(aad, 'aad')).encrypt(checkBytes(plaintext, 'plaintext')),
  aeadOpen(key, nonce, sealed, aad) {
    const g = gcm(checkBytes(key, 'key', 32), checkBytes(nonce, 'nonce', 12), checkBytes(aad, 'aad'));
    try {
      return g.decrypt(checkBytes(sealed, 'sealed'));
    } catch {
      return undefined;
    }
  },
  cbcEncrypt: (key, iv, plaintext) =>
    cbc(checkAesKey(key), checkBytes(iv, 'iv', 16), { disablePadding: true }).encrypt(checkBlocks(plaintext, 'plaintext')),
  cbcDecrypt: (key, iv, ciphertext) =>
    cbc(checkAesKey(key), checkBytes(iv, 'iv', 16), { disablePadding: true }).decrypt(checkBlocks(ciphertext, 'ciphertext')),
  generatePrivateKey(alg, seed) {
    checkBytes(seed, 'seed', seedLength(supported(alg)));
    if (alg === CoseAlg.ES256) return p256SecretKey(seed);
    // The same reduction as P-256's, over 72 bytes: 24 extra bytes against bias (noble's minimum).
    if (alg === CoseAlg.ES384) return p384.utils.randomSecretKey(seed);
    return seed.slice(0, 32);
  },
  publicKeyOf(alg, privateKey) {
    checkPrivateKey(supported(alg), privateKey);
    if (alg === CoseAlg.ES256) return p256.getPublicKey(privateKey, false);
    if (alg === CoseAlg.ES384) return p384.getPublicKey(privateKey, false);
    return ed25519.getPublicKey(privateKey);
  },
  sign(alg, privateKey, message) {
    checkPrivateKey(supported(alg), privateKey);
    checkBytes(message, 'message');
    if (alg === CoseAlg.ES256) return p256.sign(message, privateKey, { format: 'der' });
    // noble's p384 hashes with SHA-384 (prehash by default), as ES384 requires.
    if (alg === CoseAlg.ES384) return p384.sign(message, privateKey, { format: 'der' });
    return ed25519.sign(message, privateKey);
  },
  supportsAlgorithm: (alg) => alg !== CoseAlg.RS256 && isSupportedAlgorithm(alg),
  keyAgreementKey,
};
