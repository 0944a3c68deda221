// Section "udp": `ctap-emu serve` over UDP driven by python-fido2 (software no one here wrote, as
// test/conformance/python.test.ts runs it): operations per second, and the serve process's CPU
// time per operation from /proc, with the memory store and the SQLite store; and, when
// CTAP_EMU_SOLO1 names the SoloKeys solo1 simulation, the same operations against it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../lib/cli.js';
import { procCpuUs } from '../lib/measure.js';
import type { Report } from '../lib/report.js';
import { SOLO1_CLIENT, SOLO1_ENV, SOLO1_RESIDENT_KEYS, solo1Unusable, startSolo1 } from '../lib/solo1.js';

const PYTHON = '/usr/bin/python3';
/** dist/bench/sections/udp.js -> bench/python/udp_bench.py (the script is not compiled). */
const SCRIPT = fileURLToPath(new URL('../../../bench/python/udp_bench.py', import.meta.url));
const SECONDS = 1.5;
/** makeCredential-rk stops before the key's 256 discoverable credentials run out. */
const RK_LIMIT = 200;
/** ... or solo1's 50, when it is compared (getAssertion's set-up makes one more). */
const RK_LIMIT_SOLO1 = SOLO1_RESIDENT_KEYS - 10;
const OP_NAMES = ['getInfo', 'makeCredential', 'makeCredential-rk', 'getAssertion'] as const;
type Op = (typeof OP_NAMES)[number];
/** The operations the issue sets a goal for against solo1. */
const SOLO1_GOALS: Op[] = ['getAssertion', 'makeCredential'];

function unavailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import fido2; print(fido2.__version__)'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `python-fido2 not found (${PYTHON} -c "import fido2" failed): apt-get install python3-fido2`;
}

/** A running key: where it listens and its CPU time so far (µs). */
interface Target {
  address: string;
  cpuUs(): number;
  stop(): Promise<void>;
}

/** How every key of one run is driven: the rk limit, and the client socket's own address if bound. */
interface Client {
  rkLimit: number;
  local?: string;
}

interface OpResult {
  perSecond: number;
  serveCpuUs: number;
}

/** One op: python's set-up, then the key's CPU read around the timed loop only. */
function runOp(target: Target, op: Op, client: Client): Promise<OpResult> {
  const limit = op === 'makeCredential-rk' ? client.rkLimit : 1e9;
  const args = [SCRIPT, target.address, op, String(SECONDS), String(limit), ...(client.local ? [client.local] : [])];
  return new Promise((resolve, reject) => {
    const py = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let cpu0 = 0;
    py.stderr.on('data', (d: Buffer) => (err += d.toString()));
    py.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out === 'ready\n') {
        cpu0 = target.cpuUs();
        py.stdin.write('go\n');
      }
    });
    py.on('close', (code) => {
      const cpu1 = target.cpuUs();
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) return reject(new Error(`udp_bench.py ${op} exited ${code}: ${err.trim().split('\n').at(-1)}`));
      const { n, seconds } = JSON.parse(last) as { n: number; seconds: number };
      resolve({ perSecond: n / seconds, serveCpuUs: (cpu1 - cpu0) / n });
    });
  });
}

type Results = Record<Op, OpResult>;

async function measure(r: Report, label: string, target: Target, client: Client): Promise<Results> {
  const out = {} as Results;
  try {
    for (const op of OP_NAMES) {
      out[op] = await runOp(target, op, client);
      r.figure(`${label}: ${op}`, out[op].perSecond, 'ops/s', out[op].serveCpuUs);
    }
  } finally {
    await target.stop();
  }
  return out;
}

async function measureStore(r: Report, label: string, store: string, client: Client): Promise<Results> {
  const served = await serve(store);
  return measure(r, label, { address: served.address, cpuUs: () => procCpuUs(served.pid)!, stop: served.stop }, client);
}

const SOLO1_WAIT = 'a fair build waits for reports: bench/README.md says how';

/** The share of a core `cpuUs` grows by over `ms` of rest. */
async function idleShare(cpuUs: () => number, ms: number): Promise<number> {
  const before = cpuUs();
  const t0 = performance.now();
  await new Promise((done) => setTimeout(done, ms));
  return (cpuUs() - before) / (1000 * (performance.now() - t0));
}

const SOLO1_HOW = `build the SoloKeys solo1 simulation (\`make\` in a clone of github.com/solokeys/solo1 builds \`main\` for the pc target) and set ${SOLO1_ENV}=/path/to/solo1/main`;

/** solo1's figures, or why there are none (a port taken, the binary failing or not answering). */
async function measureSolo1(r: Report, binary: string, client: Client): Promise<Results | string> {
  let solo1;
  try {
    solo1 = await startSolo1(binary);
  } catch (e) {
    return `solo1 simulation: ${(e as Error).message}`;
  }
  r.note(`solo1 simulation: ${SOLO1_ENV}=${binary}; every client binds ${client.local} (where it sends every report) and makeCredential-rk stops at ${client.rkLimit} (it keeps ${SOLO1_RESIDENT_KEYS} resident keys), for ctap-emu's runs too`);
  // Upstream sleeps 10 ms per loop (pc/main.c), which bounds its ops/s; without the sleep it polls
  // for reports every 100 µs (pc/device.c), which its CPU per operation then counts. Its CPU at rest says which build this is.
  const idle = await idleShare(solo1.cpuUs, 1000);
  r.figure('solo1 simulation at rest (no client)', 100 * idle, '% of a core');
  if (idle > 0.02) r.note(`solo1 uses ${(100 * idle).toFixed(0)}% of a core at rest: it polls, and its CPU per operation counts the polling (${SOLO1_WAIT})`);
  return measure(r, 'solo1 simulation', solo1, client);
}

export async function udpSection(r: Report): Promise<void> {
  r.section('udp', '4. python-fido2 over UDP against `ctap-emu serve` (cpu = the serve process, from /proc)');
  const binary = process.env[SOLO1_ENV];
  if (!binary) r.note(`no C solo1 simulation compared (no figure for it): ${SOLO1_HOW}`);
  const why = unavailable() ?? (binary ? solo1Unusable(binary) : undefined);
  if (why) return r.skip(why);
  const client: Client = binary ? { rkLimit: RK_LIMIT_SOLO1, local: `${SOLO1_CLIENT.host}:${SOLO1_CLIENT.port}` } : { rkLimit: RK_LIMIT };
  // solo1 first: a port taken or a binary that fails says so before a minute of other figures.
  const solo1 = binary ? await measureSolo1(r, binary, client) : undefined;
  if (typeof solo1 === 'string') return r.skip(solo1);
  const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-bench-udp-'));
  try {
    const memory = await measureStore(r, 'memory store', 'memory', client);
    const sqlite = await measureStore(r, 'SQLite store', join(dir, 'keystore.sqlite'), client);
    for (const op of OP_NAMES) {
      r.ratio(`SQLite / memory, serve CPU per ${op}`, sqlite[op].serveCpuUs / memory[op].serveCpuUs, '<= 1.2');
      r.ratio(`SQLite / memory, wall time per ${op}`, memory[op].perSecond / sqlite[op].perSecond, '<= 1.2');
    }
    if (solo1) {
      for (const [store, results] of [['memory', memory], ['SQLite', sqlite]] as const) {
        for (const op of OP_NAMES) {
          const goal = SOLO1_GOALS.includes(op) ? '<= 1.0' : undefined;
          r.ratio(`ctap-emu (${store}) / solo1 serve CPU per ${op}`, results[op].serveCpuUs / solo1[op].serveCpuUs, goal);
        }
      }
    }
    r.note(`makeCredential: non-discoverable (global counter in the store); makeCredential-rk: a new discoverable credential each time (at most ${client.rkLimit}); getAssertion: allowList of one discoverable credential (its counter stored)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
