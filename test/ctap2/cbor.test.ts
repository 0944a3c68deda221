// CTAP2 canonical encoding and strict decoding.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeCbor, encodeCbor, type CborValue } from '../../src/ctap/cbor.js';
import { CtapError, Status } from '../../src/ctap/status.js';
import { fromHex, toHex } from '../../src/util/bytes.js';

function statusOf(hex: string): number | undefined {
  try {
    decodeCbor(fromHex(hex));
    return undefined;
  } catch (e) {
    return (e as CtapError).status;
  }
}

describe('canonical encoding (CTAP 2.1 §8 "CTAP2 canonical CBOR encoding form")', () => {
  it('sorts keys by major type, then encoded length, then bytewise: unsigned before negative before text', () => {
    const m = new Map<string | number, CborValue>([
      ['plat', false],
      ['up', true],
      [-1, 1],
      ['rk', true],
      [24, 0],
      [1, 0],
    ]);
    // 1 (01), 24 (1818), -1 (20), "rk" (627266), "up" (627570), "plat" (64706c6174)
    expect(toHex(encodeCbor(m))).toBe('a6' + '0100' + '181800' + '2001' + '62726bf5' + '627570f5' + '64706c6174f4');
  });

  it('uses the shortest integer and length heads', () => {
    expect(toHex(encodeCbor(23))).toBe('17');
    expect(toHex(encodeCbor(24))).toBe('1818');
    expect(toHex(encodeCbor(256))).toBe('190100');
    expect(toHex(encodeCbor(65536))).toBe('1a00010000');
    expect(toHex(encodeCbor(2 ** 32))).toBe('1b0000000100000000');
    expect(toHex(encodeCbor(-7))).toBe('26');
    expect(toHex(encodeCbor(-257))).toBe('390100');
    expect(toHex(encodeCbor(new Uint8Array(24)))).toBe('5818' + '00'.repeat(24));
  });

  it('never tags byte strings and leaves out undefined members', () => {
    expect(toHex(encodeCbor({ a: new Uint8Array([1]), b: undefined }))).toBe('a1616141' + '01');
  });

  it('round-trips any value it can encode', () => {
    const leaf = fc.oneof(
      fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.uint8Array({ maxLength: 70 }),
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('v'), { maxKeys: 4 })),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encodeCbor(v as CborValue);
        expect(encodeCbor(decodeCbor(bytes))).toEqual(bytes);
      }),
    );
  });
});

describe('strict decoding', () => {
  it.each([
    ['truncated map', 'a1'],
    ['truncated byte string', '4401'],
    ['trailing bytes', '0102'],
    ['indefinite-length array', '9f01ff'],
    ['indefinite-length byte string', '5f4101ff'],
    ['a tag', 'c11a514b67b0'],
    ['invalid UTF-8 text', '62c328'],
    ['a duplicate map key', 'a201020103'],
    ['a map key that is a byte string', 'a1410101'],
    ['a reserved additional-information value', '1c'],
    ['an unassigned simple value', 'f0'],
    ['nesting deeper than any CTAP structure', '81'.repeat(12) + '01'],
    ['a length beyond the data', '5bffffffffffffffff00'],
  ])('rejects %s with CTAP2_ERR_INVALID_CBOR', (_name, hex) => {
    expect(statusOf(hex)).toBe(Status.CTAP2_ERR_INVALID_CBOR);
  });

  it('decodes maps as Maps and byte strings as plain Uint8Arrays', () => {
    const v = decodeCbor(fromHex('a2014102626964f5')) as Map<unknown, unknown>;
    expect(v).toBeInstanceOf(Map);
    expect(v.get(1)).toEqual(new Uint8Array([2]));
    expect(v.get('id')).toBe(true);
  });

  it('never throws anything but a CtapError on random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeCbor(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(CtapError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
