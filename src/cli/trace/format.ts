// The trace file (`serve --trace FILE`): JSON lines. A header, then in time order every HID report
// in and out, and after the reports of each message the message decoded as `serve -v` shows it.
import type { KeyInfo } from '../../node/virtual.js';
import { parsePacket, Reassembly } from '../../hid/framing.js';
import { fromHex } from '../../util/bytes.js';
import { CliError } from '../errors.js';

export const TRACE_FORMAT = 'ctap-emu trace';
export const TRACE_VERSION = 1;

export interface TraceHeader {
  trace: typeof TRACE_FORMAT;
  version: typeof TRACE_VERSION;
  /** When recording began (ISO 8601); every `t` counts milliseconds from then. */
  started: string;
  /** Each key as it was at the start (a fresh key for replay is made like it). */
  keys: KeyInfo[];
}

export type Direction = 'in' | 'out';

/** One 64-byte report: `in` from a host, `out` from the key. Redacted: secret bytes are zeros. */
export interface ReportRecord {
  t: number;
  key: number;
  dir: Direction;
  cid: string;
  report: string;
  redacted?: true;
}

/** One whole CTAPHID message, in words (secrets redacted as by `serve -v`). */
export interface MessageRecord {
  t: number;
  key: number;
  dir: Direction;
  cid: string;
  cmd: string;
  text: string;
}

export type TraceRecord = ReportRecord | MessageRecord;

export const isReport = (r: TraceRecord): r is ReportRecord => 'report' in r;

export const cidText = (cid: number): string => cid.toString(16).padStart(8, '0');

/** A trace file's text to its header and records; a line that is not one is an error naming it. */
export function parseTrace(text: string, name: string): { header: TraceHeader; records: TraceRecord[] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const parse = (line: string, i: number): Record<string, unknown> => {
    try {
      const v = JSON.parse(line) as unknown;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch { /* said below */ }
    throw new CliError(`${name}:${i + 1}: not a trace record (a JSON object per line)`);
  };
  let header: Record<string, unknown> = {};
  try {
    if (lines.length > 0) header = parse(lines[0]!, 0);
  } catch { /* not a trace: said next */ }
  if (header.trace !== TRACE_FORMAT) throw new CliError(`${name} is not a ctap-emu trace (serve --trace writes one)`);
  if (header.version !== TRACE_VERSION) throw new CliError(`${name} is a trace of version ${String(header.version)}; this ctap-emu reads version ${TRACE_VERSION}`);
  const records = lines.slice(1).map((line, i) => {
    const r = parse(line, i + 1);
    const ok = typeof r.t === 'number' && typeof r.key === 'number' && (r.dir === 'in' || r.dir === 'out') && typeof r.cid === 'string'
      && (typeof r.report === 'string' ? /^([0-9a-f]{2})*$/.test(r.report) : typeof r.text === 'string' && typeof r.cmd === 'string');
    if (!ok) throw new CliError(`${name}:${i + 2}: not a trace record`);
    return r as unknown as TraceRecord;
  });
  return { header: header as unknown as TraceHeader, records };
}

/** A message put back together from recorded reports. */
export interface RecordedMessage {
  /** When its last report came. */
  t: number;
  dir: Direction;
  cid: number;
  cmd: number;
  payload: Uint8Array;
  /** Some of its bytes were secrets, recorded as zeros. */
  redacted: boolean;
}

/** The messages of one key's reports, each direction and channel reassembled on its own. */
export function messagesOf(records: readonly TraceRecord[], key: number): RecordedMessage[] {
  const out: RecordedMessage[] = [];
  const open = new Map<string, { msg: Reassembly; redacted: boolean }>();
  for (const r of records) {
    if (!isReport(r) || r.key !== key) continue;
    const p = parsePacket(fromHex(r.report));
    if (!p) continue;
    const slot = `${r.dir}:${p.cid}`;
    let a = open.get(slot);
    if (p.kind === 'init') {
      a = { msg: new Reassembly(p.cid, p.cmd, p.length, p.data), redacted: r.redacted === true };
      open.set(slot, a);
    } else if (!a || !a.msg.add(p.seq, p.data)) {
      open.delete(slot);
      continue;
    } else if (r.redacted) a.redacted = true;
    if (a.msg.complete) {
      open.delete(slot);
      out.push({ t: r.t, dir: r.dir, cid: p.cid, cmd: a.msg.cmd, payload: a.msg.data, redacted: a.redacted });
    }
  }
  return out;
}
