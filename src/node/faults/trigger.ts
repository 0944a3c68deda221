// When a rule fires among the requests it matches: every time, only the Nth, the first N, or with a
// probability drawn from a PRNG seeded by the rule, so a run with the same requests replays exactly.
import { mulberry32 } from '../../util/prng.js';
import type { When } from './rule.js';

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
