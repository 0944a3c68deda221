// The host side of CTAPHID: allocate a channel, send a message, follow keepalives, cancel.
import {
  BROADCAST_CID, Capability, HidCmd, hidErrorName, MAX_MESSAGE,
} from './constants.js';
import { fragment, parsePacket, Reassembly } from './framing.js';
import type { ReportPipe } from './pipe.js';
import { hostRandom } from '../util/randomPool.js';

export class CtapHidError extends Error {
  constructor(readonly code: number, message?: string) {
    super(message ?? `CTAPHID error ${hidErrorName(code)}`);
    this.name = 'CtapHidError';
  }
}

export interface TransactOptions {
  signal?: AbortSignal;
  /** Called with each KEEPALIVE status byte (1 processing, 2 waiting for a touch). */
  onKeepalive?(status: number): void;
  /** Give up when the device says nothing (not even a keepalive) for this long. */
  timeoutMs?: number;
  /**
   * A performance.now() time: once past it the host cancels the request as for an aborted signal
   * (the device answers KEEPALIVE_CANCEL). A ceremony's time-out without an AbortController and a
   * timer of its own: the exchange's one timer serves both.
   */
  deadline?: number;
}

export interface DeviceVersion {
  protocol: number;
  major: number;
  minor: number;
  build: number;
  capabilities: number;
}

export class CtapHidHost {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly pipe: ReportPipe,
    readonly cid: number,
    readonly device: DeviceVersion,
  ) {}

  /** CTAPHID_INIT on the broadcast channel: a channel of our own. */
  static async open(pipe: ReportPipe, options: { timeoutMs?: number } = {}): Promise<CtapHidHost> {
    const nonce = hostRandom(8);
    const body = await exchange(pipe, BROADCAST_CID, HidCmd.INIT, nonce, {
      timeoutMs: options.timeoutMs ?? 3000,
      accept: (data) => data.length >= 17 && nonce.every((b, i) => b === data[i]),
    });
    const view = new DataView(body.buffer, body.byteOffset);
    return new CtapHidHost(pipe, view.getUint32(8), {
      protocol: body[12]!,
      major: body[13]!,
      minor: body[14]!,
      build: body[15]!,
      capabilities: body[16]!,
    });
  }

  get supportsCbor(): boolean {
    return (this.device.capabilities & Capability.CBOR) !== 0;
  }

  /** One request and its response; requests on one host run one after another. */
  transact(cmd: number, payload: Uint8Array, options: TransactOptions = {}): Promise<Uint8Array> {
    const run = this.queue.then(() => exchange(this.pipe, this.cid, cmd, payload, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  cbor(request: Uint8Array, options?: TransactOptions): Promise<Uint8Array> {
    return this.transact(HidCmd.CBOR, request, options);
  }

  msg(apdu: Uint8Array, options?: TransactOptions): Promise<Uint8Array> {
    return this.transact(HidCmd.MSG, apdu, options);
  }

  ping(data: Uint8Array): Promise<Uint8Array> {
    return this.transact(HidCmd.PING, data);
  }

  wink(): Promise<Uint8Array> {
    return this.transact(HidCmd.WINK, new Uint8Array(0));
  }

  close(): void | Promise<void> {
    return this.pipe.close();
  }
}

interface ExchangeOptions extends TransactOptions {
  accept?(data: Uint8Array): boolean;
}

/** The longest a timer waits (setTimeout's limit, 2^31 - 1 ms: about 24.8 days). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Sends one message on `cid` and resolves with the payload of the matching response. */
function exchange(pipe: ReportPipe, cid: number, cmd: number, payload: Uint8Array, opts: ExchangeOptions): Promise<Uint8Array> {
  if (payload.length > MAX_MESSAGE) return Promise.reject(new RangeError('message too long for CTAPHID'));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) return Promise.reject(new RangeError(`timeoutMs must be from 1 to ${MAX_TIMEOUT_MS} ms`));
  const deadline = opts.deadline;
  if (deadline !== undefined && !Number.isFinite(deadline)) return Promise.reject(new RangeError('deadline must be a performance.now() time'));
  return new Promise<Uint8Array>((resolve, reject) => {
    let msg: Reassembly | undefined;
    // One timer for the device's silence and the deadline: a report moves lastHeard, and the timer,
    // when it fires, waits out the rest (no timer made and cleared per report). A monotonic clock: a
    // wall-clock step must neither time out a device that keeps talking nor stretch the wait.
    let lastHeard = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let written = false;
    let cancelled = false;
    let done = false;
    // The deadline cancels once, and only a request that is out (else right after its last report).
    const cancelIfDue = (now: number): void => {
      if (written && !cancelled && deadline !== undefined && now >= deadline - 1) {
        cancelled = true;
        onAbort();
      }
    };
    const rearm = (now: number): void => {
      const untilDeadline = deadline === undefined || cancelled ? Infinity : deadline - now;
      timer = setTimeout(wake, Math.max(1, Math.min(timeoutMs - (now - lastHeard), untilDeadline)));
    };
    const wake = (): void => {
      const now = performance.now();
      cancelIfDue(now);
      if (done) return;
      if (now - lastHeard >= timeoutMs - 1) return finish(new CtapHidError(0, `no answer from the device in ${timeoutMs} ms`));
      rearm(now);
    };
    const arm = (): void => {
      lastHeard = performance.now();
    };
    const onAbort = (): void => {
      // §11.2.9.1.5: the device answers the pending request with KEEPALIVE_CANCEL.
      void Promise.resolve(pipe.write(fragment(cid, HidCmd.CANCEL, new Uint8Array(0))[0]!)).catch(() => undefined);
    };
    const finish = (result: Uint8Array | Error): void => {
      done = true;
      clearTimeout(timer);
      unsubscribe();
      opts.signal?.removeEventListener('abort', onAbort);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const unsubscribe = pipe.onReport((report) => {
      const p = parsePacket(report);
      if (!p || p.cid !== cid) return;
      if (p.kind === 'cont') {
        if (!msg) return;
        if (!msg.add(p.seq, p.data)) return finish(new CtapHidError(0, 'device sent packets out of sequence'));
      } else if (p.cmd === HidCmd.KEEPALIVE) {
        arm();
        return opts.onKeepalive?.(p.data[0]!);
      } else if (p.cmd === HidCmd.ERROR) {
        return finish(new CtapHidError(p.data[0]!));
      } else if (p.cmd === cmd) {
        msg = new Reassembly(cid, p.cmd, p.length, p.data);
        if (opts.accept && msg.complete && !opts.accept(msg.data)) return (msg = undefined);
      } else return;
      arm();
      if (msg?.complete) finish(msg.data);
    });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    rearm(lastHeard);
    (async () => {
      // Without a wait between reports when the pipe takes them at once (the loopback's do).
      for (const r of fragment(cid, cmd, payload)) {
        const w = pipe.write(r);
        if (w) await w;
      }
      written = true;
      if (opts.signal?.aborted) onAbort();
      else cancelIfDue(performance.now());
    })().catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
  });
}
