// Injected faults seen by python-fido2 (Debian python3-fido2 0.9.1), software no one here wrote:
// its canonical-CBOR check, its signature check, Fido2Client's fall-back to U2F (test/python_faults).
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
if (!available && !process.env.CI) console.warn(`skipping the python-fido2 fault suite: ${reason}`);

/** Faults on getAssertion by RP ID, as test_faults.py expects them. */
const RULES = [
  { rpId: 'order.example', fault: { type: 'nonCanonical', form: 'order' } },
  { rpId: 'integer.example', fault: { type: 'nonCanonical', form: 'integer' } },
  { rpId: 'dup.example', fault: { type: 'duplicateKey' } },
  { rpId: 'cut.example', fault: { type: 'truncated' } },
  { rpId: 'sig.example', fault: { type: 'badSignature' } },
  // U2F: rpId is the appId whose SHA-256 the application parameter is.
  { command: 'U2F_REGISTER', rpId: 'u2f-sig.example', fault: { type: 'badSignature' } },
  { command: 'U2F_AUTHENTICATE', rpId: 'u2f-sig.example', fault: { type: 'badSignature' } },
  { command: 'U2F_REGISTER', rpId: 'u2f-status.example', fault: { type: 'status', status: 'SW_WRONG_DATA' } },
].map((r) => ({ command: 'getAssertion', ...r }));

describe.skipIf(!available && !process.env.CI)(`python-fido2 ${probe.stdout.trim()} against injected faults`, () => {
  const keys: VirtualAuthenticator[] = [];
  const servers: UdpServer[] = [];

  beforeAll(async () => {
    keys.push(new VirtualAuthenticator({ faults: RULES }), new VirtualAuthenticator({ faults: [{ fault: { type: 'malformedGetInfo' } }] }));
    for (const key of keys) servers.push(await serveUdp(key, { host: '127.0.0.1', port: 0 }));
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    for (const k of keys) k.close();
  });

  it('passes test/python_faults (refuses non-canonical, duplicate-key and truncated CBOR and a bad signature; U2F after a bad getInfo; bad U2F signatures and a forced status word)', async () => {
    expect(available, reason).toBe(true);
    const { code, output } = await runProgram(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'test/python_faults'], {
      CTAP_EMU_UDP: `127.0.0.1:${servers[0]!.address.port}`,
      CTAP_EMU_UDP_INFO: `127.0.0.1:${servers[1]!.address.port}`,
    });
    expect(code, output).toBe(0);
    expect(output).toMatch(/9 passed/);
    // Each rule met its request: the faults, not something else, made python-fido2 refuse.
    expect(keys[0]!.listFaults().map((f) => f.fired)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  }, 120_000);
});
