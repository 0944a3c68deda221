// The built CLI (dist/src/cli.js) as child processes: `ctap-emu serve` on UDP until stopped, and
// one-shot commands timed from spawn to exit, with their peak RSS read from /proc while they run.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { procRssKb } from './measure.js';

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
  /** Peak RSS seen (kB): VmHWM polled every 10 ms, so a very short process may be missed (NaN). */
  peakRssKb: number;
  stderr: string;
}

/** Runs the CLI with `args`, its stdout read and dropped (a 100,000-line table is part of the cost). */
export function runCli(args: string[]): Promise<Ran> {
  const start = performance.now();
  const child: ChildProcess = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let peak = NaN;
  const poll = setInterval(() => {
    const r = procRssKb(child.pid!);
    if (r && !(r.peak <= peak)) peak = r.peak;
  }, 10);
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearInterval(poll);
      resolve({ ms: performance.now() - start, code, peakRssKb: peak, stderr });
    });
  });
}
