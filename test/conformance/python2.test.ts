// python-fido2 2.2.1 (Yubico's, packaged by Debian sid; test/python2/install.sh puts it in a venv),
// software no one here wrote, against `ctap-emu serve --transport udp`: the CTAP 2.2/2.3 members
// and behaviours 0.9.1 (test/python) does not know. The python comes from CTAP_EMU_PYFIDO2_2 (.ci/run
// sets it); skipped with a reason where it is missing; under CI (CI=true) missing means failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'dist/src/cli.js');
const PYTHON = process.env.CTAP_EMU_PYFIDO2_2 ?? '';
const probe = PYTHON
  ? spawnSync(PYTHON, ['-c', 'import importlib.metadata as m, fido2, pytest; print(m.version("fido2"))'], { encoding: 'utf8' })
  : undefined;
const version = probe?.status === 0 ? probe.stdout.trim() : '';
// 2.2.1, or a later 2.x where Debian sid has moved on (install.sh says so).
const available = /^2\.(2\.[1-9]|[3-9]\.|\d\d)/.test(version);
const reason = !PYTHON
  ? 'CTAP_EMU_PYFIDO2_2 is not set: bash test/python2/install.sh DIR, then CTAP_EMU_PYFIDO2_2=DIR/bin/python'
  : `${PYTHON} has no python-fido2 2.2.1 with pytest (${version || probe?.stderr.trim().split('\n').pop()}): bash test/python2/install.sh DIR`;
if (!available && !process.env.CI) console.warn(`skipping the python-fido2 2.2.1 suite: ${reason}`);

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** `ctap-emu serve` with these arguments, until it says where it listens. */
function serve(args: string[]): Promise<{ child: ChildProcess; port: number; log: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--transport', 'udp', '--port', '0', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      log += d;
      const m = /on udp 127\.0\.0\.1:(\d+)/.exec(log);
      if (m) resolve({ child, port: Number(m[1]), log: () => log });
    });
    child.on('close', (code) => reject(new Error(`serve exited ${code} before it was ready: ${log}`)));
  });
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.on('close', () => resolve());
    child.kill('SIGTERM');
  });
}

describe.skipIf(!available && !process.env.CI)(`python-fido2 ${version || '2.2.1'} over UDP`, () => {
  let dir: string;
  let key: Awaited<ReturnType<typeof serve>> | undefined;

  beforeAll(async () => {
    if (!available) return;
    if (!existsSync(CLI)) throw new Error('dist/src/cli.js is missing: npm test builds it first (tsc)');
    dir = mkdtempSync(join(tmpdir(), 'ctap-emu-pyfido2-2-'));
    const store = join(dir, 'keystore.sqlite');
    // A keystore file rather than --memory, so that the suite can check attestation up to the key's
    // CA: serve makes the store, `attestation export` (which needs the store to itself) writes the CA,
    // then serve runs on it for the suite. Resets are approved (--allow-reset): the suite resets.
    await stop((await serve(['--store', store])).child);
    const exported = spawnSync(process.execPath, [CLI, 'attestation', 'export', '--store', store, '--out', dir], {
      encoding: 'utf8',
    });
    expect(exported.status, exported.stderr).toBe(0);
    key = await serve(['--store', store, '--allow-reset', '--enterprise-rp', 'ea.example']);
  }, 30_000);
  afterAll(async () => {
    await stop(key?.child);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes test/python2 (getInfo 2.3, persistent token, encIdentifier/encCredStoreState, blobs, extensions, enterprise attestation, Fido2Client + Fido2Server)', async () => {
    expect(available, reason).toBe(true);
    const { code, output } = await run(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'test/python2'], {
      CTAP_EMU_UDP: `127.0.0.1:${key!.port}`,
      CTAP_EMU_CA: join(dir, 'ctap-emu-attestation-ca.pem'),
    });
    expect(code, `${output}\n--- serve ---\n${key!.log()}`).toBe(0);
    expect(output).toMatch(/\d+ passed/);
    expect(output).not.toMatch(/skipped/);
  }, 180_000);
});
