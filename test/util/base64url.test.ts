// base64url both ways: Node's native codec where Buffer exists, and the portable code that runs
// without it (a browser, a worker without Node globals) give the same strings and bytes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';

type Codec = typeof import('../../src/util/bytes.js');

/** The module as loaded with Node's Buffer, without one, or with a polyfill that lacks base64url. */
async function codec(withBuffer: boolean | 'polyfill'): Promise<Codec> {
  vi.resetModules();
  if (withBuffer === false) vi.stubGlobal('Buffer', undefined);
  if (withBuffer === 'polyfill') vi.stubGlobal('Buffer', { isEncoding: (e: string) => e !== 'base64url', from: () => { throw new TypeError('Unknown encoding: base64url'); } });
  try {
    return await import('../../src/util/bytes.js');
  } finally {
    vi.unstubAllGlobals();
  }
}

afterEach(() => vi.unstubAllGlobals());

describe('base64url', () => {
  it('native and portable (no Buffer, or one without base64url) agree with RFC 4648 §5 on every length and byte', async () => {
    const native = await codec(true);
    const portable = await codec(false);
    const polyfilled = await codec('polyfill');
    for (let n = 0; n < 70; n++) {
      const b = new Uint8Array(randomBytes(n));
      const expected = Buffer.from(b).toString('base64url');
      expect(native.toBase64url(b)).toBe(expected);
      expect(portable.toBase64url(b)).toBe(expected);
      expect(polyfilled.toBase64url(b)).toBe(expected);
      for (const text of [expected, Buffer.from(b).toString('base64')]) {
        expect(native.fromBase64url(text)).toEqual(b);
        expect(portable.fromBase64url(text)).toEqual(b);
      }
    }
  });

  it('reads a view of a larger buffer, and hands back bytes of their own', async () => {
    const native = await codec(true);
    const big = new Uint8Array(randomBytes(64));
    expect(native.toBase64url(big.subarray(5, 17))).toBe(Buffer.from(big.subarray(5, 17)).toString('base64url'));
    const out = native.fromBase64url('AAEC');
    expect(out.buffer.byteLength).toBe(3); // not a view of Node's shared Buffer pool
  });

  it('refuses what is not base64url, natively as portably', async () => {
    for (const c of [await codec(true), await codec(false)]) {
      for (const bad of ['A', 'AB!C', 'AB C', 'ABCDE']) expect(() => c.fromBase64url(bad)).toThrow(TypeError);
    }
  });
});
