// The built CLI run as a user runs it: one-shot commands, and `serve` kept running until the test
// ends (killed after each test even when it failed half-way).
import { afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const CLI = join(process.cwd(), 'dist/src/cli.js');

export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error('dist/src/cli.js is missing: npm test builds it first (tsc)');
}

const started = new Set<ChildProcess>();
afterEach(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  started.clear();
});

/** The environment without the user's keystore, passphrase or control settings. */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e = { ...process.env };
  for (const k of ['CTAP_EMU_STORE', 'CTAP_EMU_PASSPHRASE', 'CTAP_EMU_CONTROL', 'CTAP_EMU_TOKEN']) delete e[k];
  return { ...e, ...extra };
}

export interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): { stderr: () => string; exited: Promise<Exit> } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<Exit>((r) => child.on('close', (code) => r({ code, stdout, stderr })));
  return { stderr: () => stderr, exited };
}

/** One command to its end; `input` goes to its stdin. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = cliEnv(), input?: string): Promise<Exit> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.end(input);
  return collect(child).exited;
}

export interface ServeProcess {
  child: ChildProcess;
  /** The UDP port the key listens on. */
  port: number;
  stderr: () => string;
  exited: Promise<Exit>;
}

/** A child that runs `serve` (directly, or under a shell), once it says it is up on UDP. */
export function waitForServe(child: ChildProcess): Promise<ServeProcess> {
  started.add(child);
  const { stderr, exited } = collect(child);
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', () => {
      const m = /on udp 127\.0\.0\.1:(\d+)/.exec(stderr());
      if (m) resolve({ child, port: Number(m[1]), stderr, exited });
    });
    void exited.then((e) => reject(new Error(`serve exited ${e.code}: ${e.stderr}`)));
  });
}

/** `serve --transport udp --port 0 ...`, once it says it is up. */
export function serveUdpCli(args: string[], env: NodeJS.ProcessEnv = cliEnv()): Promise<ServeProcess> {
  return waitForServe(spawn(process.execPath, [CLI, 'serve', '--transport', 'udp', '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Any program to its end, stdout and stderr in one string (a test suite in another language). */
export function runProgram(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}
