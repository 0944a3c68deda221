// Section "udp": `ctap-emu serve` over UDP driven by python-fido2 (software no one here wrote, as
// test/conformance/python.test.ts runs it): operations per second, and the serve process's CPU
// time per operation from /proc, with the memory store and the SQLite store.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../lib/cli.js';
import { procCpuUs } from '../lib/measure.js';
import type { Report } from '../lib/report.js';

const PYTHON = '/usr/bin/python3';
/** dist/bench/sections/udp.js -> bench/python/udp_bench.py (the script is not compiled). */
const SCRIPT = fileURLToPath(new URL('../../../bench/python/udp_bench.py', import.meta.url));
const SECONDS = 1.5;
/** makeCredential-rk stops before the key's 256 discoverable credentials run out. */
const OPS: [op: string, limit: number][] = [['getInfo', 1e9], ['makeCredential', 1e9], ['makeCredential-rk', 200], ['getAssertion', 1e9]];

function unavailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import fido2; print(fido2.__version__)'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `python-fido2 not found (${PYTHON} -c "import fido2" failed): apt-get install python3-fido2`;
}

interface OpResult {
  perSecond: number;
  serveCpuUs: number;
}

/** One op: python's set-up, then the serve process's CPU read around the timed loop only. */
function runOp(address: string, pid: number, op: string, limit: number): Promise<OpResult> {
  return new Promise((resolve, reject) => {
    const py = spawn(PYTHON, [SCRIPT, address, op, String(SECONDS), String(limit)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let cpu0 = 0;
    py.stderr.on('data', (d: Buffer) => (err += d.toString()));
    py.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out === 'ready\n') {
        cpu0 = procCpuUs(pid)!;
        py.stdin.write('go\n');
      }
    });
    py.on('close', (code) => {
      const cpu1 = procCpuUs(pid)!;
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) return reject(new Error(`udp_bench.py ${op} exited ${code}: ${err.trim().split('\n').at(-1)}`));
      const { n, seconds } = JSON.parse(last) as { n: number; seconds: number };
      resolve({ perSecond: n / seconds, serveCpuUs: (cpu1 - cpu0) / n });
    });
  });
}

async function measureStore(r: Report, label: string, store: string): Promise<Record<string, OpResult>> {
  const served = await serve(store);
  const out: Record<string, OpResult> = {};
  try {
    for (const [op, limit] of OPS) {
      out[op] = await runOp(served.address, served.pid, op, limit);
      r.figure(`${label}: ${op}`, out[op]!.perSecond, 'ops/s', out[op]!.serveCpuUs);
    }
  } finally {
    await served.stop();
  }
  return out;
}

export async function udpSection(r: Report): Promise<void> {
  r.section('udp', '4. python-fido2 over UDP against `ctap-emu serve` (cpu = the serve process, from /proc)');
  r.note('there is no C solo1 simulation on this machine to compare with: no figure is given for it');
  const why = unavailable();
  if (why) return r.skip(why);
  const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-bench-udp-'));
  try {
    const memory = await measureStore(r, 'memory store', 'memory');
    const sqlite = await measureStore(r, 'SQLite store', join(dir, 'keystore.sqlite'));
    for (const [op] of OPS) {
      r.ratio(`SQLite / memory, serve CPU per ${op}`, sqlite[op]!.serveCpuUs / memory[op]!.serveCpuUs, '<= 1.2');
      r.ratio(`SQLite / memory, wall time per ${op}`, memory[op]!.perSecond / sqlite[op]!.perSecond, '<= 1.2');
    }
    r.note('makeCredential: non-discoverable (global counter in the store); makeCredential-rk: a new discoverable credential each time (at most 200); getAssertion: allowList of one discoverable credential (its counter stored)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
