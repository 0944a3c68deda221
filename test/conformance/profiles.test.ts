// python-fido2 (Debian python3-fido2 0.9.1) against each device profile over UDP: one key per profile,
// a PIN set on those that take one, and test/python-profiles run once over all of them.
// Skipped with a reason where python3-fido2 is missing; under CI (CI=true) missing means failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { runProgram } from '../helpers/serveProcess.js';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { serveUdp, type UdpServer } from '../../src/node/serve.js';
import { PROFILES } from '../../src/node/profiles/index.js';
import { Command } from '../../src/ctap/constants.js';
import { EXTENSIONS } from '../../src/ctap2/features.js';
import { toHex } from '../../src/util/bytes.js';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import fido2, pytest; print(fido2.__version__)'], { encoding: 'utf8' });
const available = probe.status === 0;
const reason = `python-fido2 not found (${PYTHON} -c "import fido2, pytest" failed): apt-get install python3-fido2 python3-pytest`;
if (!available && !process.env.CI) console.warn(`skipping the python-fido2 profile suite: ${reason}`);

/** What python-fido2 should parse from the key's getInfo, from the profile's own data. */
function expected(key: VirtualAuthenticator): Record<string, unknown> {
  const c = key.authenticator.config;
  const hasClientPin = c.commands === undefined || c.commands.includes(Command.authenticatorClientPIN);
  return {
    ctap2: key.profile.ctap2,
    versions: ['U2F_V2', ...c.ctapVersions],
    extensions: [...(c.extensions ?? EXTENSIONS)],
    aaguid: toHex(c.aaguid),
    maxMsgSize: c.maxMsgSize,
    pinUvAuthProtocols: hasClientPin ? c.pinUvAuthProtocols : [],
    rk: c.residentKeys,
    clientPin: c.clientPin,
    uv: c.builtInUv,
    pinUvAuthToken: c.pinUvAuthToken,
    bioEnroll: c.bioEnrollment,
  };
}

describe.skipIf(!available && !process.env.CI)(`python-fido2 ${probe.stdout.trim()}: each device profile`, () => {
  const served: { key: VirtualAuthenticator; server: UdpServer }[] = [];

  beforeAll(async () => {
    for (const profile of PROFILES) {
      const key = new VirtualAuthenticator({ store: 'memory', profile, pin: profile.ctap2 && profile.config.clientPin !== false ? '1234' : undefined });
      served.push({ key, server: await serveUdp(key, { host: '127.0.0.1', port: 0 }) });
    }
  });
  afterAll(async () => {
    for (const { key, server } of served) {
      await server.close();
      key.close();
    }
  });

  it('passes test/python-profiles (getInfo parsed and checked, rk, FIDO 2.0, U2F-only, no PIN, built-in UV)', async () => {
    expect(available, reason).toBe(true);
    const profiles = Object.fromEntries(served.map(({ key, server }) => [key.profile.name, { port: server.address.port, expect: expected(key) }]));
    const { code, output } = await runProgram(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'test/python-profiles'], {
      CTAP_EMU_PROFILES: JSON.stringify(profiles),
    });
    expect(code, output).toBe(0);
    expect(output).toMatch(new RegExp(`${PROFILES.length * 4} passed`));
  }, 120_000);
});
