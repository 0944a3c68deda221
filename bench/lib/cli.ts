// The built CLI (dist/src/cli.js) as child processes: `ctap-emu serve` on UDP until stopped, and
// one-shot commands timed from spawn to exit, with the peak RSS they report at exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** dist/bench/lib/cli.js -> dist/src/cli.js */
export const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

export interface Served {
  pid: number;
  address: string;
  /** From spawn to the "security key on udp ..." line. */
  readyMs: number;
  stop(): Promise<void>;
}

/** `ctap-emu serve --transport udp` on a free port; `store` is 'memory' or a keystore file. */
export function serve(store: string, timeoutMs = 30_000): Promise<Served> {
  const storeArgs = store === 'memory' ? ['--memory'] : ['--store', store];
  const start = performance.now();
  const child = spawn(process.execPath, [CLI, 'serve', '--transport', 'udp', '--host', '127.0.0.1', '--port', '0', ...storeArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => (void stop(), reject(new Error(`serve not ready after ${timeoutMs} ms: ${log}`))), timeoutMs);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /security key on udp (\S+:\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ pid: child.pid!, address: m[1]!, readyMs: performance.now() - start, stop });
      }
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`serve exited (${code}): ${log}`))));
  });
}

export interface Ran {
  ms: number;
  code: number | null;
  /** Peak RSS (kB), as the process itself reports it at exit (getrusage's maxRSS). */
  peakRssKb: number;
  stderr: string;
}

/**
 * Loaded before the CLI: at exit, its peak RSS on stderr, on a line of its own that runCli takes
 * out. VmHWM, of this process's own memory: getrusage's maxRSS survives exec, so a child spawned by
 * a bench process of 150 MiB reported at least 150 MiB whatever it used itself.
 */
const REPORT_PEAK = `data:text/javascript,${encodeURIComponent(
  "import { readFileSync, writeSync } from 'node:fs'; process.on('exit', () => { " +
    "let kb = process.resourceUsage().maxRSS; try { kb = Number(/^VmHWM:\\s+(\\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]); } catch {} " +
    "writeSync(2, `\\nbench-max-rss-kb=${kb}\\n`); });",
)}`;

/** Runs the CLI with `args`, its stdout read and dropped (a 100,000-line table is part of the cost). */
export function runCli(args: string[]): Promise<Ran> {
  const start = performance.now();
  const child: ChildProcess = spawn(process.execPath, ['--import', REPORT_PEAK, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.once('close', (code) => {
      const ms = performance.now() - start;
      const m = /\nbench-max-rss-kb=(\d+)\n/.exec(stderr);
      resolve({ ms, code, peakRssKb: m ? Number(m[1]) : NaN, stderr: stderr.replace(/\nbench-max-rss-kb=\d+\n/, '') });
    });
  });
}
