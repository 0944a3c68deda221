// `serve --profile NAME`: the key a host meets over UDP is that profile's (getInfo through
// `ctap-emu info --udp`), GET /key names it, and an unknown name is a usage error.
import { beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, requireBuiltCli, runCli, serveUdpCli } from '../helpers/serveProcess.js';

beforeAll(requireBuiltCli);

describe('serve --profile', () => {
  it('serves a FIDO 2.0 key; info and GET /key say so', async () => {
    const serve = await serveUdpCli(['--memory', '--profile', 'fido20', '--control', '0']);
    expect(serve.stderr()).toMatch(/profile fido20/);
    const info = await runCli(['info', '--udp', String(serve.port), '--json'], cliEnv());
    expect(info.code, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ versions: ['U2F_V2', 'FIDO_2_0'], extensions: ['hmac-secret'], pinUvAuthProtocols: [1] });
    const [, url, token] = /control: (http:\/\/127\.0\.0\.1:\d+) token=(\S+)/.exec(serve.stderr()) ?? [];
    const key = await (await fetch(`${url}/key`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(key).toMatchObject({ profile: 'fido20', aaguid: 'b618570c-f5e8-40a8-a062-5750e28041a0', algorithms: ['ES256'] });
  });

  it('a U2F-only key: info says so in one line', async () => {
    const serve = await serveUdpCli(['--memory', '--profile', 'u2f']);
    expect(await runCli(['info', '--udp', String(serve.port)], cliEnv())).toMatchObject({ code: 1, stderr: expect.stringMatching(/speaks U2F only/) });
  });

  it('refuses an unknown profile and a PIN on a key that takes none', async () => {
    const args = ['serve', '--memory', '--transport', 'udp', '--port', '0'];
    expect(await runCli([...args, '--profile', 'yubikey4'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--profile: unknown profile "yubikey4" \(default, yubikey5/) });
    expect(await runCli([...args, '--profile', 'no-pin', '--pin', '1234'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/takes no PIN/) });
  });
});
