// The signature counter shared by non-discoverable credentials (they have no row of their own).
// As for stored credentials (keystore/reservedCounters.ts), the store holds a reservation ahead of
// the counter and is written once per RESERVATION uses: after a crash the counter skips, never repeats.
import { countAfter, MAX_COUNT, RESERVATION } from '../keystore/reservedCounters.js';
import type { AuthenticatorEnv } from './env.js';

const GLOBAL_COUNTER = 'globalSignCount';

function read(env: AuthenticatorEnv): number {
  const raw = env.store.getMeta(GLOBAL_COUNTER);
  return raw && raw.length === 4 ? new DataView(raw.buffer, raw.byteOffset).getUint32(0) : 0;
}

function write(env: AuthenticatorEnv, value: number): void {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  env.store.setMeta(GLOBAL_COUNTER, out);
}

/** The global counter of one power cycle: from the stored reservation on, reserving ahead as it goes. */
export class GlobalCounter {
  private current: number | undefined;
  private reserved = 0;

  /** The next value, its reservation stored before it is returned. */
  next(env: AuthenticatorEnv): number {
    if (this.current === undefined) this.current = this.reserved = read(env);
    const next = countAfter(this.current);
    if (next > this.reserved) {
      // Held only once stored: a write that throws (a full disk) must leave the next call to write again.
      const reserved = Math.min(next + RESERVATION - 1, MAX_COUNT);
      write(env, reserved);
      this.reserved = reserved;
    }
    this.current = next;
    return next;
  }
}
