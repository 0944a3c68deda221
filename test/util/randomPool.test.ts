// Random bytes come from a block drawn from the CSPRNG: each draw is fresh, the right length,
// and what was handed out is wiped from the block.
import { describe, expect, it } from 'vitest';
import { RandomPool } from '../../src/util/randomPool.js';

describe('RandomPool', () => {
  it('hands out distinct bytes of the length asked, across block refills and large draws', () => {
    const pool = new RandomPool();
    const seen = new Set<string>();
    for (const n of [32, 48, 12, 16, 300, 4096, 0]) {
      for (let i = 0; i < 200; i++) {
        const b = pool.take(n);
        expect(b).toBeInstanceOf(Uint8Array);
        expect(b.length).toBe(n);
        if (n >= 12) {
          const hex = Buffer.from(b).toString('hex');
          expect(seen.has(hex)).toBe(false);
          seen.add(hex);
        }
      }
    }
    expect(() => pool.take(-1)).toThrow(RangeError);
  });

  it('keeps no copy of what it handed out', () => {
    const pool = new RandomPool();
    const out = pool.take(64);
    const block = (pool as unknown as { block: Uint8Array }).block;
    expect(block.subarray(0, 64).every((x) => x === 0)).toBe(true);
    expect(out.some((x) => x !== 0)).toBe(true);
  });
});
