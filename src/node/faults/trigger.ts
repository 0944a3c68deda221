// When a rule fires among the requests it matches: every time, only the Nth, the first N, or with a
// probability drawn from a PRNG seeded by the rule, so a run with the same requests replays exactly.
import type { When } from './rule.js';

/** mulberry32: a small 32-bit PRNG; the same seed gives the same sequence everywhere. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Trigger {
  /** Matching requests seen, and how many of them the fault was applied to. */
  seen = 0;
  fired = 0;
  private readonly random: (() => number) | undefined;

  constructor(private readonly when: When) {
    this.random = typeof when === 'object' && 'probability' in when ? mulberry32(when.seed) : undefined;
  }

  /** One more matching request: does the fault apply to it? */
  next(): boolean {
    const n = ++this.seen;
    const w = this.when;
    const fire = w === 'always' ? true
      : 'nth' in w ? n === w.nth
      : 'first' in w ? n <= w.first
      : this.random!() < w.probability;
    if (fire) this.fired++;
    return fire;
  }
}
