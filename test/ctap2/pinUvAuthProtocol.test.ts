import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '../../src/ctap/nobleCrypto.js';
import { keyAgreementCose, protocolOne, protocolTwo } from '../../src/ctap/pinUvAuthProtocol.js';
import { NodeCrypto } from '../../src/node/nodeCrypto.js';

// §6.5.7: kdf(Z) = HKDF-SHA-256(salt = 32 zeros, Z, "CTAP2 HMAC key", 32) || the same with "CTAP2 AES key".
// The expected bytes come from @noble/hashes' HKDF, not from our code.
function specKdf(z: Uint8Array): Uint8Array {
  const salt = new Uint8Array(32);
  const out = new Uint8Array(64);
  out.set(hkdf(sha256, z, salt, new TextEncoder().encode('CTAP2 HMAC key'), 32));
  out.set(hkdf(sha256, z, salt, new TextEncoder().encode('CTAP2 AES key'), 32), 32);
  return out;
}

describe('PIN/UV auth protocol kdf', () => {
  const inputs = [new Uint8Array(32), new Uint8Array(32).fill(0xff), Uint8Array.from({ length: 32 }, (_, i) => i * 7)];
  for (const [name, crypto] of [['noble', nobleCrypto], ['OpenSSL', new NodeCrypto()]] as const) {
    it(`protocol 2 is HKDF-SHA-256 with the two infos (${name})`, () => {
      for (const z of inputs) expect(protocolTwo(crypto).kdf(z)).toEqual(specKdf(z));
    });
    it(`protocol 1 is SHA-256(Z) (${name})`, () => {
      for (const z of inputs) expect(protocolOne(crypto).kdf(z)).toEqual(sha256(z));
    });
  }
});

describe('PIN/UV auth protocol encapsulate', () => {
  const seed = (b: number): Uint8Array => new Uint8Array(48).fill(b);
  for (const make of [protocolOne, protocolTwo]) {
    it(`protocol ${make(nobleCrypto).version}: the platform's secret is the key's, with either crypto on either side`, () => {
      for (const [platform, key] of [[nobleCrypto, new NodeCrypto()], [new NodeCrypto(), nobleCrypto], [new NodeCrypto(), new NodeCrypto()]] as const) {
        const own = key.keyAgreementKey(seed(3)); // the key's, made at power-up (Session)
        for (const b of [5, 6]) {
          const { publicKey, secret } = make(platform).encapsulate(seed(b), keyAgreementCose(own.publicKey));
          expect(publicKey).toEqual(nobleCrypto.keyAgreementKey(seed(b)).publicKey);
          expect(make(key).sharedSecret(own, keyAgreementCose(publicKey))).toEqual(secret);
        }
      }
    });
  }

  it('refuses a peer that is not on P-256 with INVALID_PARAMETER', () => {
    const peer = nobleCrypto.keyAgreementKey(seed(7)).publicKey.slice();
    peer[64]! ^= 1;
    for (const c of [nobleCrypto, new NodeCrypto()]) {
      expect(() => protocolTwo(c).encapsulate(seed(1), keyAgreementCose(peer))).toThrow(expect.objectContaining({ status: 0x02 }));
    }
  });
});
