// A CTAPHID device with the real core behind it, on fake time, and a checker that reads every
// report it sends: each reply must be a well-formed CTAPHID message (an ERROR with a named code, a
// KEEPALIVE during a request, or the echo of a command the host sent on that channel).
import { Authenticator } from '../../src/ctap2/authenticator.js';
import type { PresenceResult } from '../../src/ctap2/env.js';
import { CtapHidDevice } from '../../src/hid/device.js';
import { BROADCAST_CID, CONT_DATA, HidCmd, HidError, INIT_DATA, MAX_MESSAGE, REPORT_SIZE } from '../../src/hid/constants.js';
import { fragment, parsePacket } from '../../src/hid/framing.js';
import { MemoryStore } from '../../src/keystore/memory.js';
import { toHex } from '../../src/util/bytes.js';
import { FakeTimers } from '../helpers/fakeTimers.js';
import { checkResponse } from './checks.js';
import { randomBytes } from 'node:crypto';

export interface RigOptions {
  /** What the user does when asked for a touch, and after how long (fake) time. */
  presence: PresenceResult;
  presenceDelayMs: number;
  /** A CTAP1 handler behind MSG (else the device announces NMSG and refuses MSG). */
  msg: boolean;
}

const HID_ERRORS = new Set<number>(Object.values(HidError));
const BASE_TIME = 1_700_000_000_000;

export class HidRig {
  readonly timers = new FakeTimers();
  readonly device: CtapHidDevice;
  readonly auth: Authenticator;
  /** Channels the device handed out (from its INIT replies), oldest first. */
  readonly allocated: number[] = [];
  /** `${cid}:${cmd}` of every initialization packet the host sent: what a reply may echo. */
  private readonly sent = new Set<string>();
  /** INIT nonces the host sent, per channel. */
  private readonly nonces = new Map<number, Set<string>>();
  /** Every complete reply, in order (the liveness check reads them). */
  readonly replies: { cid: number; cmd: number; data: Uint8Array }[] = [];
  private partial: { cid: number; cmd: number; data: Uint8Array; filled: number; seq: number } | undefined;

  constructor(readonly options: RigOptions) {
    this.auth = new Authenticator(
      {
        now: () => BASE_TIME + this.timers.now(),
        randomBytes: (n) => new Uint8Array(randomBytes(n)),
        userPresence: (_r, signal) =>
          new Promise((resolve) => {
            const t = this.timers.setTimeout(() => resolve(options.presence), options.presenceDelayMs);
            signal.addEventListener('abort', () => (this.timers.clearTimeout(t), resolve('denied')), { once: true });
          }),
        store: new MemoryStore(),
      },
      { resetWindowMs: null },
    );
    this.auth.onInternalError = (e) => {
      throw e;
    };
    this.device = new CtapHidDevice(
      {
        cbor: (request, ctx) => this.auth.handle(request, ctx),
        msg: options.msg
          ? (apdu, ctx) =>
              new Promise((resolve) => {
                // A CTAP1 stand-in that takes a little time: SW_INS_NOT_SUPPORTED, or SW_CONDITIONS_NOT_SATISFIED if cancelled.
                const t = this.timers.setTimeout(() => resolve(Uint8Array.of(0x6d, 0x00)), apdu.length % 3 === 0 ? 0 : 150);
                ctx.signal.addEventListener('abort', () => (this.timers.clearTimeout(t), resolve(Uint8Array.of(0x69, 0x85))), { once: true });
              })
          : undefined,
        wink: () => {},
      },
      (report) => this.read(report),
      { timers: this.timers },
    );
  }

  /** One output report to the device, remembering what it may answer. */
  write(report: Uint8Array): void {
    const p = parsePacket(report);
    if (p?.kind === 'init') {
      remember(this.sent, `${p.cid}:${p.cmd}`);
      if (p.cmd === HidCmd.INIT) {
        const set = this.nonces.get(p.cid) ?? new Set<string>();
        remember(set, toHex(p.data.subarray(0, 8)));
        this.nonces.delete(p.cid);
        this.nonces.set(p.cid, set);
        if (this.nonces.size > LIMIT) this.nonces.delete(this.nonces.keys().next().value!);
      }
    }
    this.device.receive(report);
  }

  /** A whole message, fragmented as a host does. */
  send(cid: number, cmd: number, payload: Uint8Array): void {
    for (const r of fragment(cid, cmd, payload)) this.write(r);
  }

  /** A channel of its own, as a host gets one first (INIT on the broadcast channel). */
  open(): number {
    const before = this.allocated.length;
    this.send(BROADCAST_CID, HidCmd.INIT, new Uint8Array(randomBytes(8)));
    if (this.allocated.length !== before + 1) throw new Error('INIT on the broadcast channel allocated nothing');
    return this.allocated.at(-1)!;
  }

  /** Lets the core's promises settle (it never waits on real time here). */
  async flush(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  }

  /** Fake time passes in small steps, the core running between them. */
  async advance(ms: number): Promise<void> {
    for (let left = ms; left > 0; left -= 100) {
      this.timers.advance(Math.min(100, left));
      await this.flush();
    }
  }

  private read(report: Uint8Array): void {
    if (report.length !== REPORT_SIZE) throw new Error(`the device sent a ${report.length}-byte report`);
    const p = parsePacket(report)!;
    const m = this.partial;
    if (m) {
      if (p.kind !== 'cont' || p.cid !== m.cid || p.seq !== m.seq) throw new Error(`reply on ${hex(m.cid)} interrupted by ${toHex(report.subarray(0, 7))}`);
      const n = Math.min(CONT_DATA, m.data.length - m.filled);
      m.data.set(p.data.subarray(0, n), m.filled);
      m.filled += n;
      m.seq++;
      if (m.filled === m.data.length) this.complete(m.cid, m.cmd, m.data);
      return;
    }
    if (p.kind !== 'init') throw new Error(`a continuation packet with no reply begun: ${toHex(report.subarray(0, 7))}`);
    if (p.length > MAX_MESSAGE) throw new Error(`reply declares ${p.length} bytes`);
    const data = new Uint8Array(p.length);
    data.set(p.data.subarray(0, Math.min(p.length, INIT_DATA)));
    if (p.length <= INIT_DATA) return this.complete(p.cid, p.cmd, data);
    this.partial = { cid: p.cid, cmd: p.cmd, data, filled: INIT_DATA, seq: 0 };
  }

  private complete(cid: number, cmd: number, data: Uint8Array): void {
    this.partial = undefined;
    this.replies.push({ cid, cmd, data });
    if (this.replies.length > 256) this.replies.shift();
    const where = `${hex(cid)} ${cmd.toString(16)} ${toHex(data.subarray(0, 32))}`;
    const bad = (why: string): never => {
      throw new Error(`bad reply ${where}: ${why}`);
    };
    switch (cmd) {
      case HidCmd.ERROR:
        if (data.length !== 1 || !HID_ERRORS.has(data[0]!)) bad('not one named CTAPHID error code');
        if (data[0] === HidError.OTHER) bad('ERR_OTHER: a handler failed');
        return;
      case HidCmd.KEEPALIVE:
        if (data.length !== 1 || (data[0] !== 1 && data[0] !== 2)) bad('keepalive status is not PROCESSING or UPNEEDED');
        if (!this.sent.has(`${cid}:${HidCmd.CBOR}`) && !this.sent.has(`${cid}:${HidCmd.MSG}`)) bad('keepalive on a channel with no request');
        return;
      case HidCmd.INIT: {
        if (data.length !== 17) bad('INIT reply is not 17 bytes');
        if (!this.nonces.get(cid)?.has(toHex(data.subarray(0, 8)))) bad('INIT reply to a nonce never sent on this channel');
        const newCid = new DataView(data.buffer, data.byteOffset).getUint32(8);
        if (newCid === 0 || newCid === BROADCAST_CID) bad('allocated a reserved channel');
        if (cid !== BROADCAST_CID && newCid !== cid) bad('a resync moved the channel');
        if (cid === BROADCAST_CID) this.allocated.push(newCid);
        if (this.allocated.length > 2048) this.allocated.splice(0, 1024);
        return;
      }
      case HidCmd.PING:
      case HidCmd.WINK:
      case HidCmd.LOCK:
      case HidCmd.CBOR:
      case HidCmd.MSG:
        if (!this.sent.has(`${cid}:${cmd}`)) bad('echoes a command never sent on this channel');
        if ((cmd === HidCmd.WINK || cmd === HidCmd.LOCK) && data.length) bad('WINK and LOCK replies are empty');
        if (cmd === HidCmd.MSG && data.length < 2) bad('a CTAP1 reply has at least a status word');
        if (cmd === HidCmd.CBOR) {
          try {
            checkResponse(data);
          } catch (e) {
            bad((e as Error).message);
          }
        }
        return;
      default:
        bad('not a reply command');
    }
  }

  /** How much the device holds: channels and timers, for the bounds checks. */
  held(): { channels: number; timers: number } {
    const channels = (this.device as unknown as { channels?: Set<number> }).channels?.size ?? 0;
    return { channels, timers: this.timers.pending };
  }

  /**
   * After whatever came before: a new host gets a channel with INIT on the broadcast channel, then
   * an answer to getInfo on it, waiting out a lock or a request in progress (CHANNEL_BUSY).
   */
  async stillAnswers(): Promise<void> {
    await this.flush();
    const nonce = new Uint8Array(randomBytes(8));
    this.replies.length = 0;
    this.send(BROADCAST_CID, HidCmd.INIT, nonce);
    const init = this.replies.find((r) => r.cid === BROADCAST_CID && r.cmd === HidCmd.INIT && toHex(r.data.subarray(0, 8)) === toHex(nonce));
    if (!init) throw new Error('no INIT reply on the broadcast channel');
    const cid = new DataView(init.data.buffer, init.data.byteOffset).getUint32(8);
    // A lock lasts at most 10 s and a touch a few hundred ms: 12 s of fake time is plenty.
    for (let waited = 0; waited <= 12_000; waited += 500) {
      this.replies.length = 0;
      this.send(cid, HidCmd.CBOR, Uint8Array.of(0x04));
      for (let i = 0; i < 20 && !this.replies.some((r) => r.cid === cid && r.cmd !== HidCmd.KEEPALIVE); i++) await this.advance(100);
      const answer = this.replies.find((r) => r.cid === cid && r.cmd !== HidCmd.KEEPALIVE);
      if (answer?.cmd === HidCmd.CBOR) {
        if (answer.data[0] !== 0) throw new Error(`getInfo answered status ${answer.data[0]}`);
        return;
      }
      if (!(answer?.cmd === HidCmd.ERROR && answer.data[0] === HidError.CHANNEL_BUSY)) {
        throw new Error(`getInfo got ${answer ? `${answer.cmd.toString(16)} ${toHex(answer.data)}` : 'no answer'}`);
      }
      await this.advance(500);
    }
    throw new Error('still CHANNEL_BUSY after 12 s');
  }
}

/**
 * How much of the host's past the checker keeps: far more than a reply can lag behind, and bounded,
 * so that over a long run the heap measures the device, not the checker.
 */
const LIMIT = 4096;

/** Adds `key` as the newest entry of `set`, dropping the oldest past LIMIT. */
function remember(set: Set<string>, key: string): void {
  set.delete(key);
  set.add(key);
  if (set.size > LIMIT) set.delete(set.values().next().value!);
}

const hex = (cid: number): string => `cid ${cid.toString(16).padStart(8, '0')}`;
