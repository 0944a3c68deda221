// `trace replay`: the host side of a recorded session sent again, request by request, to a key;
// each answer held against the recorded one by compare.ts. What a trace cannot reproduce: requests
// that carry PIN/UV auth (pinUvAuthParam, encrypted PINs, key agreement, hmac-secret salts) were
// made with secrets of the original session, which the trace does not hold (it keeps zeros), and
// the replayed key agrees other keys: they are skipped, and said so.
import { HidCmd } from '../../hid/constants.js';
import { fragment, parsePacket, Reassembly } from '../../hid/framing.js';
import type { ReportPipe } from '../../hid/pipe.js';
import { BROADCAST_CID } from '../../hid/constants.js';
import { equalBytes } from '../../util/bytes.js';
import { describeMessage } from './record.js';
import { compareAnswers } from './compare.js';
import { cidText, messagesOf, type RecordedMessage, type TraceRecord } from './format.js';

export interface ReplayOptions {
  /** Which recorded key's session (serve --keys); default 0. */
  key?: number;
  /** How long an answer may take, counted again at each keepalive (default 5000 ms). */
  timeoutMs?: number;
}

export interface ReplayResult {
  /** Requests sent and answers compared. */
  sent: number;
  compared: number;
  /** Requests not sent, each with why. */
  skipped: string[];
  /** Each request whose answers differ, then the differences, indented. */
  mismatches: string[];
}

/** Redacted members a replay can still send as zeros: their value is data, not a proof of a secret. */
const HARMLESS = new Set(['credBlob', 'largeBlobKey']);

/** Why a recorded request cannot be sent again; undefined when it can. */
function unreproducible(m: RecordedMessage): string | undefined {
  if (!m.redacted) return undefined;
  const names = new Set<string>();
  describeMessage('in', m.cmd, m.payload, undefined, (name) => names.add(name));
  const secret = [...names].filter((n) => !HARMLESS.has(n));
  return secret.length > 0 ? `carries ${secret.join(', ')} from the original session (PIN/UV auth; the trace keeps zeros)` : undefined;
}

/** Recorded credential IDs replaced by the replayed key's (same length, so the CBOR stays valid). */
function substitute(payload: Uint8Array, ids: readonly [Uint8Array, Uint8Array][]): Uint8Array {
  let out = payload;
  for (const [from, to] of ids) {
    if (from.length !== to.length || from.length === 0) continue;
    for (let i = out.indexOf(from[0]!); i >= 0 && i + from.length <= out.length; i = out.indexOf(from[0]!, i + 1)) {
      if (equalBytes(out.subarray(i, i + from.length), from)) {
        if (out === payload) out = payload.slice();
        out.set(to, i);
      }
    }
  }
  return out;
}

/** Answers from the key as they come, by channel; keepalives only push the deadline back. */
class Inbox {
  private readonly queues = new Map<number, RecordedMessage[]>();
  private readonly open = new Map<number, Reassembly>();
  private wake: () => void = () => undefined;
  private lastSign = 0;

  constructor(pipe: ReportPipe, private readonly now: () => number = () => performance.now()) {
    pipe.onReport((report) => {
      const p = parsePacket(report);
      if (!p) return;
      let msg = this.open.get(p.cid);
      if (p.kind === 'init') msg = new Reassembly(p.cid, p.cmd, p.length, p.data);
      else if (!msg || !msg.add(p.seq, p.data)) return void this.open.delete(p.cid);
      this.open.set(p.cid, msg);
      this.lastSign = this.now();
      if (!msg.complete) return;
      this.open.delete(p.cid);
      if (msg.cmd !== HidCmd.KEEPALIVE) {
        const q = this.queues.get(p.cid) ?? [];
        q.push({ t: 0, dir: 'out', cid: p.cid, cmd: msg.cmd, payload: msg.data, redacted: false });
        this.queues.set(p.cid, q);
      }
      this.wake();
    });
  }

  /** The next answer on `cid`, or undefined after timeoutMs without a sign of life. */
  async next(cid: number, timeoutMs: number): Promise<RecordedMessage | undefined> {
    this.lastSign = this.now();
    for (;;) {
      const q = this.queues.get(cid);
      if (q && q.length > 0) return q.shift();
      const left = this.lastSign + timeoutMs - this.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => (clearTimeout(t), resolve());
      });
    }
  }
}

/** For each recorded request, the recorded answers on its channel until the host's next message there. */
function answersByRequest(messages: readonly RecordedMessage[]): Map<RecordedMessage, RecordedMessage[]> {
  const out = new Map<RecordedMessage, RecordedMessage[]>();
  const latest = new Map<number, RecordedMessage>();
  for (const m of messages) {
    if (m.dir === 'in') {
      out.set(m, []);
      latest.set(m.cid, m);
    } else if (m.cmd !== HidCmd.KEEPALIVE) {
      const request = latest.get(m.cid);
      if (request) out.get(request)!.push(m);
    }
  }
  return out;
}

export async function replayTrace(records: readonly TraceRecord[], pipe: ReportPipe, o: ReplayOptions = {}): Promise<ReplayResult> {
  const timeoutMs = o.timeoutMs ?? 5000;
  const messages = messagesOf(records, o.key ?? 0);
  const expected = answersByRequest(messages);
  const inbox = new Inbox(pipe);
  const channels = new Map<number, number>([[BROADCAST_CID, BROADCAST_CID]]);
  const ids: [Uint8Array, Uint8Array][] = [];
  const result: ReplayResult = { sent: 0, compared: 0, skipped: [], mismatches: [] };
  let n = 0;
  for (const [request, answers] of expected) {
    n++;
    const title = `#${n} at ${request.t} ms, channel ${cidText(request.cid)}: ${describeMessage('in', request.cmd, request.payload, undefined)}`;
    const why = unreproducible(request);
    if (why) {
      result.skipped.push(`${title}\n   skipped: ${why}`);
      continue;
    }
    const cid = channels.get(request.cid) ?? request.cid;
    const payload = substitute(request.payload, ids);
    for (const r of fragment(cid, request.cmd, payload)) await pipe.write(r);
    result.sent++;
    const diffs: string[] = [];
    for (const recorded of answers) {
      const replayed = await inbox.next(cid, timeoutMs);
      if (!replayed) {
        diffs.push(`no answer within ${timeoutMs} ms (recorded: ${describeMessage('out', recorded.cmd, recorded.payload, request.payload)})`);
        break;
      }
      const c = compareAnswers({ cmd: request.cmd, payload }, recorded, replayed);
      result.compared++;
      diffs.push(...c.diffs);
      ids.push(...c.ids);
      if (c.channel) channels.set(c.channel[0], c.channel[1]);
    }
    if (diffs.length > 0) result.mismatches.push([title, ...diffs.map((d) => `   ${d}`)].join('\n'));
  }
  return result;
}
