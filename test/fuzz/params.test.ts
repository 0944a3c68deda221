// Property tests of the core against random parameter maps (made up, not mutated from valid ones:
// see ctap2.test.ts for those): whatever arrives, the answer is a status the spec names;
// CTAP1_ERR_OTHER (what the core answers when a handler throws something that is not a CtapError,
// i.e. a bug) never appears, and nothing hangs.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeCbor, type CborEncodable } from '../../src/ctap/cbor.js';
import { Status } from '../../src/ctap/status.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes } from '../../src/util/bytes.js';
import { gaParams, mcParams, TestKey } from '../helpers/core.js';
import { fuzz, timeout } from './settings.js';

const leaf: fc.Arbitrary<CborEncodable> = fc.oneof(
  fc.integer({ min: -300, max: 300 }),
  fc.string({ maxLength: 10 }),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 70 }),
  fc.constantFrom<CborEncodable>('public-key', 'example.com', -7, -8, 1, 2, 0x20),
);
const value: fc.Arbitrary<CborEncodable> = fc.letrec<{ v: CborEncodable }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('id', 'name', 'alg', 'type', 'rk', 'up', 'uv', 'credProtect', 'displayName'), tie('v'), { maxKeys: 4 }),
    fc.array(fc.tuple(fc.integer({ min: -3, max: 5 }), tie('v')), { maxLength: 4 }).map((e) => new Map(e)),
  ),
})).v;
const params = fc.array(fc.tuple(fc.integer({ min: 1, max: 11 }), value), { maxLength: 8 }).map((e) => new Map<number, CborEncodable>(e));
const KNOWN = new Set<number>(Object.values(Status));

describe('the core under malformed requests', () => {
  it('answers every command with a named status, never CTAP1_ERR_OTHER', async () => {
    await fuzz(
      'random parameter maps',
      fc.asyncProperty(fc.constantFrom(0x01, 0x02, 0x04, 0x06, 0x07, 0x08, 0x0a, 0x0b, 0x0c, 0x0d, 0x41), params, async (command, p) => {
        const key = new TestKey({ resetWindowMs: null });
        key.auth.onInternalError = (e) => {
          throw e;
        };
        const res = await key.raw(new Uint8Array([command, ...encodeCbor(p)]));
        expect(KNOWN.has(res[0]!), `status 0x${res[0]!.toString(16)}`).toBe(true);
        expect(res[0]).not.toBe(Status.CTAP1_ERR_OTHER);
      }),
      1000,
    );
  }, timeout(20_000));

  it('answers random bytes after a command byte with a named status', async () => {
    const key = new TestKey();
    await fuzz(
      'random request bytes on one key',
      fc.asyncProperty(fc.integer({ min: 0, max: 0x50 }), fc.uint8Array({ maxLength: 80 }), async (command, body) => {
        const res = await key.raw(new Uint8Array([command, ...body]));
        expect(res[0]).not.toBe(Status.CTAP1_ERR_OTHER);
      }),
      1000,
    );
  }, timeout(20_000));
});

describe('extension inputs, malformed', () => {
  // The extensions' own inputs: every makeCredential and getAssertion extension this key reads.
  const NAMES = ['credProtect', 'hmac-secret', 'hmac-secret-mc', 'minPinLength', 'thirdPartyPayment', 'credBlob', 'getCredBlob', 'largeBlobKey'] as const;
  const extensions = fc.array(fc.tuple(fc.constantFrom(...NAMES, 'unknownExt'), value), { minLength: 1, maxLength: 4 })
    .map((e) => new Map<string, CborEncodable>(e));

  it('makeCredential and getAssertion answer them with a named status, never CTAP1_ERR_OTHER', async () => {
    const key = new TestKey({ algorithms: [-7, -8, -35] });
    key.auth.onInternalError = (e) => {
      throw e;
    };
    // One credential of each algorithm, so getAssertion with an allowList has something to answer with.
    const ids: Uint8Array[] = [];
    for (const alg of [-7, -8, -35]) {
      const [, made] = await key.call(0x01, mcParams({ 4: [{ alg, type: 'public-key' }], 7: { rk: alg === -35 } }));
      const authData = made!.get(2) as Uint8Array;
      const len = (authData[53]! << 8) | authData[54]!;
      ids.push(authData.slice(55, 55 + len));
    }
    await fuzz(
      'malformed extension inputs',
      fc.asyncProperty(fc.boolean(), fc.nat(2), fc.constantFrom(-7, -8, -35), extensions, async (mc, which, alg, ext) => {
        const p = mc
          ? mcParams({ 4: [{ alg, type: 'public-key' }], 6: ext, 7: { rk: which === 0 } })
          : gaParams({ 3: which === 2 ? undefined : [{ id: ids[which]!, type: 'public-key' }], 4: ext });
        const res = await key.raw(new Uint8Array([mc ? 0x01 : 0x02, ...encodeCbor(p)]));
        expect(KNOWN.has(res[0]!), `status 0x${res[0]!.toString(16)}`).toBe(true);
        expect(res[0]).not.toBe(Status.CTAP1_ERR_OTHER);
      }),
      500,
    );
  }, timeout(20_000));
});

describe('authenticatorLargeBlobs under malformed and out-of-order fragments', () => {
  // Requests near the edges §6.10.2 checks: offsets and lengths around 0, 17, the array's size and
  // maxFragmentLength; fragments of a real array and of junk; members of the wrong type; other channels.
  const edge = fc.constantFrom(0, 1, 16, 17, 18, 40, 100, 4096, 4097, 7545, 7546, 2 ** 32, -1);
  const good = new Uint8Array([...encodeCbor([new Uint8Array(60).fill(5)])]);
  const goodArray = new Uint8Array([...good, ...sha256(good).subarray(0, 16)]);
  const member = fc.oneof(edge, fc.uint8Array({ maxLength: 40 }), fc.constant('x' as CborEncodable), fc.constant(goodArray.subarray(0, 40)), fc.constant(goodArray.subarray(40)));
  const request = fc.record({
    channel: fc.constantFrom(1, 1, 1, 2),
    members: fc.array(fc.tuple(fc.integer({ min: 1, max: 7 }), member), { maxLength: 6 }),
  });

  it('answers a named status, never CTAP1_ERR_OTHER, and the stored array always ends in its hash', async () => {
    await fuzz(
      'largeBlobs request sequences',
      fc.asyncProperty(fc.array(request, { maxLength: 8 }), async (requests) => {
        const key = new TestKey();
        key.auth.onInternalError = (e) => {
          throw e;
        };
        for (const r of requests) {
          key.channel = r.channel;
          const res = await key.raw(new Uint8Array([0x0c, ...encodeCbor(new Map(r.members))]));
          expect(KNOWN.has(res[0]!), `status 0x${res[0]!.toString(16)}`).toBe(true);
          expect(res[0]).not.toBe(Status.CTAP1_ERR_OTHER);
        }
        const [, read] = await key.call(0x0c, new Map([[1, 7545], [3, 0]]));
        const array = read!.get(1) as Uint8Array;
        expect(equalBytes(sha256(array.subarray(0, -16)).subarray(0, 16), array.subarray(-16))).toBe(true);
      }),
      500,
    );
  }, timeout(20_000));
});

describe('clientPIN with hostile key agreement keys', () => {
  it.each([
    ['the point at infinity (zeros)', new Uint8Array(32), new Uint8Array(32)],
    ['a point off the curve', new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)],
    ['coordinates past the field prime', new Uint8Array(32).fill(0xff), new Uint8Array(32).fill(0xff)],
  ])('refuses %s with INVALID_PARAMETER', async (_name, x, y) => {
    const key = new TestKey();
    const cose = new Map<number, CborEncodable>([[1, 2], [3, -25], [-1, 1], [-2, x], [-3, y]]);
    const [status] = await key.call(0x06, new Map<number, CborEncodable>([[1, 2], [2, 3], [3, cose], [4, new Uint8Array(32)], [5, new Uint8Array(80)]]));
    expect(status).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
  });
});
