// python-fido2 (Debian python3-fido2 0.9.1), software no one here wrote, against the key over UDP.
// Skipped with a reason where python3-fido2 is missing; under CI (CI=true) missing means failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { runProgram } from '../helpers/serveProcess.js';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { serveUdp, type UdpServer } from '../../src/node/serve.js';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import fido2, pytest; print(fido2.__version__)'], { encoding: 'utf8' });
const available = probe.status === 0;
const reason = `python-fido2 not found (${PYTHON} -c "import fido2, pytest" failed): apt-get install python3-fido2 python3-pytest`;
if (!available && !process.env.CI) console.warn(`skipping the python-fido2 suite: ${reason}`);

describe.skipIf(!available && !process.env.CI)(`python-fido2 ${probe.stdout.trim()} over UDP`, () => {
  let key: VirtualAuthenticator;
  let server: UdpServer;

  beforeAll(async () => {
    key = new VirtualAuthenticator({ store: 'memory', rs256: true });
    server = await serveUdp(key, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    key?.close();
  });

  it('passes test/python (Ctap2, Fido2Client + Fido2Server, reset after a reboot datagram)', async () => {
    expect(available, reason).toBe(true);
    const { code, output } = await runProgram(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'test/python'], {
      CTAP_EMU_UDP: `127.0.0.1:${server.address.port}`,
    });
    expect(code, output).toBe(0);
    expect(output).toMatch(/\d+ passed/);
  }, 120_000);
});
