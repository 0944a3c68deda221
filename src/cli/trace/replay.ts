// `trace replay`: the host side of a recorded session sent again, request by request, to a key;
// each answer held against the recorded one by compare.ts. What a trace cannot reproduce as it is:
// requests that carry PIN/UV auth (pinUvAuthParam, encrypted PINs, key agreement, hmac-secret
// salts) were made with secrets of the original session, which the trace does not hold (it keeps
// zeros), and the replayed key agrees other keys: pinReplay.ts makes them again (hmac-secret and
// UV tokens always, what needs the PIN with --pin); those it cannot are skipped, and said so.
import { HidCmd } from '../../hid/constants.js';
import { fragment, parsePacket, Reassembly } from '../../hid/framing.js';
import type { ReportPipe } from '../../hid/pipe.js';
import { BROADCAST_CID } from '../../hid/constants.js';
import { equalBytes } from '../../util/bytes.js';
import { byteStrings, describeMessage } from './record.js';
import { compareAnswers } from './compare.js';
import { PinReplay } from './pinReplay.js';
import { statusName } from '../../ctap/status.js';
import { cidText, messagesOf, type RecordedMessage, type TraceRecord } from './format.js';

export interface ReplayOptions {
  /** Which recorded key's session (serve --keys); default 0. */
  key?: number;
  /** How long an answer may take, counted again at each keepalive (default 5000 ms). */
  timeoutMs?: number;
  /** The key's PIN: PIN/UV auth is made again with it (pinReplay.ts) instead of skipped. */
  pin?: string;
}

export interface ReplayResult {
  /** Requests sent and answers compared. */
  sent: number;
  compared: number;
  /** Requests not sent, each with why. */
  skipped: string[];
  /** PIN/UV exchanges replay made again itself with the PIN (their statuses compared). */
  redone: number;
  /** Each request whose answers differ, then the differences, indented. */
  mismatches: string[];
}

/** Redacted members a replay can still send as zeros: their value is data, not a proof of a secret. */
const HARMLESS = new Set(['credBlob', 'largeBlobKey']);

/**
 * The members of a recorded request that were secrets (zeros in the trace). A member named secret
 * with no bytes in it (makeCredential's `hmac-secret: true`) lost nothing and is sent as it is.
 */
function redactedMembers(m: RecordedMessage): Set<string> {
  const names = new Set<string>();
  if (m.redacted) describeMessage('in', m.cmd, m.payload, undefined, (name, v) => void (byteStrings(v).length > 0 && names.add(name)));
  return names;
}

/** Why a recorded request cannot be sent again as it is; undefined when it can. */
function unreproducible(secrets: ReadonlySet<string>): string | undefined {
  const secret = [...secrets].filter((n) => !HARMLESS.has(n));
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

  /**
   * The next answer on `cid` that `ours` accepts (others are dropped: an INIT answer on the
   * broadcast channel may be another host's), or undefined after timeoutMs without a sign of life.
   */
  async next(cid: number, timeoutMs: number, ours: (m: RecordedMessage) => boolean = () => true): Promise<RecordedMessage | undefined> {
    this.lastSign = this.now();
    for (;;) {
      const q = this.queues.get(cid) ?? [];
      while (q.length > 0 && !ours(q[0]!)) q.shift();
      if (q.length > 0) return q.shift();
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
  const result: ReplayResult = { sent: 0, compared: 0, skipped: [], redone: 0, mismatches: [] };
  const pins = new PinReplay(pipe, o.pin);
  let n = 0;
  for (const [request, answers] of expected) {
    n++;
    const title = `#${n} at ${request.t} ms, channel ${cidText(request.cid)}: ${describeMessage('in', request.cmd, request.payload, undefined)}`;
    const secrets = redactedMembers(request);
    const why = unreproducible(secrets);
    // The replayed key's credential IDs first: a MAC made again must cover them (a deleteCredential's).
    let payload = substitute(request.payload, ids);
    if (why) {
      const redo = await pins.redo({ ...request, payload }, secrets);
      if (!redo) {
        result.skipped.push(`${title}\n   skipped: ${why}${o.pin === undefined ? '' : '; not one --pin redoes'}`);
        continue;
      }
      if (redo.kind === 'done') {
        result.redone++;
        const recorded = answers[0]?.cmd === HidCmd.CBOR ? answers[0].payload[0] : undefined;
        if (recorded !== undefined && recorded !== redo.status) {
          result.mismatches.push(`${title}\n   status (made again with --pin): recorded ${statusName(recorded)}, replayed ${statusName(redo.status)}`);
        }
        continue;
      }
      payload = redo.payload;
    }
    const cid = channels.get(request.cid) ?? request.cid;
    // Replay's own channel (--pin) was opened on the broadcast channel too: only the answer with our nonce is ours.
    const isInit = request.cmd === HidCmd.INIT && cid === BROADCAST_CID;
    for (const r of fragment(cid, request.cmd, payload)) await pipe.write(r);
    result.sent++;
    const diffs: string[] = [];
    for (const recorded of answers) {
      const replayed = await inbox.next(cid, timeoutMs, (m) => !isInit || (m.cmd === HidCmd.INIT && equalBytes(m.payload.subarray(0, 8), payload.subarray(0, 8))));
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
