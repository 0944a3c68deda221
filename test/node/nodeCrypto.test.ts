// NodeCrypto (OpenSSL) against nobleCrypto (the portable reference), primitive by primitive: the
// same bytes where the output is determined, signatures that verify with the other, keys that
// agree across, inputs rejected alike; then both ends of a ceremony with either on either side.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { p256, p384 } from '@noble/curves/nist.js';
import { createPublicKey, verify } from 'node:crypto';
import { nobleCrypto } from '../../src/ctap/nobleCrypto.js';
import type { Crypto } from '../../src/ctap/crypto.js';
import { seedLength } from '../../src/ctap/crypto.js';
import { NodeCrypto } from '../../src/node/nodeCrypto.js';
import { KeyObjectCache } from '../../src/node/keyObjectCache.js';
import { toHex } from '../../src/util/bytes.js';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { encodeCbor, type CborEncodable } from '../../src/ctap/cbor.js';
import { gaParams, mcParams } from '../helpers/core.js';

const node = new NodeCrypto();
const noble = nobleCrypto;
const ES256 = -7;
const EdDSA = -8;
const ES384 = -35;
const RS256 = -257;
const bytes = (min = 0, max = 200) => fc.uint8Array({ minLength: min, maxLength: max });
const exact = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const blocks = fc.integer({ min: 1, max: 5 }).chain((n) => exact(16 * n));
const runs = { numRuns: 40 };

describe('NodeCrypto gives what nobleCrypto gives', () => {
  it('hashes, MACs and HKDF', () => {
    fc.assert(fc.property(bytes(), bytes(0, 80), fc.string(), fc.integer({ min: 1, max: 96 }), (data, key, info, length) => {
      expect(node.sha256(data)).toEqual(noble.sha256(data));
      expect(node.hmacSha256(key, data)).toEqual(noble.hmacSha256(key, data));
      expect(node.hkdfSha256(data, key, info, length)).toEqual(noble.hkdfSha256(data, key, info, length));
    }), runs);
  });

  it('AES-256-GCM: the same sealed bytes, each opens the other, and neither opens altered ones', () => {
    fc.assert(fc.property(exact(32), exact(12), bytes(), bytes(0, 40), fc.nat(), (key, nonce, plain, aad, flip) => {
      const sealed = node.aeadSeal(key, nonce, plain, aad);
      expect(sealed).toEqual(noble.aeadSeal(key, nonce, plain, aad));
      expect(noble.aeadOpen(key, nonce, sealed, aad)).toEqual(plain);
      expect(node.aeadOpen(key, nonce, sealed, aad)).toEqual(plain);
      const altered = sealed.slice();
      altered[flip % altered.length]! ^= 1;
      for (const c of [node, noble]) {
        expect(c.aeadOpen(key, nonce, altered, aad)).toBeUndefined();
        expect(c.aeadOpen(key, nonce, sealed, new Uint8Array([...aad, 0]))).toBeUndefined();
        expect(c.aeadOpen(key, nonce, sealed.subarray(0, 15), aad)).toBeUndefined();
      }
    }), runs);
  });

  it('AES-256-CBC and AES-128-CBC (getInfo\'s encIdentifier) without padding, both ways across', () => {
    fc.assert(fc.property(fc.oneof(exact(32), exact(16)), exact(16), blocks, (key, iv, plain) => {
      const ct = node.cbcEncrypt(key, iv, plain);
      expect(ct).toEqual(noble.cbcEncrypt(key, iv, plain));
      expect(node.cbcDecrypt(key, iv, noble.cbcEncrypt(key, iv, plain))).toEqual(plain);
      expect(noble.cbcDecrypt(key, iv, ct)).toEqual(plain);
    }), runs);
  });

  it('keys from a seed, and their public keys', () => {
    fc.assert(fc.property(exact(48), (seed) => {
      for (const alg of [ES256, EdDSA] as const) {
        const sk = node.generatePrivateKey(alg, seed);
        expect(sk).toEqual(noble.generatePrivateKey(alg, seed));
        expect(node.publicKeyOf(alg, sk)).toEqual(noble.publicKeyOf(alg, sk));
      }
      expect(node.keyAgreementKey(seed).publicKey).toEqual(noble.keyAgreementKey(seed).publicKey);
    }), runs);
  });

  it('ES256 signatures of each verify with the other; Ed25519 signatures are the same bytes', () => {
    fc.assert(fc.property(exact(48), bytes(0, 300), (seed, msg) => {
      const sk = noble.generatePrivateKey(ES256, seed);
      const pub = noble.publicKeyOf(ES256, sk);
      const spki = createPublicKey({ key: Buffer.concat([Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'), pub]), format: 'der', type: 'spki' });
      const byNode = node.sign(ES256, sk, msg);
      expect(byNode[0]).toBe(0x30); // DER SEQUENCE
      expect(p256.verify(byNode, msg, pub, { format: 'der', lowS: false })).toBe(true);
      expect(verify('sha256', msg, spki, noble.sign(ES256, sk, msg))).toBe(true);
      const ed = noble.generatePrivateKey(EdDSA, seed);
      expect(node.sign(EdDSA, ed, msg)).toEqual(noble.sign(EdDSA, ed, msg));
    }), runs);
  });

  it('ES384: the same key and point from a 72-byte seed; signatures (DER, SHA-384) of each verify with the other', () => {
    fc.assert(fc.property(exact(72), bytes(0, 300), (seed, msg) => {
      const sk = node.generatePrivateKey(ES384, seed);
      expect(sk).toEqual(noble.generatePrivateKey(ES384, seed));
      expect(sk.length).toBe(48);
      const pub = node.publicKeyOf(ES384, sk);
      expect(pub).toEqual(noble.publicKeyOf(ES384, sk));
      expect(pub.length).toBe(97);
      const spki = createPublicKey({ key: Buffer.concat([Buffer.from('3076301006072a8648ce3d020106052b81040022036200', 'hex'), pub]), format: 'der', type: 'spki' });
      const byNode = node.sign(ES384, sk, msg);
      expect(byNode[0]).toBe(0x30);
      expect(p384.verify(byNode, msg, pub, { format: 'der', lowS: false })).toBe(true);
      expect(verify('sha384', msg, spki, noble.sign(ES384, sk, msg))).toBe(true);
    }), { numRuns: 20 });
  });

  it('ES256 keys from a seed are what they were before ES384 came (the first 48 bytes, the same reduction)', () => {
    // Known answer: what commit 79265bf (before ES384) derived from the seed 0x01 x 48.
    const sk = noble.generatePrivateKey(ES256, new Uint8Array(48).fill(1));
    expect(toHex(sk)).toBe('00435c61b45051b886ec1ab16936000aa50ca81bfe996ad41c0c29192c288bb2');
    expect(() => noble.generatePrivateKey(ES256, new Uint8Array(72))).toThrow(RangeError);
  });

  it('RS256 (OpenSSL only): an RSA-2048 key, its modulus and exponent, PKCS#1 v1.5 SHA-256 signatures', () => {
    const sk = node.generatePrivateKey(RS256, new Uint8Array(0));
    const pub = node.publicKeyOf(RS256, sk);
    expect(pub.length).toBe(256 + 3);
    expect(toHex(pub.subarray(256))).toBe('010001');
    const msg = new Uint8Array([1, 2, 3]);
    const sig = node.sign(RS256, sk, msg);
    expect(sig.length).toBe(256);
    const spki = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(pub.subarray(0, 256)).toString('base64url'), e: 'AQAB' }, format: 'jwk' });
    expect(verify('sha256', msg, spki, sig)).toBe(true);
    expect(node.supportsAlgorithm(RS256)).toBe(true);
    expect(noble.supportsAlgorithm!(RS256)).toBe(false);
    expect(() => noble.generatePrivateKey(RS256, new Uint8Array(0))).toThrow(/OpenSSL/);
  });

  it('key agreement keys agree across implementations, on the same Z as noble computes', () => {
    fc.assert(fc.property(exact(48), exact(48), (s1, s2) => {
      const a = noble.keyAgreementKey(s1);
      const b = node.keyAgreementKey(s2);
      const z = a.agree(b.publicKey)!;
      expect(z.length).toBe(32);
      expect(b.agree(a.publicKey)).toEqual(z);
      expect(node.keyAgreementKey(s1).agree(b.publicKey)).toEqual(z);
      expect(z).toEqual(p256.getSharedSecret(noble.generatePrivateKey(ES256, s2), a.publicKey, true).slice(1));
    }), { numRuns: 20 });
  });

  it('a one-time agreement (agreeOnce, one ECDH object reused) gives the key pair and Z of keyAgreementKey', () => {
    fc.assert(fc.property(exact(48), exact(48), exact(48), (s1, s2, s3) => {
      const peer = noble.keyAgreementKey(s1);
      for (const seed of [s2, s3]) {
        const once = node.agreeOnce(seed, peer.publicKey);
        expect(once.publicKey).toEqual(noble.keyAgreementKey(seed).publicKey);
        expect(once.z).toEqual(peer.agree(once.publicKey));
      }
    }), { numRuns: 20 });
  });
});

describe('NodeCrypto and nobleCrypto reject bad inputs alike', () => {
  const k32 = new Uint8Array(32).fill(1);
  const seed = new Uint8Array(48).fill(2);
  const cases: [string, (c: Crypto) => unknown][] = [
    ['sha256 of a string', (c) => c.sha256('abc' as never)],
    ['hmac with a string key', (c) => c.hmacSha256('k' as never, k32)],
    ['GCM key of 31 bytes', (c) => c.aeadSeal(k32.subarray(1), new Uint8Array(12), k32, k32)],
    ['GCM nonce of 16 bytes', (c) => c.aeadOpen(k32, new Uint8Array(16), k32, k32)],
    ['CBC plaintext of 15 bytes', (c) => c.cbcEncrypt(k32, new Uint8Array(16), new Uint8Array(15))],
    ['CBC ciphertext of 0 bytes', (c) => c.cbcDecrypt(k32, new Uint8Array(16), new Uint8Array(0))],
    ['CBC IV of 12 bytes', (c) => c.cbcDecrypt(k32, new Uint8Array(12), new Uint8Array(16))],
    ['seed of 32 bytes', (c) => c.generatePrivateKey(ES256, k32)],
    ['key agreement seed of 47 bytes', (c) => c.keyAgreementKey(seed.subarray(1))],
    ['private key of 31 bytes', (c) => c.publicKeyOf(ES256, k32.subarray(1))],
    ['an ES512 signature (no such algorithm here)', (c) => c.sign(-36 as never, k32, k32)],
    ['an RS256 signature with a key that is no RSA key', (c) => c.sign(-257 as never, k32, k32)],
    ['an ES384 key of 32 bytes', (c) => c.publicKeyOf(-35 as never, k32)],
    ['a message that is no Uint8Array', (c) => c.sign(EdDSA, k32, [1, 2] as never)],
    ['a peer point that is no Uint8Array', (c) => c.keyAgreementKey(seed).agree('04' as never)],
  ];
  for (const [what, call] of cases) {
    it(`throws the same error type: ${what}`, () => {
      const errorOf = (c: Crypto): unknown => {
        try {
          call(c);
        } catch (e) {
          return (e as Error).constructor;
        }
        return undefined;
      };
      const e = errorOf(noble);
      expect([TypeError, RangeError]).toContain(e);
      expect(errorOf(node)).toBe(e);
    });
  }

  it('refuses peer points off the curve, compressed, or of the wrong length: undefined', () => {
    const own = seed;
    const good = noble.keyAgreementKey(new Uint8Array(48).fill(9)).publicKey;
    const offCurve = good.slice();
    offCurve[64]! ^= 1;
    const compressed = p256.getPublicKey(noble.generatePrivateKey(ES256, own), true);
    for (const peer of [offCurve, compressed, good.subarray(0, 64), new Uint8Array(65), new Uint8Array([4, ...new Uint8Array(64).fill(0xff)])]) {
      expect(noble.keyAgreementKey(own).agree(peer)).toBeUndefined();
      expect(node.keyAgreementKey(own).agree(peer)).toBeUndefined();
      expect(node.agreeOnce(own, peer)).toEqual({ publicKey: noble.keyAgreementKey(own).publicKey, z: undefined });
    }
    expect(() => node.agreeOnce(own, '04' as never)).toThrow(TypeError);
  });
});

describe('the key object cache', () => {
  it('keeps at most its capacity, for its own instance only, and forgets all on request', () => {
    const a = new NodeCrypto({ keyCacheSize: 4 });
    const b = new NodeCrypto({ keyCacheSize: 4 });
    for (let i = 1; i <= 10; i++) a.sign(EdDSA, new Uint8Array(32).fill(i), new Uint8Array([1]));
    a.sign(ES256, noble.generatePrivateKey(ES256, new Uint8Array(48).fill(1)), new Uint8Array([1]));
    expect(a.cachedKeys).toBe(4);
    expect(b.cachedKeys).toBe(0);
    a.forget();
    expect(a.cachedKeys).toBe(0);
    expect(new NodeCrypto({ keyCacheSize: 0 }).sign(EdDSA, new Uint8Array(32), new Uint8Array(0)).length).toBe(64);
    expect(() => new NodeCrypto({ keyCacheSize: -1 })).toThrow(RangeError);
  });

  it('forgets one key on request (a deleted or replaced credential), keeping the others', () => {
    const c = new NodeCrypto({ keyCacheSize: 8 });
    const keys = [1, 2, 3].map((i) => new Uint8Array(32).fill(i));
    for (const k of keys) c.sign(EdDSA, k, new Uint8Array([1]));
    c.forget({ alg: ES256, privateKey: keys[0]! }); // same bytes, another algorithm: not that entry
    expect(c.cachedKeys).toBe(3);
    c.forget({ alg: EdDSA, privateKey: keys[0]! });
    expect(c.cachedKeys).toBe(2);
    c.forget({ alg: EdDSA, privateKey: keys[0]! });
    expect(c.cachedKeys).toBe(2);
  });

  it('public points stay right across forget(), which overwrites the last key loaded for them (P-256, P-384)', () => {
    const c = new NodeCrypto();
    for (const alg of [ES256, ES384] as const) {
      for (let i = 1; i <= 3; i++) {
        const k = noble.generatePrivateKey(alg, new Uint8Array(seedLength(alg)).fill(i));
        expect(c.publicKeyOf(alg, k)).toEqual(noble.publicKeyOf(alg, k));
        c.forget(i === 2 ? undefined : { alg, privateKey: k });
        expect(c.sign(alg, k, new Uint8Array([i])).length).toBeGreaterThan(0);
      }
    }
  });

  it('a registration imports no credential key; a replacing one drops the replaced key only', async () => {
    const crypto = new NodeCrypto();
    const key = new VirtualAuthenticator({ store: 'memory', crypto });
    const run = async (command: number, params?: Map<number, CborEncodable>): Promise<void> => {
      const req = new Uint8Array([command, ...(params ? encodeCbor(params) : [])]);
      const res = await key.authenticator.handle(req, { channel: 1, signal: new AbortController().signal, keepalive: () => undefined });
      expect(res[0]).toBe(0);
    };
    const makeCredential = (user: number) => run(0x01, mcParams({ 3: { id: new Uint8Array([user]), name: `u${user}` }, 7: { rk: true } }));
    try {
      await makeCredential(1);
      await makeCredential(2);
      expect(crypto.cachedKeys).toBe(1); // the batch attestation key, which signed both
      await run(0x02, gaParams()); // user 2's key signs, then user 1's
      await run(0x08);
      expect(crypto.cachedKeys).toBe(3);
      await makeCredential(1);
      expect(crypto.cachedKeys).toBe(2); // user 1's old key went; the attestation key and user 2's stay
      expect(key.getCredentials().length).toBe(2);
    } finally {
      key.close();
    }
  });

  it('finds entries by a keyed hash, not by the key, and under a new secret after clear()', () => {
    const cache = new KeyObjectCache(8);
    const sk = new Uint8Array(32).fill(0xa7);
    const make = () => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43) }, format: 'jwk' });
    const first = cache.get(EdDSA, sk, make);
    expect(cache.get(EdDSA, sk, () => { throw new Error('not cached'); })).toBe(first);
    const indexes = () => [...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()];
    const [index] = indexes();
    for (const text of [toHex(sk), Buffer.from(sk).toString('base64'), Buffer.from(sk).toString('base64url')]) expect(index).not.toContain(text);
    cache.clear();
    cache.get(EdDSA, sk, make);
    expect(indexes()).not.toContain(index);
  });
});
