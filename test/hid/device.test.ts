// CTAPHID device side: channel allocation, the framing rules and every error the spec names.
import { describe, expect, it } from 'vitest';
import { CtapHidDevice, type CtapHidDeviceOptions, type CtapHidHandlers } from '../../src/hid/device.js';
import { BROADCAST_CID, Capability, HidCmd, HidError, MAX_MESSAGE } from '../../src/hid/constants.js';
import { fragment, parsePacket, type Packet } from '../../src/hid/framing.js';
import type { RequestContext } from '../../src/ctap2/env.js';
import { FakeTimers } from '../helpers/fakeTimers.js';
import type { HidFault } from '../../src/hid/faults.js';

class Harness {
  readonly timers = new FakeTimers();
  readonly out: Packet[] = [];
  readonly requests: { data: Uint8Array; ctx: RequestContext; resolve: (r: Uint8Array) => void }[] = [];
  winks = 0;
  readonly device: CtapHidDevice;

  constructor(handlers: Partial<CtapHidHandlers> = {}, options: CtapHidDeviceOptions = {}) {
    this.device = new CtapHidDevice(
      {
        cbor: (data, ctx) => new Promise((resolve) => this.requests.push({ data, ctx, resolve })),
        wink: () => void this.winks++,
        ...handlers,
      },
      (r) => {
        expect(r.length).toBe(64);
        this.out.push(parsePacket(r)!);
      },
      { timers: this.timers, ...options },
    );
  }

  send(cid: number, cmd: number, payload: Uint8Array | number[]): void {
    for (const r of fragment(cid, cmd, new Uint8Array(payload))) this.device.receive(r);
  }

  /** Allocates a channel through INIT on the broadcast channel. */
  open(): number {
    this.send(BROADCAST_CID, HidCmd.INIT, [1, 2, 3, 4, 5, 6, 7, 8]);
    const p = this.take();
    expect(p).toMatchObject({ kind: 'init', cid: BROADCAST_CID, cmd: HidCmd.INIT, length: 17 });
    const data = (p as { data: Uint8Array }).data;
    expect([...data.subarray(0, 8)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    return new DataView(data.buffer, data.byteOffset).getUint32(8);
  }

  take(): Packet {
    const p = this.out.shift();
    if (!p) throw new Error('the device sent nothing');
    return p;
  }

  /** The next message the device sent, reassembled. */
  message(): { cid: number; cmd: number; data: Uint8Array } {
    const first = this.take();
    if (first.kind !== 'init') throw new Error('expected an initialization packet');
    const data = new Uint8Array(first.length);
    let filled = Math.min(first.length, 57);
    data.set(first.data.subarray(0, filled));
    while (filled < first.length) {
      const c = this.take();
      const n = Math.min(59, first.length - filled);
      data.set(c.data.subarray(0, n), filled);
      filled += n;
    }
    return { cid: first.cid, cmd: first.cmd, data };
  }

  expectError(cid: number, code: number): void {
    const m = this.message();
    expect({ cid: m.cid, cmd: m.cmd, code: m.data[0] }).toEqual({ cid, cmd: HidCmd.ERROR, code });
  }
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('CTAPHID_INIT', () => {
  it('allocates distinct channels and announces CBOR, WINK and no MSG', () => {
    const h = new Harness();
    const a = h.open();
    const b = h.open();
    expect(a).not.toBe(b);
    expect([0, BROADCAST_CID]).not.toContain(a);
    h.send(BROADCAST_CID, HidCmd.INIT, [9, 9, 9, 9, 9, 9, 9, 9]);
    const caps = h.message().data[16]!;
    expect(caps).toBe(Capability.CBOR | Capability.WINK | Capability.NMSG);
  });

  it('resyncs an allocated channel in place, abandoning a half-sent message', () => {
    const h = new Harness();
    const cid = h.open();
    h.device.receive(fragment(cid, HidCmd.PING, new Uint8Array(100))[0]!);
    h.send(cid, HidCmd.INIT, [8, 7, 6, 5, 4, 3, 2, 1]);
    const m = h.message();
    expect(m.cid).toBe(cid);
    expect(new DataView(m.data.buffer).getUint32(8)).toBe(cid);
    h.send(cid, HidCmd.PING, [1]);
    expect(h.message()).toMatchObject({ cid, cmd: HidCmd.PING });
  });

  it('evicts the least recently used channel, not a host in use that was allocated first', () => {
    const h = new Harness();
    const busy = h.open();
    const idle = h.open();
    for (let i = 0; i < 1100; i++) {
      h.open();
      if (i % 100 === 0) {
        h.send(busy, HidCmd.PING, [i & 0xff]);
        expect(h.message()).toMatchObject({ cid: busy, cmd: HidCmd.PING });
      }
    }
    h.send(busy, HidCmd.PING, [1]);
    expect(h.message()).toMatchObject({ cid: busy, cmd: HidCmd.PING });
    h.send(idle, HidCmd.PING, [1]);
    h.expectError(idle, HidError.INVALID_CHANNEL);
  });

  it('rejects an INIT whose nonce is not 8 bytes with INVALID_LEN', () => {
    const h = new Harness();
    h.send(BROADCAST_CID, HidCmd.INIT, [1, 2, 3]);
    h.expectError(BROADCAST_CID, HidError.INVALID_LEN);
  });
});

describe('messages', () => {
  it('echoes PING of every length up to 7609 bytes', () => {
    const h = new Harness();
    const cid = h.open();
    for (const n of [0, 1, 57, 58, 116, 117, 1000, MAX_MESSAGE]) {
      const payload = new Uint8Array(n).map((_, i) => i * 7);
      h.send(cid, HidCmd.PING, payload);
      const m = h.message();
      expect(m.cmd).toBe(HidCmd.PING);
      expect(m.data).toEqual(payload);
    }
    expect(h.out).toHaveLength(0);
  });

  it('answers a message announced longer than 7609 bytes with INVALID_LEN', () => {
    const h = new Harness();
    const cid = h.open();
    const r = fragment(cid, HidCmd.PING, new Uint8Array(10))[0]!;
    r[5] = (MAX_MESSAGE + 1) >> 8;
    r[6] = (MAX_MESSAGE + 1) & 0xff;
    h.device.receive(r);
    h.expectError(cid, HidError.INVALID_LEN);
  });

  it('answers a skipped sequence number with INVALID_SEQ and drops the message', () => {
    const h = new Harness();
    const cid = h.open();
    const reports = fragment(cid, HidCmd.PING, new Uint8Array(200));
    h.device.receive(reports[0]!);
    h.device.receive(reports[2]!);
    h.expectError(cid, HidError.INVALID_SEQ);
    h.device.receive(reports[1]!); // now spurious: ignored
    expect(h.out).toHaveLength(0);
  });

  it('answers a new message on the same channel mid-transaction with INVALID_SEQ', () => {
    const h = new Harness();
    const cid = h.open();
    h.device.receive(fragment(cid, HidCmd.PING, new Uint8Array(200))[0]!);
    h.send(cid, HidCmd.PING, [1]);
    h.expectError(cid, HidError.INVALID_SEQ);
  });

  it('times out an unfinished message with MSG_TIMEOUT', () => {
    const h = new Harness();
    const cid = h.open();
    h.device.receive(fragment(cid, HidCmd.PING, new Uint8Array(200))[0]!);
    h.timers.advance(400);
    expect(h.out).toHaveLength(0);
    h.timers.advance(1000);
    h.expectError(cid, HidError.MSG_TIMEOUT);
    h.send(cid, HidCmd.PING, [5]);
    expect(h.message().data).toEqual(new Uint8Array([5]));
  });

  it('looks once more before MSG_TIMEOUT: a report the process read late (starved of CPU) still completes the message', () => {
    const h = new Harness();
    const cid = h.open();
    const reports = fragment(cid, HidCmd.PING, new Uint8Array(100));
    h.device.receive(reports[0]!);
    h.timers.advance(750); // the time-out is due...
    expect(h.out).toHaveLength(0);
    h.device.receive(reports[1]!); // ...and the report, queued meanwhile, is read right after
    expect(h.message()).toMatchObject({ cid, cmd: HidCmd.PING, data: new Uint8Array(100) });
    h.timers.advance(1000);
    expect(h.out).toHaveLength(0); // no MSG_TIMEOUT for the completed message

    h.device.receive(fragment(cid, HidCmd.PING, new Uint8Array(100))[0]!);
    h.timers.advance(750);
    expect(h.out).toHaveLength(0);
    h.timers.advance(20);
    h.expectError(cid, HidError.MSG_TIMEOUT); // nothing came: the time-out stands, 20 ms later
  });

  it('answers another channel with CHANNEL_BUSY while a message is being received', () => {
    const h = new Harness();
    const a = h.open();
    const b = h.open();
    const reports = fragment(a, HidCmd.PING, new Uint8Array(100));
    h.device.receive(reports[0]!);
    h.send(b, HidCmd.PING, [1]);
    h.expectError(b, HidError.CHANNEL_BUSY);
    h.device.receive(reports[1]!);
    expect(h.message()).toMatchObject({ cid: a, cmd: HidCmd.PING });
  });

  it.each([
    ['an unallocated channel', 0x12345678, HidCmd.PING, HidError.INVALID_CHANNEL],
    ['the broadcast channel with a command other than INIT', BROADCAST_CID, HidCmd.PING, HidError.INVALID_CHANNEL],
    ['channel 0', 0, HidCmd.PING, HidError.INVALID_CHANNEL],
  ])('refuses %s', (_name, cid, cmd, code) => {
    const h = new Harness();
    h.open();
    h.send(cid, cmd, [1]);
    h.expectError(cid, code);
  });

  it('refuses an unknown command with INVALID_CMD, and MSG when there is no CTAP1', () => {
    const h = new Harness();
    const cid = h.open();
    h.send(cid, 0x42, []);
    h.expectError(cid, HidError.INVALID_CMD);
    h.send(cid, HidCmd.MSG, [0, 3, 0, 0]);
    h.expectError(cid, HidError.INVALID_CMD);
  });

  it('refuses an empty CBOR message with INVALID_LEN', () => {
    const h = new Harness();
    const cid = h.open();
    h.send(cid, HidCmd.CBOR, []);
    h.expectError(cid, HidError.INVALID_LEN);
  });

  it('winks', () => {
    const h = new Harness();
    const cid = h.open();
    h.send(cid, HidCmd.WINK, []);
    expect(h.message()).toMatchObject({ cid, cmd: HidCmd.WINK, data: new Uint8Array(0) });
    expect(h.winks).toBe(1);
  });

  it('ignores a continuation packet with no message in progress', () => {
    const h = new Harness();
    const cid = h.open();
    h.device.receive(fragment(cid, HidCmd.PING, new Uint8Array(100))[1]!);
    expect(h.out).toHaveLength(0);
  });
});

describe('requests that wait', () => {
  it('sends KEEPALIVE every 100 ms with the status the core reports, then the answer', async () => {
    const h = new Harness();
    const cid = h.open();
    h.send(cid, HidCmd.CBOR, [0x04]);
    expect(h.requests).toHaveLength(1);
    h.timers.advance(250);
    expect([h.message(), h.message()].map((m) => [m.cmd, m.data[0]])).toEqual([[HidCmd.KEEPALIVE, 1], [HidCmd.KEEPALIVE, 1]]);
    h.requests[0]!.ctx.keepalive(2);
    h.timers.advance(100);
    expect(h.message()).toMatchObject({ cmd: HidCmd.KEEPALIVE, data: new Uint8Array([2]) });
    h.requests[0]!.resolve(new Uint8Array([0, 0xa0]));
    await flush();
    expect(h.message()).toMatchObject({ cid, cmd: HidCmd.CBOR, data: new Uint8Array([0, 0xa0]) });
    h.timers.advance(1000);
    expect(h.out).toHaveLength(0);
  });

  it('aborts on CANCEL from the same channel, and sends the core answer (KEEPALIVE_CANCEL)', async () => {
    const h = new Harness();
    const cid = h.open();
    h.send(cid, HidCmd.CBOR, [0x01]);
    const { ctx, resolve } = h.requests[0]!;
    ctx.signal.addEventListener('abort', () => resolve(new Uint8Array([0x2d])));
    h.send(cid, HidCmd.CANCEL, []);
    expect(ctx.signal.aborted).toBe(true);
    await flush();
    expect(h.message()).toMatchObject({ cid, cmd: HidCmd.CBOR, data: new Uint8Array([0x2d]) });
  });

  it('a CANCEL before the request first reads its signal leaves that signal aborted (it is made on first read)', async () => {
    const h = new Harness();
    const cid = h.open();
    h.send(cid, HidCmd.CBOR, [0x01]);
    h.send(cid, HidCmd.CANCEL, []);
    const { ctx, resolve } = h.requests[0]!;
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal).toBe(ctx.signal); // one signal per request
    resolve(new Uint8Array([0x2d]));
    await flush();
    expect(h.message()).toMatchObject({ cid, cmd: HidCmd.CBOR, data: new Uint8Array([0x2d]) });
  });

  it('answers other channels with CHANNEL_BUSY while busy and ignores their CANCEL', () => {
    const h = new Harness();
    const a = h.open();
    const b = h.open();
    h.send(a, HidCmd.CBOR, [0x04]);
    h.send(b, HidCmd.PING, [1]);
    h.expectError(b, HidError.CHANNEL_BUSY);
    h.send(b, HidCmd.CANCEL, []);
    expect(h.requests[0]!.ctx.signal.aborted).toBe(false);
    h.send(a, HidCmd.PING, [1]);
    h.expectError(a, HidError.CHANNEL_BUSY);
  });

  it('drops the pending answer when the channel is resynced with INIT', async () => {
    const h = new Harness();
    const cid = h.open();
    h.send(cid, HidCmd.CBOR, [0x04]);
    h.send(cid, HidCmd.INIT, [1, 1, 1, 1, 1, 1, 1, 1]);
    expect(h.message().cmd).toBe(HidCmd.INIT);
    expect(h.requests[0]!.ctx.signal.aborted).toBe(true);
    h.requests[0]!.resolve(new Uint8Array([0]));
    await flush();
    expect(h.out).toHaveLength(0);
  });
});

describe('power cycle', () => {
  it('clears the lock, a half-received message and a request in progress; channels stay', async () => {
    const h = new Harness();
    const a = h.open();
    const b = h.open();
    h.send(a, HidCmd.LOCK, [10]);
    h.message();
    h.device.powerCycle();
    h.send(b, HidCmd.PING, [1]);
    expect(h.message()).toMatchObject({ cid: b, cmd: HidCmd.PING });

    const reports = fragment(a, HidCmd.PING, new Uint8Array(100));
    h.device.receive(reports[0]!);
    h.device.powerCycle();
    h.device.receive(reports[1]!); // the message it continued is gone: ignored
    h.send(b, HidCmd.PING, [2]);
    expect(h.message()).toMatchObject({ cid: b, cmd: HidCmd.PING, data: new Uint8Array([2]) });
    h.timers.advance(2000);
    expect(h.out).toHaveLength(0); // no MSG_TIMEOUT for a message the key forgot

    h.send(a, HidCmd.CBOR, [0x04]);
    h.device.powerCycle();
    expect(h.requests[0]!.ctx.signal.aborted).toBe(true);
    h.send(b, HidCmd.PING, [3]);
    expect(h.message()).toMatchObject({ cid: b, cmd: HidCmd.PING });
    h.requests[0]!.resolve(new Uint8Array([0]));
    await flush();
    h.timers.advance(1000);
    expect(h.out).toHaveLength(0); // neither its answer nor keepalives
  });
});

describe('CTAPHID_LOCK', () => {
  it('keeps other channels out for the locked time', () => {
    const h = new Harness();
    const a = h.open();
    const b = h.open();
    h.send(a, HidCmd.LOCK, [2]);
    expect(h.message()).toMatchObject({ cid: a, cmd: HidCmd.LOCK });
    h.send(b, HidCmd.PING, [1]);
    h.expectError(b, HidError.CHANNEL_BUSY);
    h.timers.advance(2001);
    h.send(b, HidCmd.PING, [1]);
    expect(h.message()).toMatchObject({ cid: b, cmd: HidCmd.PING });
  });

  it('refuses a lock over 10 s with INVALID_PAR', () => {
    const h = new Harness();
    const a = h.open();
    h.send(a, HidCmd.LOCK, [11]);
    h.expectError(a, HidError.INVALID_PAR);
  });
});

describe('transport faults (the faults option)', () => {
  const withFault = (fault: HidFault, seen: unknown[] = []): Harness => new Harness({}, { faults: (m) => (seen.push(m), m.cmd === HidCmd.CBOR ? fault : undefined) });

  it('CHANNEL_BUSY instead of the request; the hook sees the channel, command and data', () => {
    const seen: unknown[] = [];
    const h = withFault({ busy: true }, seen);
    const cid = h.open();
    h.send(cid, HidCmd.CBOR, [0x04]);
    h.expectError(cid, HidError.CHANNEL_BUSY);
    expect(h.requests).toHaveLength(0);
    expect(seen).toEqual([{ cid, cmd: HidCmd.CBOR, data: new Uint8Array([0x04]) }]);
  });

  it('no answer: nothing is sent and the key is not left busy', () => {
    const h = withFault({ noAnswer: true });
    const cid = h.open();
    h.send(cid, HidCmd.CBOR, [0x04]);
    h.timers.advance(5000);
    expect(h.out).toHaveLength(0);
    h.send(cid, HidCmd.PING, [9]);
    expect(h.message()).toMatchObject({ cmd: HidCmd.PING, data: new Uint8Array([9]) });
  });

  it('a delay: handled only after it, keepalives meanwhile; abandoned by a power cycle, never handled', async () => {
    const h = withFault({ delayMs: 300 });
    const cid = h.open();
    h.send(cid, HidCmd.CBOR, [0x04]);
    h.timers.advance(299);
    await flush();
    expect(h.requests).toHaveLength(0);
    expect([h.message(), h.message()].map((m) => m.cmd)).toEqual([HidCmd.KEEPALIVE, HidCmd.KEEPALIVE]);
    h.timers.advance(1);
    await flush();
    expect(h.requests).toHaveLength(1);
    h.device.powerCycle();
    h.send(cid, HidCmd.CBOR, [0x04]);
    h.device.powerCycle();
    h.timers.advance(1000);
    await flush();
    expect(h.requests).toHaveLength(1);
  });

  it('keepalives dropped, or late', () => {
    const dropped = withFault({ keepalive: 'drop' });
    dropped.send(dropped.open(), HidCmd.CBOR, [0x04]);
    dropped.timers.advance(1000);
    expect(dropped.out).toHaveLength(0);
    const late = withFault({ keepalive: { intervalMs: 250 } });
    late.send(late.open(), HidCmd.CBOR, [0x04]);
    late.timers.advance(249);
    expect(late.out).toHaveLength(0);
    late.timers.advance(1);
    expect(late.message().cmd).toBe(HidCmd.KEEPALIVE);
  });
});
