// Splitting a CTAPHID message into 64-byte reports and reading packet headers (CTAP 2.1 §11.2.4).
import { CONT_DATA, INIT_DATA, MAX_MESSAGE, REPORT_SIZE } from './constants.js';

/** The reports that carry `payload` as command `cmd` on channel `cid`. */
export function fragment(cid: number, cmd: number, payload: Uint8Array): Uint8Array[] {
  if (payload.length > MAX_MESSAGE) throw new RangeError(`CTAPHID message over ${MAX_MESSAGE} bytes`);
  const reports: Uint8Array[] = [];
  const first = new Uint8Array(REPORT_SIZE);
  writeCid(first, cid);
  first[4] = 0x80 | cmd;
  first[5] = payload.length >> 8;
  first[6] = payload.length & 0xff;
  first.set(payload.subarray(0, INIT_DATA), 7);
  reports.push(first);
  for (let off = INIT_DATA, seq = 0; off < payload.length; off += CONT_DATA, seq++) {
    const cont = new Uint8Array(REPORT_SIZE);
    writeCid(cont, cid);
    cont[4] = seq;
    cont.set(payload.subarray(off, off + CONT_DATA), 5);
    reports.push(cont);
  }
  return reports;
}

/** The channel ID, big-endian, in bytes 0-3 (byte by byte: a DataView per report cost more than the report). */
export function writeCid(report: Uint8Array, cid: number): void {
  report[0] = cid >>> 24;
  report[1] = (cid >>> 16) & 0xff;
  report[2] = (cid >>> 8) & 0xff;
  report[3] = cid & 0xff;
}

/** The channel ID of a report (bytes 0-3, big-endian). */
export function readCid(report: Uint8Array): number {
  return ((report[0]! << 24) | (report[1]! << 16) | (report[2]! << 8) | report[3]!) >>> 0;
}

export type Packet =
  | { kind: 'init'; cid: number; cmd: number; length: number; data: Uint8Array }
  | { kind: 'cont'; cid: number; seq: number; data: Uint8Array };

/** Reads one report (shorter ones are zero-padded, as HID does); undefined if it cannot be a packet. */
export function parsePacket(report: Uint8Array): Packet | undefined {
  if (report.length < 5) return undefined;
  const r = report.length >= REPORT_SIZE ? report.subarray(0, REPORT_SIZE) : padded(report);
  const cid = readCid(r);
  if (r[4]! & 0x80) {
    return { kind: 'init', cid, cmd: r[4]! & 0x7f, length: (r[5]! << 8) | r[6]!, data: r.subarray(7) };
  }
  return { kind: 'cont', cid, seq: r[4]!, data: r.subarray(5) };
}

function padded(report: Uint8Array): Uint8Array {
  const out = new Uint8Array(REPORT_SIZE);
  out.set(report);
  return out;
}

/** Collects one message from its packets; the caller checks channels and ordering rules. */
export class Reassembly {
  readonly data: Uint8Array;
  private filled: number;
  private nextSeq = 0;

  constructor(
    readonly cid: number,
    readonly cmd: number,
    length: number,
    first: Uint8Array,
  ) {
    this.data = new Uint8Array(length);
    this.filled = Math.min(length, INIT_DATA);
    this.data.set(first.subarray(0, this.filled));
  }

  get complete(): boolean {
    return this.filled >= this.data.length;
  }

  /** Adds a continuation packet; false when its sequence number is not the expected one. */
  add(seq: number, data: Uint8Array): boolean {
    if (seq !== this.nextSeq) return false;
    this.nextSeq++;
    const n = Math.min(CONT_DATA, this.data.length - this.filled);
    this.data.set(data.subarray(0, n), this.filled);
    this.filled += n;
    return true;
  }
}
