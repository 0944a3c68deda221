// In-process transport: host pipes joined to one CTAPHID device. Every connected host hears every
// input report. An output report reaches the device at once; the device's answer reaches the hosts
// on a later turn of the event loop, so each exchange yields to timers and I/O once, as over a
// real bus, and a host that loops over requests never starves the rest of its process.
import type { ReportPipe } from './pipe.js';

/**
 * Output reports, handed over in order as they are written. A report written while one is being
 * handed over (a listener of the key's events writing from inside it) waits its turn, so the
 * device never takes a report inside another. A turn of the event loop per exchange is one to
 * the hosts (Lane) and none to the device: the second cost a login of three exchanges about 5%.
 */
class DirectLane {
  private queue: Uint8Array[] = [];
  private handing = false;

  constructor(private readonly deliver: (report: Uint8Array) => void) {}

  push(report: Uint8Array): void {
    this.queue.push(report.slice());
    if (!this.handing) this.drain();
  }

  private readonly drain = (): void => {
    this.handing = true;
    try {
      for (let r = this.queue.shift(); r !== undefined; r = this.queue.shift()) this.deliver(r);
    } finally {
      this.handing = false;
      // A report the device threw on goes back to its writer; the others written meanwhile still go.
      if (this.queue.length > 0) setImmediate(() => !this.handing && this.queue.length > 0 && this.drain());
    }
  };
}

/**
 * Input reports in order, delivered on a later turn of the event loop: the reports written in one
 * turn go together in one callback (a message of n reports costs one setImmediate, not n).
 */
class Lane {
  private queue: Uint8Array[] = [];

  constructor(private readonly deliver: (report: Uint8Array) => void) {}

  push(report: Uint8Array): void {
    if (this.queue.length === 0) setImmediate(this.flush);
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
  private readonly down: DirectLane;
  private readonly up = new Lane((report) => {
    for (const l of [...this.listeners]) l(report);
  });

  /** `deliver` hands one output report to the device. */
  constructor(deliver: (report: Uint8Array) => void) {
    this.down = new DirectLane(deliver);
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
