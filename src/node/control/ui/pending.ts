// What the key waits for, told the way a person at the key needs it: not only 'presence' or
// 'verification' (GET /pending) but which RP asks, for which operation and user, since when. Read
// off the key's touch-asked and touch-answered events, and held against pendingActions(), which
// is the truth: an ask that ended without an answer (a CANCEL) is dropped there.
import type { KeyEventOf } from '../../events/types.js';
import type { VirtualAuthenticator } from '../../virtual.js';

export interface PendingRequest {
  kind: 'presence' | 'verification';
  /** The operation the touch or finger is for: makeCredential, getAssertion, reset, selection, clientPIN, ctap1. */
  command: string;
  rpId?: string;
  userName?: string;
  /** When the key asked (ISO 8601). */
  since: string;
}

export class PendingRequests {
  /** Oldest first, as the key answers them. */
  private asks: PendingRequest[] = [];

  private readonly asked = (e: KeyEventOf<'touch-asked'>): void => {
    const { kind, command, rpId, userName, time } = e;
    this.asks.push({ kind, command, ...(rpId !== undefined && { rpId }), ...(userName !== undefined && { userName }), since: time });
  };

  private readonly answered = (e: KeyEventOf<'touch-answered'>): void => {
    const i = this.asks.findIndex((a) => a.kind === e.kind);
    if (i >= 0) this.asks.splice(i, 1);
  };

  constructor(private readonly key: VirtualAuthenticator) {
    key.on('touch-asked', this.asked);
    key.on('touch-answered', this.answered);
  }

  /**
   * What the key waits for now, oldest first. Of the asks of each kind only the newest as many as
   * the key still waits for stand: the older ones ended unanswered.
   */
  list(): PendingRequest[] {
    const waiting = this.key.pendingActions();
    const kept = (['presence', 'verification'] as const).flatMap((kind) => {
      const n = waiting.filter((w) => w === kind).length;
      const of = this.asks.filter((a) => a.kind === kind);
      return of.slice(Math.max(0, of.length - n));
    });
    this.asks = this.asks.filter((a) => kept.includes(a));
    return this.asks.slice();
  }

  close(): void {
    this.key.off('touch-asked', this.asked);
    this.key.off('touch-answered', this.answered);
  }
}
