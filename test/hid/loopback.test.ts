import { describe, expect, it } from 'vitest';
import { LoopbackBus } from '../../src/hid/loopback.js';

const report = (n: number): Uint8Array => new Uint8Array(64).fill(n);
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('LoopbackBus', () => {
  it('carries reports in order, a copy of each, after the writer\'s code and the device\'s, in both directions', async () => {
    const seen: number[] = [];
    const heardInside: number[] = [];
    const bus = new LoopbackBus((r) => {
      seen.push(r[0]!);
      bus.toHosts(r);
      heardInside.push(heard.length); // the answer is not delivered inside the device's own code
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
    expect(heardInside).toEqual([0, 0]);
    expect(heard).toEqual([1, 2]);
  });

  it('lets the event loop turn while a host answers every report at once', async () => {
    const bus = new LoopbackBus((r) => bus.toHosts(r));
    const pipe = bus.connect();
    let turned = false;
    setImmediate(() => (turned = true));
    let rounds = 0;
    await new Promise<void>((done) => {
      pipe.onReport(() => {
        if (turned || ++rounds > 10_000) return done();
        void pipe.write(report(1));
      });
      void pipe.write(report(1));
    });
    expect(turned).toBe(true);
    expect(rounds).toBeLessThan(64);
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
