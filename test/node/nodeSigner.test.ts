// The node:crypto signer gives what the core's @noble signer gives: verifiable ES256 DER
// signatures, and byte-identical (deterministic) Ed25519 signatures.
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { nodeSign } from '../../src/node/nodeSigner.js';
import { sign as nobleSign } from '../../src/ctap/crypto.js';

describe('nodeSign', () => {
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
});
