// Touches the key is waiting for, and a touch given from outside the presence policy: the one the
// FIDO Conformance Tools' automation asks for (/conformance/userpresence), before or while the key asks.
type Settle = () => void;

export class PendingTouches {
  /** Oldest first: one approval settles one touch. */
  private readonly waiting = new Set<Settle>();
  /** A touch given before the key asked: it counts for the next ask until this time. */
  private armedUntil: number | undefined;

  constructor(private readonly now: () => number) {}

  /**
   * Runs the policy's `ask`, unless a touch given from outside comes first (or came ahead): then
   * `approved`, and the policy's wait is aborted (its timers go). `asked` runs once the ask can be
   * touched from outside.
   */
  async ask<R>(ask: (signal: AbortSignal) => Promise<R>, signal: AbortSignal, approved: R, asked: () => void): Promise<R> {
    if (this.armedUntil !== undefined && this.now() <= this.armedUntil) {
      this.armedUntil = undefined;
      asked();
      return approved;
    }
    const local = new AbortController();
    const onAbort = (): void => local.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let settle!: Settle;
    const given = new Promise<R>((resolve) => (settle = () => resolve(approved)));
    this.waiting.add(settle);
    try {
      asked();
      return await Promise.race([ask(local.signal), given]);
    } finally {
      this.waiting.delete(settle);
      signal.removeEventListener('abort', onAbort);
      local.abort();
    }
  }

  /**
   * A touch: the oldest waiting ask is approved ('approved'), or, with none waiting, the next ask
   * within `aheadMs` is ('armed').
   */
  touch(aheadMs: number): 'approved' | 'armed' {
    const first = this.waiting.values().next();
    if (!first.done) {
      this.waiting.delete(first.value);
      first.value();
      return 'approved';
    }
    this.armedUntil = this.now() + aheadMs;
    return 'armed';
  }

  /** A power cycle forgets a touch given ahead. */
  clear(): void {
    this.armedUntil = undefined;
  }
}
