// Signature counters without a disk write per assertion. The file holds a reservation: a value at
// least as high as any counter answered. A new reservation (the value asked + RESERVATION - 1) is
// written only when a counter passes the last one; values up to it are kept in memory. After a
// crash the counter resumes above the reservation: it may skip, but never repeats or goes back.

/** How far ahead of a counter the file is: one synchronous write per this many assertions. */
export const RESERVATION = 256;

/** The counter is 32 bits; at the top it stays there (0 would read as a rollback to a relying party). */
export const MAX_COUNT = 0xffffffff;

/** The value after `n`, stopping at MAX_COUNT. */
export function countAfter(n: number): number {
  return Math.min(n + 1, MAX_COUNT);
}

interface Counter {
  /** The value last answered. */
  current: number;
  /** What the file holds: no answered value is above it. */
  reserved: number;
}

/** The live counters of one store, at most `capacity` (a dropped one resumes from its reservation). */
export class ReservedCounters {
  private readonly live = new Map<string, Counter>();

  constructor(private readonly capacity = 65_536) {}

  /** How many counters are live (none: no stored counter needs replacing). */
  get size(): number {
    return this.live.size;
  }

  /** The counter to report instead of the file's reservation, for credentials counted in this process. */
  current(key: string): number | undefined {
    return this.live.get(key)?.current;
  }

  /**
   * Moves a counter to `value`. `write(reservation)` stores a new reservation durably (false: no
   * such credential); it runs only when `value` passes the last one.
   */
  advance(key: string, value: number, write: (reservation: number) => boolean): void {
    const c = this.live.get(key);
    if (c && value <= c.reserved) {
      c.current = value;
      return;
    }
    const reserved = Math.min(value + RESERVATION - 1, MAX_COUNT);
    if (!write(reserved)) return;
    this.live.delete(key);
    if (this.live.size >= this.capacity) this.live.delete(this.live.keys().next().value!);
    this.live.set(key, { current: value, reserved });
  }

  /** The file now holds this credential's exact counter (or no credential): nothing reserved. */
  drop(key: string): void {
    this.live.delete(key);
  }

  /** The counters whose file value is a reservation, to write back exactly on a clean close; then empty. */
  drain(): [string, number][] {
    const out = [...this.live].filter(([, c]) => c.current !== c.reserved).map(([k, c]): [string, number] => [k, c.current]);
    this.live.clear();
    return out;
  }

  clear(): void {
    this.live.clear();
  }
}
