import { describe, expect, it } from 'vitest';
import { LoopbackBus } from '../../src/hid/loopback.js';

const report = (n: number): Uint8Array => new Uint8Array(64).fill(n);

describe('LoopbackBus', () => {
  it('hands output reports to the device in order, a copy of each, and the device answers on a later turn', async () => {
    const seen: number[] = [];
    const bus = new LoopbackBus((r) => {
      seen.push(r[0]!);
      bus.toHosts(r);
    });
    const pipe = bus.connect();
    const heard: number[] = [];
    pipe.onReport((r) => heard.push(r[0]!));
    const mine = report(1);
    pipe.write(mine);
    mine.fill(9); // the writer reuses its buffer
    pipe.write(report(2));
    expect(seen).toEqual([1, 2]);
    expect(heard).toEqual([]); // not inside the write: the host hears on a later turn
    await new Promise((r) => setImmediate(r));
    expect(heard).toEqual([1, 2]);
  });

  it('never hands the device a report inside another: one written meanwhile waits its turn', () => {
    const log: string[] = [];
    let pipe: ReturnType<LoopbackBus['connect']>;
    const bus = new LoopbackBus((r) => {
      log.push(`start ${r[0]}`);
      if (r[0] === 1) pipe.write(report(2)); // an event listener of the key writing from inside
      log.push(`end ${r[0]}`);
    });
    pipe = bus.connect();
    pipe.write(report(1));
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('a device that throws fails that write, and reports written meanwhile still reach it', async () => {
    const seen: number[] = [];
    let pipe: ReturnType<LoopbackBus['connect']>;
    const bus = new LoopbackBus((r) => {
      seen.push(r[0]!);
      if (r[0] === 1) {
        pipe.write(report(2));
        throw new Error('device bug');
      }
    });
    pipe = bus.connect();
    expect(() => pipe.write(report(1))).toThrow('device bug');
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([1, 2]);
    pipe.write(report(3));
    expect(seen).toEqual([1, 2, 3]);
  });
});
