// The user's actions the key is waiting for, and actions given from outside the presence and
// verification policies: a touch (what the FIDO Conformance Tools' automation asks for, before or
// while the key asks), a refusal, a finger that matches or does not, or no answer at all.
export type WaitKind = 'presence' | 'verification';

/** The reason a settled wait aborts its policy's ask with: abort() without one builds a DOMException (and its stack). */
const SETTLED = Symbol('settled');

/** What a wait is for, as a person at the key needs it told (the key's window shows it). */
export interface WaitAbout {
  /** The operation: makeCredential, getAssertion, reset, selection, clientPIN, ctap1, bioEnrollment. */
  command: string;
  rpId?: string;
  userName?: string;
}

/** A wait the key is in: its kind, what it is for, and since when (the key's clock, ms). */
export interface Wait extends WaitAbout {
  kind: WaitKind;
  since: number;
}

interface Waiting {
  kind: WaitKind;
  /** The key's request itself (no copy per touch): read only when someone asks what is pending. */
  about: WaitAbout;
  since: number;
  settle(result: unknown): void;
}

export class PendingTouches {
  /** Oldest first: one answer settles one wait. */
  private readonly waiting = new Set<Waiting>();
  /** A touch given before the key asked: it counts for the next presence ask until this time. */
  private armedUntil: number | undefined;

  constructor(private readonly now: () => number) {}

  /**
   * Runs the policy's `ask`, unless an answer given from outside comes first (or, for a touch,
   * came ahead): then that answer, and the policy's wait is aborted (its timers go). `asked` runs
   * once the wait can be answered from outside.
   */
  async ask<R>(
    kind: WaitKind, about: WaitAbout, ask: (signal: AbortSignal) => Promise<R>, signal: AbortSignal, approved: R, asked: () => void, instant = false,
  ): Promise<R> {
    if (kind === 'presence' && this.takeArmed()) {
      asked();
      return approved;
    }
    if (instant) {
      // An instant policy (approve, deny, match, nomatch) answers as the key asks: only an answer
      // given while the ask is announced (by a 'touch-asked' listener) comes before it. No
      // controller, promise or race of its own: this runs on every ceremony.
      let given: { result: R } | undefined;
      const entry: Waiting = { kind, about, since: this.now(), settle: (r) => (given = { result: r as R }) };
      this.waiting.add(entry);
      try {
        asked();
      } finally {
        this.waiting.delete(entry);
      }
      return given ? given.result : ask(signal);
    }
    const local = new AbortController();
    const onAbort = (): void => local.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let entry!: Waiting;
    const given = new Promise<R>((resolve) => (entry = { kind, about, since: this.now(), settle: (r) => resolve(r as R) }));
    this.waiting.add(entry);
    // The policy's own answer needs no abort: only one from outside (or the host's cancel) stops its wait.
    let answered = false;
    try {
      asked();
      const own = ask(local.signal).then((r) => ((answered = true), r));
      return await Promise.race([own, given]);
    } finally {
      this.waiting.delete(entry);
      signal.removeEventListener('abort', onAbort);
      if (!answered) local.abort(SETTLED);
    }
  }

  /** Whether a touch given ahead counts for this presence ask (it counts once). */
  takeArmed(): boolean {
    if (this.armedUntil === undefined) return false;
    const inTime = this.now() <= this.armedUntil;
    this.armedUntil = undefined;
    return inTime;
  }

  /** Settles the oldest wait of `kind` with `result`; false when the key waits for none. */
  answer(kind: WaitKind, result: unknown): boolean {
    for (const w of this.waiting) {
      if (w.kind !== kind) continue;
      this.waiting.delete(w);
      w.settle(result);
      return true;
    }
    return false;
  }

  /** What the key waits for now, oldest first. */
  pending(): Wait[] {
    return [...this.waiting].map(({ kind, about: { command, rpId, userName }, since }) =>
      ({ kind, command, ...(rpId !== undefined && { rpId }), ...(userName !== undefined && { userName }), since }));
  }

  /**
   * A touch: the oldest waiting presence ask is approved ('approved'), or, with none waiting, the
   * next one within `aheadMs` is ('armed').
   */
  touch(aheadMs: number): 'approved' | 'armed' {
    if (this.answer('presence', 'approved')) return 'approved';
    this.armedUntil = this.now() + aheadMs;
    return 'armed';
  }

  /** A power cycle forgets a touch given ahead. */
  clear(): void {
    this.armedUntil = undefined;
  }
}
