// The node:crypto signer gives what the core's @noble signer gives: verifiable ES256 DER
// signatures, and byte-identical (deterministic) Ed25519 signatures.
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { NodeSigner } from '../../src/node/nodeSigner.js';
import { nobleCrypto } from '../../src/ctap/nobleCrypto.js';

const nobleSign = nobleCrypto.sign;

const nodeSign = new NodeSigner().sign;

describe('NodeSigner', () => {
  it('makes ES256 signatures that verify with the public key (noble)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (msg) => {
      const sk = p256.utils.randomSecretKey();
      const sig = nodeSign(-7, sk, msg);
      expect(sig[0]).toBe(0x30); // DER SEQUENCE
      expect(p256.verify(sig, msg, p256.getPublicKey(sk), { format: 'der', lowS: false })).toBe(true);
    }), { numRuns: 50 });
  });

  it('makes the same Ed25519 signatures as noble', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), (seed, msg) => {
      const sig = nodeSign(-8, seed, msg);
      expect(sig).toEqual(nobleSign(-8, seed, msg));
      expect(ed25519.verify(sig, msg, ed25519.getPublicKey(seed))).toBe(true);
    }), { numRuns: 50 });
  });

  it('keeps at most its capacity of keys, for its own key only, and forgets them all on request', () => {
    const a = new NodeSigner(4);
    const b = new NodeSigner(4);
    for (let i = 1; i <= 10; i++) a.sign(-8, new Uint8Array(32).fill(i), new Uint8Array([1]));
    expect(a.size).toBe(4);
    expect(b.size).toBe(0);
    a.forget();
    expect(a.size).toBe(0);
  });
});
