// Running a command as a user of one toolchain would, for the installed-package suites.
import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';

export const MIN = 60_000;

export interface Toolchain {
  name: string;
  /** Folder of the `node` binary, put first on PATH (so bin shims and npm scripts use it). */
  nodeDir: string;
  npm: string[];
  npx: string[];
  /** npm >= 12: install scripts of dependencies are blocked by default. */
  blocksScripts: boolean;
}

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The runner's environment without npm's lifecycle variables (npm test sets npm_config_*, among
 *  them local_prefix, which would point a child npm at this repo) or ctap-emu's own. */
export function cleanEnv(tc: Toolchain, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k === 'INIT_CWD' || k.startsWith('CTAP_EMU_') || k === 'NODE_OPTIONS') continue;
    e[k] = v;
  }
  e.PATH = `${tc.nodeDir}${delimiter}${process.env.PATH ?? ''}`;
  return { ...e, ...extra };
}

export function run(tc: Toolchain, argv: string[], cwd: string, o: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env: cleanEnv(tc, o.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), o.timeoutMs ?? 2 * MIN);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => ((stderr += String(err)), clearTimeout(timer), resolve({ code: -1, stdout, stderr, timedOut })));
    child.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr, timedOut })));
  });
}

/** One line for a failure message: what ran, how it ended, and its output. */
export function explain(what: string, r: Result): string {
  const end = r.timedOut ? 'did not exit in time (killed; an open handle?)' : `exited ${r.code}`;
  return `${what} ${end}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
}

export function expectOk(what: string, r: Result): void {
  if (r.code !== 0 || r.timedOut) throw new Error(explain(what, r));
}

