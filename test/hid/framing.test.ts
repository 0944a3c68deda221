// Splitting and reassembling CTAPHID messages, for any payload size (property test).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fragment, parsePacket, Reassembly } from '../../src/hid/framing.js';
import { MAX_MESSAGE } from '../../src/hid/constants.js';

describe('fragment and reassemble', () => {
  it('gives back the payload, in 64-byte reports with sequence 0..n', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_MESSAGE }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        fc.integer({ min: 1, max: 0xfffffffe }),
        fc.integer({ min: 0, max: 0x7f }),
        (payload, cid, cmd) => {
          const reports = fragment(cid, cmd, payload);
          expect(reports.every((r) => r.length === 64)).toBe(true);
          const first = parsePacket(reports[0]!)!;
          if (first.kind !== 'init') throw new Error('first packet must be an init packet');
          expect(first).toMatchObject({ cid, cmd, length: payload.length });
          const msg = new Reassembly(cid, cmd, first.length, first.data);
          reports.slice(1).forEach((r, i) => {
            const p = parsePacket(r)!;
            expect(p).toMatchObject({ kind: 'cont', cid, seq: i });
            expect(msg.add(i, p.data)).toBe(true);
          });
          expect(msg.complete).toBe(true);
          expect(msg.data).toEqual(payload);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('needs 129 reports for the largest message and refuses a larger one', () => {
    expect(fragment(1, 0x10, new Uint8Array(MAX_MESSAGE))).toHaveLength(129);
    expect(() => fragment(1, 0x10, new Uint8Array(MAX_MESSAGE + 1))).toThrow(RangeError);
  });
});
