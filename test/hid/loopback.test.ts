import { describe, expect, it } from 'vitest';
import { LoopbackBus } from '../../src/hid/loopback.js';

const report = (n: number): Uint8Array => new Uint8Array(64).fill(n);
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('LoopbackBus', () => {
  it('carries reports in order, a copy of each, on a later turn in both directions', async () => {
    const seen: number[] = [];
    const bus = new LoopbackBus((r) => {
      seen.push(r[0]!);
      bus.toHosts(r);
    });
    const pipe = bus.connect();
    const heard: number[] = [];
    pipe.onReport((r) => heard.push(r[0]!));
    const mine = report(1);
    void pipe.write(mine);
    mine.fill(9); // the writer reuses its buffer
    void pipe.write(report(2));
    expect(seen).toEqual([]); // never inside the write
    await turn();
    expect(seen).toEqual([1, 2]);
    expect(heard).toEqual([]); // the answer, on a turn of its own
    await turn();
    expect(heard).toEqual([1, 2]);
  });

  it('every connected host hears every input report; a closed one hears no more', async () => {
    const bus = new LoopbackBus(() => undefined);
    const a = bus.connect();
    const b = bus.connect();
    const heardA: number[] = [];
    const heardB: number[] = [];
    a.onReport((r) => heardA.push(r[0]!));
    b.onReport((r) => heardB.push(r[0]!));
    bus.toHosts(report(1));
    await turn();
    void b.close();
    bus.toHosts(report(2));
    await turn();
    expect(heardA).toEqual([1, 2]);
    expect(heardB).toEqual([1]);
  });
});
