// `ctap-emu trace show|replay FILE`: a `serve --trace` recording read back, and sent again to a key.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CoseAlgorithmName } from '../ctap/cose.js';
import { parsePresencePolicy } from '../node/presencePolicy.js';
import { VirtualAuthenticator } from '../node/virtual.js';
import type { KeyInfo } from '../node/virtual.js';
import { CliError, ExitCode } from './errors.js';
import { openRemote, remoteName } from './key.js';
import { isReport, parseTrace, type MessageRecord, type TraceRecord } from './trace/format.js';
import { replayTrace, type ReplayResult } from './trace/replay.js';
import { MAX_TIMEOUT_MS } from '../hid/host.js';

export interface TraceOptions {
  key?: string;
  reports?: boolean;
  udp?: string | true;
  device?: string;
  timeout?: string;
  /** Filled from --pin, --pin-file or $CTAP_EMU_PIN (options.ts). */
  pin?: string;
}

function read(file: string): ReturnType<typeof parseTrace> {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseTrace(text, file);
}

function keyIndex(o: TraceOptions, keys: number): number | undefined {
  if (o.key === undefined) return undefined;
  const n = Number(o.key);
  if (!/^\d+$/.test(o.key) || n >= keys) throw new CliError(`--key must be 0-${keys - 1} (the trace has ${keys} key${keys === 1 ? '' : 's'}), got "${o.key}"`, ExitCode.usage);
  return n;
}

const time = (t: number): string => t.toFixed(3).padStart(11);

/**
 * One line per message (time in ms, key, channel, the message in words); a run of keepalives on
 * one channel is one line with its count. --reports adds each report, indented, under its message.
 */
export function traceShow(file: string, o: TraceOptions): void {
  const { header, records } = read(file);
  const only = keyIndex(o, header.keys.length);
  const lines: string[] = [`trace of ${header.keys.length} key${header.keys.length === 1 ? '' : 's'}, started ${header.started}`];
  let run: { r: MessageRecord; n: number; last: number } | undefined;
  const endRun = (): void => {
    if (run) lines.push(`${time(run.r.t)}  key ${run.r.key}  ${run.r.cid}  ${run.r.text}${run.n > 1 ? ` x${run.n} (to ${run.last.toFixed(3)} ms)` : ''}`);
    run = undefined;
  };
  for (const r of records as TraceRecord[]) {
    if (only !== undefined && r.key !== only) continue;
    if (isReport(r)) {
      if (o.reports) {
        endRun();
        lines.push(`${time(r.t)}      ${r.dir === 'in' ? '>' : '<'} ${r.report}${r.redacted ? ' (secrets zeroed)' : ''}`);
      }
    } else if (r.cmd === 'KEEPALIVE' && run && run.r.cid === r.cid && run.r.key === r.key && run.r.text === r.text) {
      run.n++;
      run.last = r.t;
    } else {
      endRun();
      run = { r, n: 1, last: r.t };
    }
  }
  endRun();
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** A fresh in-process key made like the recorded one (its PIN --pin, or a random one: the trace does not hold it). */
function freshKey(info: KeyInfo | undefined, pin: string | undefined): VirtualAuthenticator {
  const presence = (info && parsePresencePolicy(info.presence)) || 'approve';
  return new VirtualAuthenticator({
    aaguid: info?.aaguid,
    algorithms: info?.algorithms as CoseAlgorithmName[] | undefined,
    userVerification: info?.builtInUv ? (info.userVerified === false ? 'nomatch' : 'match') : undefined,
    pin: info?.pin ? (pin ?? randomBytes(8).toString('hex')) : undefined,
    presence,
    // The recorded key's device profile and counter model (traces from before they existed: the defaults).
    profile: info?.profile,
    counterModel: info?.counterModel,
  });
}

function report(r: ReplayResult, where: string): void {
  for (const s of r.skipped) process.stdout.write(`${s}\n`);
  for (const m of r.mismatches) process.stdout.write(`${m}\n`);
  const summary = `replayed ${r.sent} request${r.sent === 1 ? '' : 's'} to ${where}: ${r.compared} answer${r.compared === 1 ? '' : 's'} compared, `
    + `${r.mismatches.length === 0 ? 'all match' : `${r.mismatches.length} request${r.mismatches.length === 1 ? '' : 's'} answered differently`}`
    + `${r.redone > 0 ? `; ${r.redone} PIN/UV exchange${r.redone === 1 ? '' : 's'} made again with --pin` : ''}`
    + `${r.skipped.length > 0 ? `; ${r.skipped.length} skipped (PIN/UV auth a trace cannot reproduce)` : ''}`;
  process.stdout.write(`${summary}\n`);
}

/** Exit 0 when every answer matches (see trace/compare.ts for what must be equal), 1 otherwise. */
export async function traceReplay(file: string, o: TraceOptions): Promise<void> {
  const { header, records } = read(file);
  const key = keyIndex(o, header.keys.length) ?? 0;
  const timeoutMs = o.timeout === undefined ? undefined : Number(o.timeout);
  if (o.timeout !== undefined && (!/^\d+$/.test(o.timeout) || timeoutMs! < 1 || timeoutMs! > MAX_TIMEOUT_MS)) {
    throw new CliError(`--timeout must be milliseconds from 1 to ${MAX_TIMEOUT_MS}, got "${o.timeout}"`, ExitCode.usage);
  }
  const remote = o.udp !== undefined || o.device !== undefined;
  const fresh = remote ? undefined : freshKey(header.keys[key], o.pin);
  const pipe = fresh ? fresh.connect() : await openRemote(o);
  try {
    const r = await replayTrace(records, pipe, { key, timeoutMs, pin: o.pin });
    report(r, remote ? remoteName(o) : 'a fresh in-process key');
    process.exitCode = r.mismatches.length === 0 ? ExitCode.ok : ExitCode.failure;
  } finally {
    await pipe.close();
    fresh?.close();
  }
}
