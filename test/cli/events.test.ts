// `serve --control` with `ctap-emu ctl events`: the events of a ceremony over UDP as JSON lines, a
// clean end (exit 0) when serve stops, a refused token; `serve --control PORT --conformance`: the
// FIDO Conformance Tools' automation paths without the token, and the usage errors around them;
// `--presence timeout` with `ctl touch`; README's events example as pasted.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateRegistrationOptions, verifyRegistrationResponse } from '@simplewebauthn/server';
import { connectUdp } from '../../src/hid/udp.js';
import { WebAuthnClient } from '../../src/node/clients.js';
import { closeLater } from '../helpers/cleanup.js';
import { until } from '../helpers/until.js';
import { origin, rpID } from '../helpers/importedKeys.js';
import { CLI, cliEnv, requireBuiltCli, runCli, serveUdpCli, type ServeProcess } from '../helpers/serveProcess.js';

beforeAll(requireBuiltCli);

async function serveControl(args: string[] = []): Promise<{ serve: ServeProcess; url: string; token: string }> {
  const serve = await serveUdpCli(['--memory', '--control', '0', ...args]);
  const m = /control: (http:\/\/127\.0\.0\.1:\d+) token=(\S+)/.exec(serve.stderr());
  if (!m) throw new Error(`no control line: ${serve.stderr()}`);
  return { serve, url: m[1]!, token: m[2]! };
}

function udpClient(port: number): WebAuthnClient {
  const c = new WebAuthnClient({ connect: () => connectUdp('127.0.0.1', port) }, { origin });
  closeLater(() => c.close());
  return c;
}

/** `ctl events` running, its stdout so far, and its end. */
function ctlEvents(env: NodeJS.ProcessEnv, args: string[] = []) {
  const child = spawn(process.execPath, [CLI, 'ctl', 'events', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  closeLater(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  return { stdout: () => stdout, stderr: () => stderr, exited };
}

/** `ctl events`, once it is subscribed (it has seen a power cycle asked for through the API). */
async function subscribed(url: string, token: string): Promise<ReturnType<typeof ctlEvents>> {
  const watch = ctlEvents(cliEnv({ CTAP_EMU_CONTROL: url, CTAP_EMU_TOKEN: token }));
  const powerCycle = (): Promise<Response> => fetch(`${url}/key/power-cycle`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  for (let i = 0; !watch.stdout().includes('power-cycle'); i++) {
    if (i % 10 === 0) await powerCycle();
    if (i > 500) throw new Error(`ctl events never subscribed: ${watch.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return watch;
}

describe('ctap-emu ctl events', () => {
  it('prints each event of a ceremony over UDP as one JSON line, and exits 0 when serve stops', async () => {
    const { serve, url, token } = await serveControl();
    const watch = await subscribed(url, token);
    const options = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'alice', authenticatorSelection: { userVerification: 'discouraged' } });
    const response = await udpClient(serve.port).create(options);
    expect((await verifyRegistrationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false })).verified).toBe(true);
    await until(() => watch.stdout().includes('credential-added'));
    serve.child.kill('SIGINT');
    expect(await watch.exited, watch.stderr()).toBe(0);
    const events = watch.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.find((e) => e.type === 'request' && e.command === 'authenticatorMakeCredential')).toMatchObject({ rpId: rpID, channel: expect.any(Number) });
    expect(events.find((e) => e.type === 'touch-asked')).toMatchObject({ command: 'makeCredential', rpId: rpID, userName: 'alice' });
    expect(events.find((e) => e.type === 'credential-added')).toMatchObject({ credentialId: response.id, rpId: rpID, source: 'ctap' });
    expect(watch.stdout()).not.toContain(token);
  });

  it('each line carries its stream id; --last-event-id gives again what came after it', async () => {
    const { serve, url, token } = await serveControl();
    const env = cliEnv({ CTAP_EMU_CONTROL: url, CTAP_EMU_TOKEN: token });
    const first = await subscribed(url, token);
    const lines = (w: { stdout(): string }) => w.stdout().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    await fetch(`${url}/key/power-cycle`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    await until(() => lines(first).length >= 2);
    const ids = lines(first).map((e) => e.id as number);
    expect(ids).toEqual(ids.map((_, i) => ids[0]! + i)); // one more each time
    const again = ctlEvents(env, ['--last-event-id', String(ids[0])]);
    await until(() => lines(again).length >= ids.length - 1);
    expect(lines(again).slice(0, ids.length - 1).map((e) => e.id)).toEqual(ids.slice(1));
    expect(await runCli(['ctl', 'events', '--last-event-id', 'x'], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--last-event-id must be/) });
    serve.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  });

  it('a wrong token: one line and exit 1', async () => {
    const { url } = await serveControl();
    const watch = ctlEvents(cliEnv({ CTAP_EMU_CONTROL: url, CTAP_EMU_TOKEN: 'not-the-token-at-all' }));
    expect(await watch.exited).toBe(1);
    expect(watch.stderr()).toMatch(/refused the token/);
    expect(watch.stdout()).toBe('');
  });
});

describe('serve --presence timeout with ctl touch', () => {
  it('the key waits until ctl touch gives the touch; a touch without the token is refused and gives none', async () => {
    const { serve, url, token } = await serveControl(['--presence', 'timeout']);
    expect(serve.stderr()).toMatch(/reset only with a touch through the control API/);
    const options = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'alice', authenticatorSelection: { userVerification: 'discouraged' } });
    const watch = await subscribed(url, token);
    let done = false;
    const created = udpClient(serve.port).create(options).then((r) => ((done = true), r));
    await until(() => watch.stdout().includes('touch-asked'));
    expect((await fetch(`${url}/presence/touch`, { method: 'POST' })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    const touch = await runCli(['ctl', 'touch'], cliEnv({ CTAP_EMU_CONTROL: url, CTAP_EMU_TOKEN: token }));
    expect(touch.code, touch.stderr).toBe(0);
    expect(JSON.parse(touch.stdout)).toEqual({ touch: 'approved' });
    const response = await created;
    expect((await verifyRegistrationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false })).verified).toBe(true);
  });

  it('is a usage error without --control (nothing could touch the key)', async () => {
    expect(await runCli(['serve', '--memory', '--transport', 'udp', '--port', '0', '--presence', 'timeout']))
      .toMatchObject({ code: 2, stderr: expect.stringMatching(/--presence timeout needs --control/) });
  });
});

describe('serve --conformance', () => {
  it('serves /conformance/powercycle and /userpresence without the token; logs /results', async () => {
    const { serve, url } = await serveControl(['--conformance', '--presence', 'timeout']);
    expect(serve.stderr()).toMatch(/conformance tools automation: http:\/\/127\.0\.0\.1:\d+\/conformance\/userpresence/);
    expect((await fetch(`${url}/conformance/powercycle`, { method: 'POST' })).status).toBe(200);
    expect(await (await fetch(`${url}/conformance/userpresence`, { method: 'POST' })).json()).toEqual({ touch: 'armed' });
    const options = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'alice', authenticatorSelection: { userVerification: 'discouraged' } });
    await udpClient(serve.port).create(options); // no touch but the one the tools gave
    const results = { allTestsSelected: false, passedTestsCount: 7, failedTestsCount: 1, failedTests: ['MakeCred-Resp-1 F-3'] };
    expect((await fetch(`${url}/conformance/results`, { method: 'POST', body: JSON.stringify(results) })).status).toBe(204);
    await until(() => serve.stderr().includes('7 passed'));
    expect(serve.stderr()).toMatch(/conformance tools: 7 passed, 1 failed: MakeCred-Resp-1 F-3/);
    // The rest of the API still wants the token.
    expect((await fetch(`${url}/key`)).status).toBe(401);
  });

  it('is a usage error without --control PORT', async () => {
    expect(await runCli(['serve', '--memory', '--transport', 'udp', '--port', '0', '--conformance'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--conformance needs --control PORT/) });
    expect(await runCli(['serve', '--memory', '--transport', 'udp', '--port', '0', '--control', 'unix:/tmp/ctap-emu-x.sock', '--conformance']))
      .toMatchObject({ code: 2, stderr: expect.stringMatching(/over TCP/) });
  });
});

describe('README', () => {
  it('runs the events example as pasted (importing the package by its name)', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('### Watching the key: events'));
    const code = /```js\n([\s\S]*?)```/.exec(section)![1]!;
    const file = join(process.cwd(), 'dist', `readme-events-${process.pid}.mjs`);
    writeFileSync(file, code);
    closeLater(() => rmSync(file, { force: true }));
    const out = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
    const lines = out.trim().split('\n');
    expect(lines.find((l) => l.startsWith('new passkey'))).toMatch(/^new passkey [\w-]{20,} for example\.com$/);
    const events = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['request', 'touch-asked', 'touch-answered', 'response', 'credential-added']));
    expect(events.at(-1)).toMatchObject({ type: 'power-cycle' });
  });
});
