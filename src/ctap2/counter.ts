// The signature counter shared by non-discoverable credentials (they have no row of their own).
// As for stored credentials (keystore/reservedCounters.ts), the store holds a reservation ahead of
// the counter and is written once per RESERVATION uses: after a crash the counter skips, never repeats.
import { countAfter, MAX_COUNT, RESERVATION } from '../keystore/reservedCounters.js';
import type { AuthenticatorEnv } from './env.js';
import { loadCount, saveCount } from './pin/persistent.js';

const GLOBAL_COUNTER = 'globalSignCount';

const read = (env: AuthenticatorEnv): number => loadCount(env, GLOBAL_COUNTER);
const write = (env: AuthenticatorEnv, value: number): void => saveCount(env, GLOBAL_COUNTER, value);

/** The global counter of one power cycle: from the stored reservation on, reserving ahead as it goes. */
export class GlobalCounter {
  private current: number | undefined;
  private reserved = 0;

  /** The value last given (after a power cycle, the stored reservation). */
  last(env: AuthenticatorEnv): number {
    if (this.current === undefined) this.current = this.reserved = read(env);
    return this.current;
  }

  /** The next value, its reservation stored before it is returned. */
  next(env: AuthenticatorEnv): number {
    return this.moveTo(env, countAfter(this.last(env)));
  }

  /** Gives `value` next (a counter model may go down); a value past the reservation stores a new one first. */
  moveTo(env: AuthenticatorEnv, value: number): number {
    this.last(env);
    if (value > this.reserved) {
      // Held only once stored: a write that throws (a full disk) must leave the next call to write again.
      const reserved = Math.min(value + RESERVATION - 1, MAX_COUNT);
      write(env, reserved);
      this.reserved = reserved;
    }
    this.current = value;
    return value;
  }
}
