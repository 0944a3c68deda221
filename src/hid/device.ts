// The device side of CTAPHID (CTAP 2.1 §11.2): channels, reassembly, busy and lock rules,
// keepalives and cancel. Pure: reports come in through receive(), go out through send().
import { KeepaliveStatus, type KeepaliveStatusCode } from '../ctap/constants.js';
import type { RequestContext } from '../ctap2/env.js';
import {
  BROADCAST_CID, Capability, CTAPHID_PROTOCOL_VERSION, HidCmd, HidError, MAX_MESSAGE,
} from './constants.js';
import type { HidFault, HidFaultHook } from './faults.js';
import { fragment, parsePacket, Reassembly } from './framing.js';
import { systemTimers, type Timers } from './timers.js';

export interface CtapHidHandlers {
  /** CTAPHID_CBOR: a CTAP2 request to its response (status byte first). Absent (a U2F-only key): no CBOR capability. */
  cbor?(request: Uint8Array, ctx: RequestContext): Promise<Uint8Array>;
  /** CTAPHID_MSG: a CTAP1/U2F APDU to its response. Absent: the NMSG capability is announced. */
  msg?(apdu: Uint8Array, ctx: RequestContext): Promise<Uint8Array>;
  wink?(): void;
}

export interface CtapHidDeviceOptions {
  timers?: Timers;
  /** An unfinished message is dropped with ERR_MSG_TIMEOUT after this long (spec: 0.5-1 s). */
  transactionTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  version?: [major: number, minor: number, build: number];
  /** Fault injection for tests (faults.ts). */
  faults?: HidFaultHook;
}

interface Pending {
  cid: number;
  /** Made when the request first reads its signal (most never wait on the user, and one costs microseconds). */
  controller: AbortController | undefined;
  cancelled: boolean;
  status: KeepaliveStatusCode;
  timer: unknown;
}

/** CANCEL, a resync, a power cycle or close: the request's signal aborts, now or when it is first read. */
function cancel(p: Pending | undefined): void {
  if (!p) return;
  p.cancelled = true;
  p.controller?.abort();
}

function signalOf(p: Pending): AbortSignal {
  if (!p.controller) {
    p.controller = new AbortController();
    if (p.cancelled) p.controller.abort();
  }
  return p.controller.signal;
}

const MAX_CHANNELS = 1024;
/** How long past the message time-out the key waits for the reports already sent but not yet read (see receive()). */
const READ_GRACE_MS = 20;

export class CtapHidDevice {
  private readonly timers: Timers;
  private readonly transactionTimeoutMs: number;
  private readonly keepaliveIntervalMs: number;
  private readonly version: [number, number, number];
  /** Allocated channels, least recently used first. */
  private readonly channels = new Set<number>();
  private nextCid = 1;
  private assembling: { msg: Reassembly; timer: unknown } | undefined;
  private pending: Pending | undefined;
  private lock: { cid: number; until: number } | undefined;
  private readonly faults: HidFaultHook | undefined;

  constructor(
    private readonly handlers: CtapHidHandlers,
    private readonly send: (report: Uint8Array) => void,
    options: CtapHidDeviceOptions = {},
  ) {
    this.timers = options.timers ?? systemTimers;
    this.transactionTimeoutMs = options.transactionTimeoutMs ?? 750;
    this.keepaliveIntervalMs = options.keepaliveIntervalMs ?? 100;
    this.version = options.version ?? [0, 1, 0];
    this.faults = options.faults;
  }

  /** One 64-byte output report from the host. */
  receive(report: Uint8Array): void {
    const p = parsePacket(report);
    if (!p) return;
    if (p.cid === 0) return this.error(0, HidError.INVALID_CHANNEL);
    if (p.kind === 'cont') return this.continuation(p.cid, p.seq, p.data);
    if (p.cmd === HidCmd.INIT) return this.init(p.cid, p.length, p.data);
    if (p.cid === BROADCAST_CID || !this.channels.has(p.cid)) return this.error(p.cid, HidError.INVALID_CHANNEL);
    this.used(p.cid);
    if (this.lock && this.lock.cid !== p.cid && this.timers.now() < this.lock.until) {
      return this.error(p.cid, HidError.CHANNEL_BUSY);
    }
    if (this.pending) {
      // §11.2.9.1.5: CANCEL on the busy channel aborts; anything else waits its turn.
      if (p.cmd === HidCmd.CANCEL) {
        if (this.pending.cid === p.cid) cancel(this.pending);
        return;
      }
      return this.error(p.cid, HidError.CHANNEL_BUSY);
    }
    if (this.assembling) {
      const same = this.assembling.msg.cid === p.cid;
      if (same) this.dropAssembly();
      if (p.cmd === HidCmd.CANCEL && same) return;
      return this.error(p.cid, same ? HidError.INVALID_SEQ : HidError.CHANNEL_BUSY);
    }
    if (p.cmd === HidCmd.CANCEL) return; // nothing to cancel
    if (p.length > MAX_MESSAGE) return this.error(p.cid, HidError.INVALID_LEN);
    const msg = new Reassembly(p.cid, p.cmd, p.length, p.data);
    if (msg.complete) return this.dispatch(msg.cid, msg.cmd, msg.data);
    const expire = (again: boolean): void => {
      if (this.assembling?.msg !== msg) return;
      // A process starved of CPU can find this timer due before it has read reports that came in
      // time (they wait in the socket or /dev/uhid): it looks once more after the transport's next read.
      if (again) return void (this.assembling.timer = this.timers.setTimeout(() => expire(false), READ_GRACE_MS));
      this.assembling = undefined;
      this.error(msg.cid, HidError.MSG_TIMEOUT);
    };
    this.assembling = { msg, timer: this.timers.setTimeout(() => expire(true), this.transactionTimeoutMs) };
  }

  /** Stops timers and abandons any request in progress (its response is never sent). */
  close(): void {
    this.dropAssembly();
    cancel(this.finishPending());
  }

  /**
   * The key lost power: a lock, a half-received message and a request in progress are gone (the
   * request is aborted and never answered). Channels stay, so a host keeps talking on its own.
   */
  powerCycle(): void {
    this.close();
    this.lock = undefined;
  }

  private continuation(cid: number, seq: number, data: Uint8Array): void {
    const a = this.assembling;
    if (!a) return; // §11.2.4: a continuation with no transaction is ignored
    if (a.msg.cid !== cid) {
      if (this.channels.has(cid)) this.error(cid, HidError.CHANNEL_BUSY);
      return;
    }
    if (!a.msg.add(seq, data)) {
      this.dropAssembly();
      return this.error(cid, HidError.INVALID_SEQ);
    }
    if (a.msg.complete) {
      this.dropAssembly();
      this.dispatch(a.msg.cid, a.msg.cmd, a.msg.data);
    }
  }

  private init(cid: number, length: number, data: Uint8Array): void {
    // §11.2.9.1.3: an 8-byte nonce; on the broadcast channel allocate, on a channel resync it.
    if (length !== 8) return this.error(cid, HidError.INVALID_LEN);
    if (cid !== BROADCAST_CID) {
      if (!this.channels.has(cid)) return this.error(cid, HidError.INVALID_CHANNEL);
      this.used(cid);
      if (this.assembling?.msg.cid === cid) this.dropAssembly();
      if (this.pending?.cid === cid) cancel(this.finishPending());
    }
    const newCid = cid === BROADCAST_CID ? this.allocate() : cid;
    const body = new Uint8Array(17);
    body.set(data.subarray(0, 8), 0);
    new DataView(body.buffer).setUint32(8, newCid);
    body[12] = CTAPHID_PROTOCOL_VERSION;
    body.set(this.version, 13);
    body[16] = Capability.WINK | (this.handlers.cbor ? Capability.CBOR : 0) | (this.handlers.msg ? 0 : Capability.NMSG);
    this.reply(cid, HidCmd.INIT, body);
  }

  /** Past MAX_CHANNELS, the least recently used channel goes, never one a host is using now. */
  private allocate(): number {
    const cid = this.nextCid;
    this.nextCid = this.nextCid >= 0xfffffffe ? 1 : this.nextCid + 1;
    this.channels.add(cid);
    if (this.channels.size > MAX_CHANNELS) {
      for (const old of this.channels) {
        if (old === this.pending?.cid || old === this.assembling?.msg.cid || old === this.lock?.cid) continue;
        this.channels.delete(old);
        break;
      }
    }
    return cid;
  }

  /** Marks a channel most recently used (a Set iterates in insertion order). */
  private used(cid: number): void {
    this.channels.delete(cid);
    this.channels.add(cid);
  }

  private dispatch(cid: number, cmd: number, data: Uint8Array, fault = this.faults?.({ cid, cmd, data })): void {
    if (fault?.busy) return this.error(cid, HidError.CHANNEL_BUSY);
    if (fault?.noAnswer) return;
    if (fault?.delayMs && cmd !== HidCmd.CBOR && cmd !== HidCmd.MSG) {
      this.timers.setTimeout(() => this.dispatch(cid, cmd, data, {}), fault.delayMs);
      return;
    }
    switch (cmd) {
      case HidCmd.PING:
        return this.reply(cid, HidCmd.PING, data);
      case HidCmd.WINK:
        if (data.length !== 0) return this.error(cid, HidError.INVALID_LEN);
        this.handlers.wink?.();
        return this.reply(cid, HidCmd.WINK, new Uint8Array(0));
      case HidCmd.LOCK:
        return this.setLock(cid, data);
      case HidCmd.CBOR: {
        const cbor = this.handlers.cbor;
        if (!cbor) return this.error(cid, HidError.INVALID_CMD);
        if (data.length === 0) return this.error(cid, HidError.INVALID_LEN);
        return this.run(cid, cmd, (ctx) => cbor(data, ctx), fault);
      }
      case HidCmd.MSG: {
        const msg = this.handlers.msg;
        if (!msg) return this.error(cid, HidError.INVALID_CMD);
        return this.run(cid, cmd, (ctx) => msg(data, ctx), fault);
      }
      default:
        return this.error(cid, HidError.INVALID_CMD);
    }
  }

  private setLock(cid: number, data: Uint8Array): void {
    // §11.2.9.2.2: lock for 0-10 s; 0 releases.
    if (data.length !== 1) return this.error(cid, HidError.INVALID_LEN);
    const seconds = data[0]!;
    if (seconds > 10) return this.error(cid, HidError.INVALID_PAR);
    this.lock = seconds === 0 ? undefined : { cid, until: this.timers.now() + seconds * 1000 };
    this.reply(cid, HidCmd.LOCK, new Uint8Array(0));
  }

  /** Runs a request that may wait for the user, sending KEEPALIVE meanwhile. */
  private run(cid: number, cmd: number, work: (ctx: RequestContext) => Promise<Uint8Array>, fault?: HidFault): void {
    const pending: Pending = { cid, controller: undefined, cancelled: false, status: KeepaliveStatus.PROCESSING, timer: undefined };
    const k = fault?.keepalive;
    const interval = k === 'drop' ? undefined : k?.intervalMs ?? this.keepaliveIntervalMs;
    const tick = (): void => {
      if (this.pending !== pending) return;
      this.reply(cid, HidCmd.KEEPALIVE, new Uint8Array([pending.status]));
      pending.timer = this.timers.setTimeout(tick, interval!);
    };
    if (interval !== undefined) pending.timer = this.timers.setTimeout(tick, interval);
    this.pending = pending;
    const ctx: RequestContext = {
      channel: cid,
      get signal() {
        return signalOf(pending);
      },
      get cancelled() {
        return pending.cancelled;
      },
      keepalive: (status) => {
        pending.status = status;
      },
    };
    // A request abandoned during a delay (resync, power cycle, close) is never handled.
    const delayed = fault?.delayMs
      ? this.after(fault.delayMs).then(() => (this.pending === pending ? work(ctx) : Promise.reject(new Error('abandoned'))))
      : work(ctx);
    delayed.then(
      (response) => {
        if (this.pending !== pending) return; // resynced or closed meanwhile: nobody waits for it
        this.finishPending();
        this.reply(cid, cmd, response);
      },
      () => {
        if (this.pending !== pending) return;
        this.finishPending();
        this.error(cid, HidError.OTHER);
      },
    );
  }

  /** Resolves after `ms` (a delay fault; the request stays pending, so keepalives and CANCEL go on). */
  private after(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.setTimeout(resolve, ms));
  }

  private finishPending(): Pending | undefined {
    const p = this.pending;
    if (p) this.timers.clearTimeout(p.timer);
    this.pending = undefined;
    return p;
  }

  private dropAssembly(): void {
    if (this.assembling) this.timers.clearTimeout(this.assembling.timer);
    this.assembling = undefined;
  }

  private reply(cid: number, cmd: number, payload: Uint8Array): void {
    for (const report of fragment(cid, cmd, payload)) this.send(report);
  }

  private error(cid: number, code: number): void {
    this.reply(cid, HidCmd.ERROR, new Uint8Array([code]));
  }
}
