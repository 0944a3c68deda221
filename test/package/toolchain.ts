// Running a command as a user of one toolchain would, for the installed-package suites.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

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

/** Node 24 + npm 12 (which blocks dependencies' install scripts), from CTAP_EMU_NODE24 (the folder
 *  holding Node 24's `node`) and CTAP_EMU_NPM12 (npm 12's bin/npm-cli.js); else why not. */
export function node24Toolchain(): { tc?: Toolchain; reason?: string } {
  const dir = process.env.CTAP_EMU_NODE24;
  const npmCli = process.env.CTAP_EMU_NPM12;
  if (!dir || !npmCli) {
    return { reason: 'CTAP_EMU_NODE24 (folder holding Node 24\'s `node`) and CTAP_EMU_NPM12 (npm 12\'s bin/npm-cli.js) are not set; .ci/run sets them' };
  }
  const node = join(dir, 'node');
  const npxCli = join(dirname(npmCli), 'npx-cli.js');
  for (const f of [node, npmCli, npxCli]) if (!existsSync(f)) return { reason: `${f} does not exist` };
  return { tc: { name: 'Node 24 + npm 12', nodeDir: dir, npm: [node, npmCli], npx: [node, npxCli], blocksScripts: true } };
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


/** `npm pack` of each folder as it is built (no prepack: `npm test` built dist/ first, and
 *  install.test.ts checks that prepack builds the same) into dest; the tarballs' paths, in order. */
export async function packBuilt(tc: Toolchain, dirs: string[], dest: string): Promise<string[]> {
  const tarballs: string[] = [];
  for (const dir of dirs) {
    const r = await run(tc, [...tc.npm, 'pack', '--json', '--ignore-scripts', '--pack-destination', dest, dir], dest);
    expectOk(`npm pack ${dir}`, r);
    // npm 10 prints an array of packages, npm 12 an object keyed by package name.
    const json = JSON.parse(r.stdout.slice(r.stdout.search(/^[[{]/m))) as { filename: string }[] | Record<string, { filename: string }>;
    tarballs.push(join(dest, Object.values(json)[0]!.filename));
  }
  return tarballs;
}
