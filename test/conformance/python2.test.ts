// python-fido2 2.2.1 (Yubico's, packaged by Debian sid; test/python2/install.sh puts it in a venv),
// software no one here wrote, against `ctap-emu serve --transport udp`: the CTAP 2.2/2.3 members
// and behaviours 0.9.1 (test/python) does not know. The python comes from CTAP_EMU_PYFIDO2_2 (.ci/run
// sets it); skipped with a reason where it is missing; under CI (CI=true) missing means failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { runProgram, serveUdpCli } from '../helpers/serveProcess.js';
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

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.on('close', () => resolve());
    child.kill('SIGTERM');
  });
}

describe.skipIf(!available && !process.env.CI)(`python-fido2 ${version || '2.2.1'} over UDP`, () => {
  let dir: string;
  let key: Awaited<ReturnType<typeof serveUdpCli>> | undefined;

  beforeAll(async () => {
    if (!available) return;
    if (!existsSync(CLI)) throw new Error('dist/src/cli.js is missing: npm test builds it first (tsc)');
    dir = mkdtempSync(join(tmpdir(), 'ctap-emu-pyfido2-2-'));
    const store = join(dir, 'keystore.sqlite');
    // A keystore file rather than --memory, so that the suite can check attestation up to the key's
    // CA: serve makes the store, `attestation export` (which needs the store to itself) writes the CA,
    // then serve runs on it for the suite. Resets are approved (--allow-reset): the suite resets.
    await stop((await serveUdpCli(['--store', store])).child);
    const exported = spawnSync(process.execPath, [CLI, 'attestation', 'export', '--store', store, '--out', dir], {
      encoding: 'utf8',
    });
    expect(exported.status, exported.stderr).toBe(0);
    key = await serveUdpCli(['--store', store, '--allow-reset', '--enterprise-rp', 'ea.example']);
  }, 30_000);
  afterAll(async () => {
    await stop(key?.child);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes test/python2 (getInfo 2.3, persistent token, encIdentifier/encCredStoreState, blobs, extensions, enterprise attestation, Fido2Client + Fido2Server)', async () => {
    expect(available, reason).toBe(true);
    const { code, output } = await runProgram(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'test/python2'], {
      CTAP_EMU_UDP: `127.0.0.1:${key!.port}`,
      CTAP_EMU_CA: join(dir, 'ctap-emu-attestation-ca.pem'),
    });
    expect(code, `${output}\n--- serve ---\n${key!.stderr()}`).toBe(0);
    expect(output).toMatch(/\d+ passed/);
    expect(output).not.toMatch(/skipped/);
  }, 180_000);
});
