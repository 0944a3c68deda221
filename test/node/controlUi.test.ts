// The key's window on the control API (startControl's ui option), without a browser: the page's
// files served without the token, with a policy that runs no inline script, to loopback names
// only; what the key waits for in words behind the token (a cancelled wait gone with it); the
// trace stream's absence said plainly. The page itself runs in Chromium in test/cli/uiWindow.test.ts.
import { describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { Script } from 'node:vm';
import { generateRegistrationOptions } from '@simplewebauthn/server';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { WebAuthnClient } from '../../src/node/clients.js';
import { startControl } from '../../src/node/control/server.js';
import { APP_JS } from '../../src/node/control/ui/app.js';
import { closeLater } from '../helpers/cleanup.js';
import { until } from '../helpers/until.js';

const token = 'a-test-token-of-enough-length';

async function served(o: { ui?: boolean } = { ui: true }) {
  const key = new VirtualAuthenticator({ presence: 'timeout' });
  const control = await startControl(key, { listen: { port: 0 }, token, ...o });
  closeLater(() => key.close(), () => control.close());
  const call = async (method: string, path: string, t: string | null = token) => {
    const res = await fetch(control.url + path, { method, headers: t === null ? {} : { authorization: `Bearer ${t}` } });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined };
  };
  return { key, control, call };
}

/** A GET with a Host header of our choosing (fetch does not let a page set one). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { host } }, (res) => (res.resume(), resolve(res.statusCode!))).on('error', reject).end();
  });
}

describe('the key\'s window on the control API', () => {
  it('serves the page, its script and its style without the token, under a policy that allows no inline script or framing', async () => {
    const { control, call } = await served();
    const page = await call('GET', '/ui', null);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<script src="/ui/app.js" defer></script>');
    expect(page.text).not.toMatch(/<script>|\son\w+=/); // nothing inline for the policy to forbid
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await call('GET', '/ui/', null)).status).toBe(200);
    const root = await fetch(`${control.url}/`, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([303, '/ui']);
    const js = await call('GET', '/ui/app.js', null);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.text).toBe(APP_JS);
    expect(() => new Script(js.text)).not.toThrow(); // the script parses as the browser will parse it
    expect(js.text).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect((await call('GET', '/ui/app.css', null)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await call('HEAD', '/ui', null)).text).toBe('');
    expect((await call('POST', '/ui', null)).status).toBe(405);
  });

  it('serves the page to loopback names only (a rebound DNS name is refused)', async () => {
    const { control } = await served();
    const port = new URL(control.url).port;
    expect(await getWithHost(`${control.url}/ui`, `127.0.0.1:${port}`)).toBe(200);
    expect(await getWithHost(`${control.url}/ui`, `localhost:${port}`)).toBe(200);
    expect(await getWithHost(`${control.url}/ui`, `evil.example:${port}`)).toBe(421);
    expect(await getWithHost(`${control.url}/ui`, `localhost.evil.example:${port}`)).toBe(421);
  });

  it('is not there without the ui option: /ui then needs the token like any path', async () => {
    const { call } = await served({});
    expect((await call('GET', '/ui', null)).status).toBe(401);
    expect((await call('GET', '/', null)).status).toBe(401);
    expect((await call('GET', '/ui/pending')).status).toBe(404);
  });

  it('tells what the key waits for (RP, operation, user) behind the token, and nothing once it is answered', async () => {
    const { key, control, call } = await served();
    expect((await call('GET', '/ui/pending', null)).status).toBe(401);
    expect((await call('GET', '/ui/pending')).body).toEqual({ pending: [] });
    const client = new WebAuthnClient(key, { origin: 'https://example.com' });
    closeLater(() => client.close());
    const created = client.create(await generateRegistrationOptions({ rpName: 'Ex', rpID: 'example.com', userName: 'alice' }));
    await until(() => key.pendingActions().length > 0, 5000, 'the key to wait for a touch');
    const { pending } = (await call('GET', '/ui/pending')).body;
    expect(pending).toEqual([{ kind: 'presence', command: 'makeCredential', rpId: 'example.com', userName: 'alice', since: expect.any(String) }]);
    expect(Date.parse(pending[0].since)).toBeGreaterThan(Date.now() - 10_000);
    expect((await call('GET', '/keys/0/ui/pending')).body).toEqual({ pending });
    expect(key.answer('approve')).toBe(true);
    await created;
    expect((await call('GET', '/ui/pending')).body).toEqual({ pending: [] });
    expect((await call('POST', '/ui/pending')).status).toBe(405);
    // startControl without a trace source: the page is told to read the event log instead.
    const trace = await call('GET', '/ui/trace');
    expect(trace.status).toBe(404);
    expect(trace.body.error).toMatch(/no decoded trace.*\/events/);
    await control.close();
  });

  it('drops an ask that ended without an answer (the host cancelled it)', async () => {
    const { key, call } = await served();
    const client = new WebAuthnClient(key, { origin: 'https://example.com' });
    closeLater(() => client.close());
    const options = await generateRegistrationOptions({ rpName: 'Ex', rpID: 'example.com', userName: 'alice', timeout: 1000 });
    const created = client.create(options).catch((e: Error) => e.name);
    await until(() => key.pendingActions().length > 0, 5000, 'the key to wait for a touch');
    expect((await call('GET', '/ui/pending')).body.pending).toHaveLength(1);
    expect(await created).toBe('NotAllowedError'); // the client gave up and cancelled
    await until(() => key.pendingActions().length === 0, 5000, 'the wait to end');
    expect((await call('GET', '/ui/pending')).body).toEqual({ pending: [] });
  });

  it('needs a TCP port: a browser does not reach a Unix socket', async () => {
    const key = new VirtualAuthenticator();
    closeLater(() => key.close());
    await expect(startControl(key, { listen: { path: '/tmp/ctap-emu-ui-test.sock' }, token, ui: true })).rejects.toThrow(/--ui needs --control PORT/);
  });
});
