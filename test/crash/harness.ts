// What the crash tests share: `ctap-emu serve` as a child process on a keystore file, a client on
// it that notices when the key dies, a seeded PRNG, and PRAGMA integrity_check on a file at rest.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ctap2Client } from '../../src/client/ctap2.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { connectUdp } from '../../src/hid/udp.js';
import { raw } from '../keystore/helpers.js';

export const CLI = join(process.cwd(), 'dist/src/cli.js');

/** mulberry32: small, seedable, good enough to pick delays and operations reproducibly. */
export { mulberry32 as prng } from '../../src/util/prng.js';

export function childEnv(): NodeJS.ProcessEnv {
  const e = { ...process.env };
  delete e.CTAP_EMU_STORE;
  delete e.CTAP_EMU_PASSPHRASE;
  return e;
}

/** The key stopped (killed, or exited): what a request in flight gets instead of an answer. */
export class KeyGone extends Error {}

export interface Serve {
  child: ChildProcess;
  client: Ctap2Client;
  stderr: () => string;
  /** Resolves when the process is gone, with its exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Rejects with KeyGone once the process is gone: race requests against it (first, so it wins a tie). */
  gone: Promise<never>;
}

const running = new Set<ChildProcess>();
/** For afterEach: a test that failed half-way must leave no key running. */
export function killAll(): void {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  running.clear();
}

/** `ctap-emu serve` over UDP on a free port, `prefix` (e.g. prlimit) in front; resolves with a connected client. */
export async function startServe(store: string, prefix: string[] = []): Promise<Serve> {
  const argv = [...prefix, process.execPath, CLI, 'serve', '--transport', 'udp', '--port', '0', '--store', store];
  const child = spawn(argv[0]!, argv.slice(1), { env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  let markGone!: (e: KeyGone) => void;
  const gone = new Promise<never>((_, reject) => (markGone = reject));
  gone.catch(() => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => {
    markGone(new KeyGone(`serve exited (${signal ?? code})`)); // before anything else hears of it
    r({ code, signal });
  }));
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', () => {
      const m = /on udp 127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    void exited.then((e) => reject(new Error(`serve exited ${e.signal ?? e.code} before it was ready: ${stderr}`)));
  });
  const pipe = await connectUdp('127.0.0.1', port);
  void exited.then(() => pipe.close());
  const hid = await CtapHidHost.open(pipe, { timeoutMs: 10_000 });
  return { child, client: new Ctap2Client(hid), stderr: () => stderr, exited, gone };
}

/** SIGKILL, then wait until the process is gone (its file locks with it). */
export async function crash(s: Serve): Promise<void> {
  s.child.kill('SIGKILL');
  await s.exited;
}

/** A clean stop (SIGTERM): exact counters written back, the file closed. */
export async function stop(s: Serve): Promise<{ code: number | null; stderr: string }> {
  s.child.kill('SIGTERM');
  const e = await s.exited;
  return { code: e.code, stderr: s.stderr() };
}

/**
 * PRAGMA integrity_check of the file as the crash left it: on a copy of the file and its WAL, so
 * that the next serve still meets (and recovers) the crashed state itself.
 */
export function integrityOfCopy(store: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-crash-check-'));
  try {
    const copy = join(dir, 'copy.sqlite');
    copyFileSync(store, copy);
    if (existsSync(`${store}-wal`)) copyFileSync(`${store}-wal`, `${copy}-wal`);
    return integrity(copy);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function integrity(path: string): string {
  const db = raw(path);
  try {
    return db.prepare('PRAGMA integrity_check').all().map((r) => String(Object.values(r)[0])).join('\n');
  } finally {
    db.close();
  }
}
