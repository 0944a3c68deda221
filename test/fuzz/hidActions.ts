// What a host (or several, or a broken one) can do to a CTAPHID device, as plain values fast-check
// generates, shrinks and prints: messages of every command, cut short or with damaged framing,
// stray packets, random reports, time passing. apply() plays one on a HidRig.
import fc from 'fast-check';
import { BROADCAST_CID, HidCmd, MAX_MESSAGE } from '../../src/hid/constants.js';
import { fragment } from '../../src/hid/framing.js';
import { encodeCbor } from '../../src/ctap/cbor.js';
import { gaParams, mcParams } from '../helpers/core.js';
import type { HidRig } from './hidRig.js';

/** Which channel: the broadcast one, 0, one the device allocated (by index), or any number. */
export type Chan = { pick: 'broadcast' | 'zero' | 'allocated' | 'any'; n: number };

export type FrameDamage =
  | { kind: 'seq'; at: number; seq: number }
  | { kind: 'drop'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'swap'; at: number }
  | { kind: 'length'; length: number }
  | { kind: 'channel'; at: number; to: Chan }
  | { kind: 'flip'; at: number; byte: number; bit: number };

export type Action =
  | { kind: 'message'; on: Chan; cmd: number; payload: Uint8Array; keep?: number; damage?: FrameDamage }
  | { kind: 'report'; on: Chan; body: Uint8Array }
  | { kind: 'continuation'; on: Chan; seq: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'flush' }
  | { kind: 'channels'; count: number }
  | { kind: 'powerCycle' };

const chan: fc.Arbitrary<Chan> = fc.record({
  pick: fc.oneof(
    { arbitrary: fc.constant('allocated' as const), weight: 12 },
    { arbitrary: fc.constantFrom('broadcast' as const, 'zero' as const, 'any' as const), weight: 3 },
  ),
  n: fc.nat(),
});

function resolve(rig: HidRig, c: Chan): number {
  if (c.pick === 'broadcast') return BROADCAST_CID;
  if (c.pick === 'zero') return 0;
  if (c.pick === 'any' || rig.allocated.length === 0) return c.n >>> 0;
  return rig.allocated[rig.allocated.length - 1 - (c.n % Math.min(rig.allocated.length, 4))]!;
}

const cbor = (command: number, params?: Parameters<typeof encodeCbor>[0]): Uint8Array =>
  Uint8Array.from([command, ...(params === undefined ? [] : encodeCbor(params))]);

/** CTAP2 requests that reach the core: quick ones, ones that wait for a touch, broken ones. */
const CBOR_REQUESTS: readonly Uint8Array[] = [
  cbor(0x04),
  cbor(0x01, mcParams()),
  cbor(0x01, mcParams({ 7: { rk: true } })),
  cbor(0x02, gaParams()),
  cbor(0x06, new Map([[1, 2], [2, 1]])),
  cbor(0x06, new Map([[1, 2], [2, 2]])),
  cbor(0x07),
  cbor(0x08),
  cbor(0x0b),
  cbor(0x0a, new Map([[1, 1]])),
  Uint8Array.of(0x01, 0xa1),
  Uint8Array.of(0x42),
];

const lengths = fc.oneof(
  { arbitrary: fc.nat(120), weight: 6 },
  { arbitrary: fc.constantFrom(56, 57, 58, 115, 116, 117, 1024, MAX_MESSAGE - 1, MAX_MESSAGE), weight: 2 },
  { arbitrary: fc.nat(MAX_MESSAGE), weight: 1 },
);
const filled = (n: number, fill: number): Uint8Array => new Uint8Array(n).map((_, i) => (i * 31 + fill) & 0xff);

/** A command and a payload that fits it, or does not. */
const command: fc.Arbitrary<{ cmd: number; payload: Uint8Array }> = fc.oneof(
  { arbitrary: fc.tuple(lengths, fc.nat(0xff)).map(([n, f]) => ({ cmd: HidCmd.PING, payload: filled(n, f) })), weight: 3 },
  { arbitrary: fc.nat(CBOR_REQUESTS.length - 1).map((i) => ({ cmd: HidCmd.CBOR, payload: CBOR_REQUESTS[i]! })), weight: 4 },
  { arbitrary: fc.uint8Array({ maxLength: 80 }).map((payload) => ({ cmd: HidCmd.CBOR, payload })), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 80 }).map((payload) => ({ cmd: HidCmd.MSG, payload })), weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 10 }).map((payload) => ({ cmd: HidCmd.INIT, payload })), weight: 1 },
  { arbitrary: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((payload) => ({ cmd: HidCmd.INIT, payload })), weight: 3 },
  { arbitrary: fc.constantFrom(0, 1, 2).map((n) => ({ cmd: HidCmd.WINK, payload: new Uint8Array(n) })), weight: 1 },
  { arbitrary: fc.constantFrom(0, 1, 3, 10, 11, 255).map((s) => ({ cmd: HidCmd.LOCK, payload: Uint8Array.of(s) })), weight: 2 },
  { arbitrary: fc.constantFrom(0, 2).map((n) => ({ cmd: HidCmd.LOCK, payload: new Uint8Array(n) })), weight: 1 },
  { arbitrary: fc.constantFrom(0, 1).map((n) => ({ cmd: HidCmd.CANCEL, payload: new Uint8Array(n) })), weight: 3 },
  { arbitrary: fc.tuple(fc.constantFrom(0x00, 0x02, 0x05, 0x07, 0x12, 0x3b, 0x3f, 0x40, 0x50, 0x7f), fc.nat(10)).map(([cmd, n]) => ({ cmd, payload: new Uint8Array(n) })), weight: 1 },
);

const damage: fc.Arbitrary<FrameDamage> = fc.oneof(
  fc.record({ kind: fc.constant('seq' as const), at: fc.nat(), seq: fc.oneof(fc.nat(130), fc.constantFrom(0x7f, 0x80, 0xff)) }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
  // Declared lengths around and past the 7609-byte limit, and 0.
  fc.record({ kind: fc.constant('length' as const), length: fc.oneof(fc.constantFrom(0, 1, 57, 58, MAX_MESSAGE, MAX_MESSAGE + 1, 0x8000, 0xffff), fc.nat(0xffff)) }),
  fc.record({ kind: fc.constant('channel' as const), at: fc.nat(), to: chan }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat(63), bit: fc.nat(7) }),
);

/** `arb` in `weight` cases out of `weight + rest`, else undefined. */
const sometimes = <T>(arb: fc.Arbitrary<T>, weight: number, rest: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: rest }, { arbitrary: arb, weight });

export const action: fc.Arbitrary<Action> = fc.oneof(
  {
    arbitrary: fc
      .record({ on: chan, c: command, keep: sometimes(fc.nat(4), 1, 5), damage: sometimes(damage, 1, 3) })
      // INIT mostly on the broadcast channel, where it allocates: streams then have channels to use.
      .map(({ on, c, keep, damage }): Action => ({
        kind: 'message',
        on: c.cmd === HidCmd.INIT && on.n % 3 !== 0 ? { pick: 'broadcast', n: on.n } : on,
        cmd: c.cmd,
        payload: c.payload,
        keep,
        damage,
      })),
    weight: 12,
  },
  { arbitrary: fc.record({ kind: fc.constant('report' as const), on: chan, body: fc.uint8Array({ maxLength: 66 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('continuation' as const), on: chan, seq: fc.nat(0xff) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(50, 100, 300, 700, 800, 1500, 10_500) }), weight: 3 },
  { arbitrary: fc.constant({ kind: 'flush' as const }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('channels' as const), count: fc.constantFrom(1, 2, 1100) }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'powerCycle' as const }), weight: 1 },
);

function damaged(reports: Uint8Array[], d: FrameDamage, rig: HidRig): Uint8Array[] {
  const out = reports.map((r) => r.slice());
  const at = (n: number): number => n % out.length;
  switch (d.kind) {
    case 'seq':
      if (out.length > 1) out[1 + (d.at % (out.length - 1))]![4] = d.seq;
      else out[0]![4] = d.seq & 0x7f; // an initialization packet turned into a continuation
      break;
    case 'drop':
      out.splice(at(d.at), 1);
      break;
    case 'duplicate':
      out.splice(at(d.at), 0, out[at(d.at)]!);
      break;
    case 'swap': {
      const i = at(d.at);
      const j = (i + 1) % out.length;
      [out[i], out[j]] = [out[j]!, out[i]!];
      break;
    }
    case 'length':
      out[0]![5] = d.length >> 8;
      out[0]![6] = d.length & 0xff;
      break;
    case 'channel':
      new DataView(out[at(d.at)]!.buffer).setUint32(0, resolve(rig, d.to));
      break;
    case 'flip':
      out[at(d.at)]![d.byte]! ^= 1 << d.bit;
      break;
  }
  return out;
}

/** Plays `a` on `rig`. */
export async function apply(rig: HidRig, a: Action): Promise<void> {
  switch (a.kind) {
    case 'message': {
      let reports = fragment(resolve(rig, a.on), a.cmd, a.payload);
      if (a.damage) reports = damaged(reports, a.damage, rig);
      if (a.keep !== undefined) reports = reports.slice(0, a.keep); // a host that stops mid-message
      for (const r of reports) rig.write(r);
      return;
    }
    case 'report': {
      const r = new Uint8Array(4 + a.body.length);
      new DataView(r.buffer).setUint32(0, resolve(rig, a.on));
      r.set(a.body, 4);
      return rig.write(r);
    }
    case 'continuation': {
      const r = new Uint8Array(64).fill(0xcc);
      new DataView(r.buffer).setUint32(0, resolve(rig, a.on));
      r[4] = a.seq & 0x7f;
      return rig.write(r);
    }
    case 'advance':
      return rig.advance(a.ms);
    case 'flush':
      return rig.flush();
    case 'channels':
      for (let i = 0; i < a.count; i++) rig.send(BROADCAST_CID, HidCmd.INIT, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, i & 0xff));
      return;
    case 'powerCycle':
      rig.device.powerCycle();
      rig.auth.powerCycle();
      return;
  }
}
