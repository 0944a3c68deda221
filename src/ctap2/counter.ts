// Counts kept in the store's meta table without a store write per step. As for stored credentials'
// counters (keystore/reservedCounters.ts), the store holds a reservation ahead of the count and is
// written once per `reservation` steps: after a crash a count resumes from the reservation, so it
// may skip upwards but never repeats or goes back. Two such counts: the signature counter shared by
// non-discoverable credentials (they have no row of their own), and uvCountSinceLastPinEntry.
import { countAfter, MAX_COUNT, RESERVATION } from '../keystore/reservedCounters.js';
import type { AuthenticatorEnv } from './env.js';
import { loadCount, saveCount } from './pin/persistent.js';

/** Meta keys of the two counts (the names they always had in the store). */
export const GLOBAL_SIGN_COUNT = 'globalSignCount';
export const UV_COUNT = 'uvCountSinceLastPinEntry';

/**
 * How far ahead the UV count's reservation is: after a crash it may read up to this much high
 * (a platform then asks for the PIN sooner, never later), for one store write per this many UVs.
 */
export const UV_COUNT_RESERVATION = 32;

/** One count of one power cycle: from the stored reservation on, reserving ahead as it goes. */
export class ReservedCount {
  private current: number | undefined;
  private reserved = 0;

  constructor(
    private readonly key: string,
    private readonly reservation = RESERVATION,
  ) {}

  /** The value last given (after a power cycle, the stored reservation, or the exact value a clean stop stored). */
  last(env: AuthenticatorEnv): number {
    if (this.current === undefined) this.current = this.reserved = loadCount(env, this.key);
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
      const reserved = Math.min(value + this.reservation - 1, MAX_COUNT);
      saveCount(env, this.key, reserved);
      this.reserved = reserved;
    }
    this.current = value;
    return value;
  }

  /** Stores `value` exactly, below the reservation too (the UV count back to 0 on a PIN entry). */
  set(env: AuthenticatorEnv, value: number): void {
    if (this.last(env) === value && this.reserved === value) return;
    saveCount(env, this.key, value);
    this.current = this.reserved = value;
  }

  /** A clean stop: the exact value replaces the reservation (nothing skips); a failed write leaves the reservation, which is safe. */
  settle(env: AuthenticatorEnv): void {
    if (this.current === undefined || this.current === this.reserved) return;
    try {
      this.set(env, this.current);
    } catch {
      // the stored reservation stands: above every value given
    }
  }
}
