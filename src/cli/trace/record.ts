// `serve --trace FILE`: every HID report in and out of each key, with its time and channel, and
// each whole message decoded. Secrets are redacted by describe.ts, as `-v` redacts them, and the
// same bytes are zeros in the recorded reports, so the file holds no secret -v would hide.
import { closeSync, openSync, writeSync } from 'node:fs';
import { encodeCbor, type CborValue } from '../../ctap/cbor.js';
import { KeepaliveStatus } from '../../ctap/constants.js';
import { HidCmd, hidCmdName, hidErrorName, INIT_DATA, CONT_DATA } from '../../hid/constants.js';
import { parsePacket, Reassembly } from '../../hid/framing.js';
import type { VirtualAuthenticator } from '../../node/virtual.js';
import { fromHex, toHex } from '../../util/bytes.js';
import { describeApdu, describeApduResponse, describeRequest, describeResponse, type RedactedSink } from '../describe.js';
import { cidText, TRACE_FORMAT, TRACE_VERSION, type Direction, type MessageRecord, type ReportRecord, type TraceHeader } from './format.js';

/** A message whose next report has not come for this long is written as it is, never decoded. */
const STALE_MS = 2000;

const KEEPALIVE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(KeepaliveStatus).map(([k, v]) => [v, k]));

/** A CTAPHID message in words; CBOR and MSG through describe.ts, which hands `sink` the secrets. */
export function describeMessage(dir: Direction, cmd: number, payload: Uint8Array, request: Uint8Array | undefined, sink?: RedactedSink): string {
  switch (cmd) {
    case HidCmd.CBOR:
      return dir === 'in' ? describeRequest(payload, sink) : describeResponse(request ?? new Uint8Array(0), payload, sink);
    case HidCmd.MSG:
      return dir === 'in' ? describeApdu(payload) : describeApduResponse(payload);
    case HidCmd.INIT:
      if (dir === 'in' || payload.length < 17) return `${dir === 'in' ? '->' : '<-'} INIT nonce ${toHex(payload.subarray(0, 8))}`;
      return `<- INIT nonce ${toHex(payload.subarray(0, 8))} channel ${toHex(payload.subarray(8, 12))} protocol ${payload[12]} version ${[...payload.subarray(13, 16)].join('.')} capabilities 0x${payload[16]!.toString(16)}`;
    case HidCmd.KEEPALIVE:
      return `<- KEEPALIVE ${KEEPALIVE_NAMES[payload[0]!] ?? payload[0]}`;
    case HidCmd.ERROR:
      return `<- ERROR ${hidErrorName(payload[0] ?? 0x7f)}`;
    default:
      return `${dir === 'in' ? '->' : '<-'} ${hidCmdName(cmd)}${payload.length > 0 ? ` (${payload.length} bytes)` : ''}`;
  }
}

/** Every byte string inside a redacted value (a COSE key's coordinates, say). */
export function byteStrings(v: CborValue, out: Uint8Array[] = []): Uint8Array[] {
  if (v instanceof Uint8Array) out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => byteStrings(x, out));
  else if (v instanceof Map) v.forEach((x) => byteStrings(x, out));
  return out;
}

/** The payload with the contents of these byte strings zeroed wherever their CBOR encoding occurs. */
export function zeroed(payload: Uint8Array, secrets: readonly Uint8Array[]): Uint8Array {
  const out = payload.slice();
  for (const s of secrets) {
    if (s.length === 0) continue;
    const encoded = encodeCbor(s);
    const header = encoded.length - s.length;
    for (let i = out.indexOf(encoded[0]!); i >= 0 && i + encoded.length <= out.length; i = out.indexOf(encoded[0]!, i + 1)) {
      if (encoded.every((b, j) => out[i + j] === b)) out.fill(0, i + header, i + encoded.length);
    }
  }
  return out;
}

interface Entry {
  line: ReportRecord | MessageRecord | TraceHeader;
  ready: boolean;
}

interface Assembly {
  msg: Reassembly;
  entries: Entry[];
  at: number;
}

export class TraceRecorder {
  private readonly queue: Entry[] = [];
  private readonly assembling = new Map<string, Assembly>();
  /** The last CBOR request per key and channel: a response is decoded by its command. */
  private readonly requests = new Map<string, Uint8Array>();
  private readonly start: number;

  constructor(private readonly write: (line: string) => void, keys: readonly VirtualAuthenticator[], private readonly now = (): number => performance.now()) {
    this.start = now();
    const header: TraceHeader = { trace: TRACE_FORMAT, version: TRACE_VERSION, started: new Date().toISOString(), keys: keys.map((k) => k.info()) };
    this.write(JSON.stringify(header));
  }

  /** Records key `index`'s reports from now on; returns what stops it. */
  attach(key: VirtualAuthenticator, index: number): () => void {
    return key.tap((dir, report) => this.report(index, dir, report));
  }

  report(key: number, dir: Direction, report: Uint8Array): void {
    const t = Math.round((this.now() - this.start) * 1000) / 1000;
    const p = parsePacket(report);
    const entry: Entry = { line: { t, key, dir, cid: p ? cidText(p.cid) : '', report: toHex(report) }, ready: p === undefined };
    this.queue.push(entry);
    this.dropStale(t);
    if (p) {
      const slot = `${key}:${dir}:${p.cid}`;
      let a = this.assembling.get(slot);
      if (p.kind === 'init') {
        if (a) this.abandon(slot, a);
        a = { msg: new Reassembly(p.cid, p.cmd, p.length, p.data), entries: [entry], at: t };
        this.assembling.set(slot, a);
      } else if (a && a.msg.add(p.seq, p.data)) {
        a.entries.push(entry);
        a.at = t;
      } else {
        if (a) this.abandon(slot, a);
        entry.ready = true;
        a = undefined;
      }
      if (a?.msg.complete) this.finish(slot, key, dir, a, t);
    }
    this.flush();
  }

  /** Writes what is still held back (messages never completed, as their raw reports). */
  close(): void {
    for (const [slot, a] of this.assembling) this.abandon(slot, a);
    this.flush();
  }

  private finish(slot: string, key: number, dir: Direction, a: Assembly, t: number): void {
    this.assembling.delete(slot);
    const { cid, cmd, data } = a.msg;
    const channel = `${key}:${cid}`;
    if (dir === 'in' && cmd === HidCmd.CBOR) this.requests.set(channel, data);
    const secrets: Uint8Array[] = [];
    const text = describeMessage(dir, cmd, data, this.requests.get(channel), (_name, v) => byteStrings(v, secrets));
    const clean = zeroed(data, secrets);
    a.entries.forEach((e, i) => {
      const line = e.line as ReportRecord;
      const report = fromHex(line.report);
      const [at, from, n] = i === 0 ? [7, 0, INIT_DATA] : [5, INIT_DATA + (i - 1) * CONT_DATA, CONT_DATA];
      const part = clean.subarray(from, Math.min(from + n, clean.length));
      if (!part.every((b, j) => b === report[at + j])) {
        report.set(part, at);
        line.report = toHex(report);
        line.redacted = true;
      }
      e.ready = true;
    });
    this.queue.push({ line: { t, key, dir, cid: cidText(cid), cmd: hidCmdName(cmd), text }, ready: true });
  }

  private abandon(slot: string, a: Assembly): void {
    this.assembling.delete(slot);
    for (const e of a.entries) e.ready = true;
  }

  private dropStale(t: number): void {
    for (const [slot, a] of this.assembling) if (t - a.at > STALE_MS) this.abandon(slot, a);
  }

  private flush(): void {
    while (this.queue.length > 0 && this.queue[0]!.ready) this.write(JSON.stringify(this.queue.shift()!.line));
  }
}

/** A recorder writing to FILE (created 0600, replaced if there), one line per write. */
export function recordToFile(path: string, keys: readonly VirtualAuthenticator[]): { recorder: TraceRecorder; close(): void } {
  const fd = openSync(path, 'w', 0o600);
  const recorder = new TraceRecorder((line) => writeSync(fd, `${line}\n`), keys);
  const stops = keys.map((k, i) => recorder.attach(k, i));
  return {
    recorder,
    close: () => {
      stops.forEach((s) => s());
      recorder.close();
      closeSync(fd);
    },
  };
}
