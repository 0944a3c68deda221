// In-process transport: host pipes joined to one CTAPHID device, with asynchronous delivery
// in both directions as a real bus has. Every connected host hears every input report.
import type { ReportPipe } from './pipe.js';

export class LoopbackBus {
  private readonly listeners = new Set<(report: Uint8Array) => void>();

  /** `deliver` hands one output report to the device. */
  constructor(private readonly deliver: (report: Uint8Array) => void) {}

  /** The device's send function: an input report to every connected host. */
  readonly toHosts = (report: Uint8Array): void => {
    const copy = report.slice();
    setImmediate(() => {
      for (const l of [...this.listeners]) l(copy);
    });
  };

  connect(): ReportPipe {
    const mine = new Set<(report: Uint8Array) => void>();
    return {
      write: (report) => {
        const copy = report.slice();
        setImmediate(() => this.deliver(copy));
      },
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
