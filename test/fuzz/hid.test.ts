// Fuzz of the CTAPHID device with the real core behind it: streams of reports from hosts that
// interleave channels, stop mid-message, cancel, lock, lie about lengths and sequence numbers, or
// send noise. Nothing may throw, every reply must be well-formed (hidRig.ts checks each), and
// afterwards a new host still gets a channel and an answer to getInfo, with nothing left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { PresenceResult } from '../../src/ctap2/env.js';
import { action, apply, type Action } from './hidActions.js';
import { HidRig, type RigOptions } from './hidRig.js';
import { fuzz, LONG, timeout } from './settings.js';

const MAX_CHANNELS = 1024; // src/hid/device.ts

/** A rejected promise nobody handled (a reply that threw inside the device's .then) fails the case. */
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => void unhandled.push(e);
beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => void process.off('unhandledRejection', onUnhandled));

const rigOptions: fc.Arbitrary<RigOptions> = fc.record({
  presence: fc.constantFrom<PresenceResult>('approved', 'approved', 'denied', 'timeout'),
  presenceDelayMs: fc.constantFrom(0, 50, 250, 450),
  msg: fc.boolean(),
});

async function play(rig: HidRig, actions: Action[]): Promise<void> {
  for (const a of actions) {
    await apply(rig, a);
    expect(rig.held().channels).toBeLessThanOrEqual(MAX_CHANNELS);
  }
  await rig.flush();
  await rig.stillAnswers();
  // Once a host has its answer, nothing is left running: no half message, request or keepalive.
  expect(rig.held().timers).toBe(0);
  expect(rig.held().channels).toBeLessThanOrEqual(MAX_CHANNELS);
  if (unhandled.length) throw unhandled.splice(0)[0];
}

describe('CTAPHID streams', () => {
  it('a fresh device: no exception, well-formed replies, and it still answers', async () => {
    await fuzz(
      'hid streams',
      fc.asyncProperty(rigOptions, fc.nat(3), fc.array(action, { minLength: 1, maxLength: 40, size: 'medium' }), async (options, hosts, actions) => {
        const rig = new HidRig(options);
        for (let i = 0; i < hosts; i++) rig.open();
        await play(rig, actions);
      }),
      200,
    );
  }, timeout(20_000));

  // Runs here share the device, so a failure's replay (seed and path) runs its stream on a fresh
  // device and may not fail again: the counterexample and the streams before it tell the story.
  it('one device for the whole run: no state piles up', async () => {
    const rig = new HidRig({ presence: 'approved', presenceDelayMs: 50, msg: true });
    const heap = new HeapWatch();
    let runs = 0;
    await fuzz(
      'hid long-lived device',
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 12 }), async (actions) => {
        await play(rig, actions);
        if (++runs === 1000) heap.start();
      }),
      150,
    );
    // Over a long run the heap must level off; only measured there (a short run says nothing).
    if (LONG && runs > 5000) heap.check(32 * 2 ** 20);
  }, timeout(20_000));
});

/** Heap in use after a full collection, from a point after warm-up to the end. */
class HeapWatch {
  private readonly gc: () => void;
  private base: number | undefined;

  constructor() {
    setFlagsFromString('--expose-gc');
    this.gc = runInNewContext('gc') as () => void;
  }

  private used(): number {
    this.gc();
    return process.memoryUsage().heapUsed;
  }

  start(): void {
    this.base = this.used();
  }

  check(limit: number): void {
    const grew = this.used() - this.base!;
    console.log(`[fuzz] hid long-lived device: heap grew ${(grew / 2 ** 20).toFixed(1)} MB after warm-up`);
    expect(grew).toBeLessThan(limit);
  }
}
