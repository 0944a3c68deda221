// In-process transport: host pipes joined to one CTAPHID device, with asynchronous delivery
// in both directions as a real bus has. Every connected host hears every input report.
import type { ReportPipe } from './pipe.js';

/**
 * How many deliveries in a row may run as microtasks before one waits for a turn of the event loop.
 * A microtask costs a fraction of an event-loop turn (a login is six messages: about 8% of its
 * time went to turns), but a host that answers each response at once with its next request would
 * then keep timers and I/O (a control API, an RP's server in the same process) waiting as long as
 * it runs: every YIELD_EVERY-th delivery goes to setImmediate, so they get a turn every few ceremonies.
 */
const YIELD_EVERY = 16;
let sinceTurn = 0;

/**
 * Reports in order, delivered after the writer's synchronous code (as a microtask, or on a later
 * turn of the event loop, see YIELD_EVERY): the reports written together go in one callback.
 */
class Lane {
  private queue: Uint8Array[] = [];

  constructor(private readonly deliver: (report: Uint8Array) => void) {}

  push(report: Uint8Array): void {
    if (this.queue.length === 0) {
      if (++sinceTurn < YIELD_EVERY) queueMicrotask(this.flush);
      else {
        sinceTurn = 0;
        setImmediate(this.flush);
      }
    }
    this.queue.push(report.slice());
  }

  private readonly flush = (): void => {
    const batch = this.queue;
    this.queue = [];
    for (const r of batch) this.deliver(r);
  };
}

export class LoopbackBus {
  private readonly listeners = new Set<(report: Uint8Array) => void>();
  private readonly down: Lane;
  private readonly up = new Lane((report) => {
    for (const l of [...this.listeners]) l(report);
  });

  /** `deliver` hands one output report to the device. */
  constructor(deliver: (report: Uint8Array) => void) {
    this.down = new Lane(deliver);
  }

  /** The device's send function: an input report to every connected host. */
  readonly toHosts = (report: Uint8Array): void => this.up.push(report);

  connect(): ReportPipe {
    const mine = new Set<(report: Uint8Array) => void>();
    return {
      write: (report) => this.down.push(report),
      onReport: (listener) => {
        mine.add(listener);
        this.listeners.add(listener);
        return () => {
          mine.delete(listener);
          this.listeners.delete(listener);
        };
      },
      close: () => {
        for (const l of mine) this.listeners.delete(l);
        mine.clear();
      },
    };
  }
}
