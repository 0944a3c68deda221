// The portable Crypto, over @noble/*: pure JavaScript, so the key and the client run anywhere (a
// browser page too). The reference the faster implementations are tested against.
import { p256 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { cbc, gcm } from '@noble/ciphers/aes.js';
import { CoseAlg } from './cose.js';
import { checkAlg, checkBlocks, checkBytes, isUncompressedPoint, type Crypto, type KeyAgreementKey } from './crypto.js';

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
    cbc(checkBytes(key, 'key', 32), checkBytes(iv, 'iv', 16), { disablePadding: true }).encrypt(checkBlocks(plaintext, 'plaintext')),
  cbcDecrypt: (key, iv, ciphertext) =>
    cbc(checkBytes(key, 'key', 32), checkBytes(iv, 'iv', 16), { disablePadding: true }).decrypt(checkBlocks(ciphertext, 'ciphertext')),
  generatePrivateKey: (alg, seed) => (checkAlg(alg) === CoseAlg.ES256 ? p256SecretKey(seed) : checkBytes(seed, 'seed', 48).slice(0, 32)),
  publicKeyOf(alg, privateKey) {
    checkBytes(privateKey, 'privateKey', 32);
    return checkAlg(alg) === CoseAlg.ES256 ? p256.getPublicKey(privateKey, false) : ed25519.getPublicKey(privateKey);
  },
  sign(alg, privateKey, message) {
    checkBytes(privateKey, 'privateKey', 32);
    checkBytes(message, 'message');
    return checkAlg(alg) === CoseAlg.ES256 ? p256.sign(message, privateKey, { format: 'der' }) : ed25519.sign(message, privateKey);
  },
  keyAgreementKey,
};
