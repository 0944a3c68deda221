// The control API's event stream (GET /events: server-sent events, the token, heartbeats, a clean
// end when the API closes) and the FIDO Conformance Tools' automation paths (/conformance/...: no
// token, only when asked), against an in-process key; ceremonies @simplewebauthn/server verifies.
import { describe, expect, it } from 'vitest';
import { generateRegistrationOptions, verifyRegistrationResponse } from '@simplewebauthn/server';
import { request } from 'node:http';
import { VirtualAuthenticator, type VirtualAuthenticatorOptions } from '../../src/node/virtual.js';
import { Ctap2Client, WebAuthnClient } from '../../src/node/clients.js';
import { ClientPin } from '../../src/client/clientPin.js';
import { CredentialManagement } from '../../src/client/credentialManagement.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { Permission } from '../../src/ctap/permissions.js';
import { Status } from '../../src/ctap/status.js';
import { startControl, type ControlOptions, type ControlServer } from '../../src/node/control/server.js';
import { sseEvents } from '../../src/cli/ctl.js';
import { closeLater } from '../helpers/cleanup.js';
import { until } from '../helpers/until.js';
import { origin, outsideCredential, rpID } from '../helpers/importedKeys.js';

const TOKEN = 'a-test-token-of-some-length';

async function setUp(keyOptions: VirtualAuthenticatorOptions = {}, o: Partial<ControlOptions> = {}) {
  const key = new VirtualAuthenticator({ store: 'memory', ...keyOptions });
  const control = await startControl(key, { listen: { port: 0 }, token: TOKEN, ...o });
  closeLater(() => key.close(), () => control.close());
  return { key, control };
}

interface Stream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Everything received so far. */
  text(): string;
  /** The parsed events so far. */
  events(): Record<string, unknown>[];
  /** Resolves once the server ended the stream (cleanly: 'end'; torn: 'aborted'). */
  ended: Promise<'end' | 'aborted'>;
  close(): void;
}

/** GET /events, held open. */
function subscribe(control: ControlServer, token: string | null = TOKEN): Promise<Stream> {
  const url = new URL(control.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: '/events', headers: token === null ? {} : { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      const ended = new Promise<'end' | 'aborted'>((done) => {
        res.on('end', () => done('end'));
        res.on('aborted', () => done('aborted'));
        res.on('error', () => done('aborted'));
      });
      const stream: Stream = {
        status: res.statusCode!, headers: res.headers, text: () => text,
        events: () => sseEvents(text).data.map((d) => JSON.parse(d) as Record<string, unknown>),
        ended, close: () => req.destroy(),
      };
      closeLater(() => stream.close());
      res.on('data', (d: string) => (text += d));
      // Resolve once the first bytes arrived (the subscription is live then).
      res.once('data', () => resolve(stream));
      if (res.statusCode !== 200) res.once('end', () => resolve(stream));
    });
    req.on('error', reject);
    req.end();
  });
}

function client(key: VirtualAuthenticator): WebAuthnClient {
  const c = new WebAuthnClient(key, { origin });
  closeLater(() => c.close());
  return c;
}

async function register(c: WebAuthnClient) {
  const options = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'alice', authenticatorSelection: { userVerification: 'discouraged' } });
  const response = await c.create(options);
  const v = await verifyRegistrationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false });
  expect(v.verified).toBe(true);
  return response;
}

async function post(control: ControlServer, path: string, body?: unknown, token: string | null = null) {
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  const res = await fetch(control.url + path, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('GET /events', () => {
  it('streams the key\'s events as text/event-stream, one per line group, named after the event', async () => {
    const { key, control } = await setUp();
    const s = await subscribe(control);
    expect(s.status).toBe(200);
    expect(s.headers['content-type']).toMatch(/^text\/event-stream/);
    const response = await register(client(key));
    key.addCredential(outsideCredential('P-256').json);
    key.powerCycle();
    await until(() => s.events().some((e) => e.type === 'power-cycle'));
    const types = s.events().map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['request', 'touch-asked', 'touch-answered', 'response', 'credential-added', 'power-cycle']));
    expect(s.events().find((e) => e.type === 'credential-added' && e.source === 'ctap')).toMatchObject({ credentialId: response.id, rpId: rpID });
    // Each group: "event: NAME" and "data: JSON" naming the same event.
    const groups = s.text().split('\n\n').filter((g) => g.startsWith('event: '));
    expect(groups.length).toBe(types.length);
    for (const g of groups) {
      const [name, data] = g.split('\n') as [string, string];
      expect(JSON.parse(data.slice('data: '.length)).type).toBe(name.slice('event: '.length));
    }
  });

  it('is refused without the token, or with another (401, no stream)', async () => {
    const { key, control } = await setUp();
    for (const t of [null, `${TOKEN}x`]) {
      const s = await subscribe(control, t);
      expect(s.status).toBe(401);
      expect(await s.ended).toBe('end');
      expect(s.text()).not.toContain('event:');
    }
    key.powerCycle();
  });

  it('says it is alive between events (a comment line every heartbeat)', async () => {
    const { control } = await setUp({}, { heartbeatMs: 40 });
    const s = await subscribe(control);
    await until(() => s.text().split(': heartbeat\n\n').length > 3);
    expect(s.events()).toEqual([]);
  });

  it('ends cleanly when the control API closes with the key; a listener no longer holds the key', async () => {
    const { key, control } = await setUp();
    const s = await subscribe(control);
    await control.close();
    expect(await s.ended).toBe('end');
    expect(s.text()).toMatch(/: the key stopped\n\n$/);
    key.powerCycle(); // no stream left to write to: nothing throws
  });

  it('stops listening when the client goes', async () => {
    const { key, control } = await setUp();
    const s = await subscribe(control);
    s.close();
    const seen: string[] = [];
    key.on('*', (e) => seen.push(e.type));
    await new Promise((r) => setTimeout(r, 50));
    key.powerCycle();
    expect(seen).toEqual(['power-cycle']);
    expect(control.url).toMatch(/^http:/);
  });
});

describe('FIDO Conformance Tools automation (/conformance/...)', () => {
  it('userpresence approves the touch the key waits for (presence "timeout": no one else would)', async () => {
    const { key, control } = await setUp({ presence: 'timeout' }, { conformance: true });
    const answers: unknown[] = [];
    key.on('touch-asked', () => void post(control, '/conformance/userpresence').then((a) => answers.push(a)));
    await register(client(key));
    await until(() => answers.length === 1);
    expect(answers).toEqual([{ status: 200, body: { touch: 'approved' } }]);
  });

  it('userpresence sent before the key asks counts for its next touch (GET too)', async () => {
    const { key, control } = await setUp({ presence: 'deny' }, { conformance: true });
    expect((await fetch(`${control.url}/conformance/userpresence`)).status).toBe(200);
    await register(client(key));
    await expect(register(client(key))).rejects.toThrow(); // the touch was spent
  });

  it('powercycle: the key is unplugged and plugged in (a PIN token stops working), answered 200 when done', async () => {
    const { key, control } = await setUp({ pin: '1234' }, { conformance: true });
    key.addCredential(outsideCredential('P-256').json);
    const hid = await CtapHidHost.open(key.connect());
    closeLater(() => hid.close());
    const token = await new ClientPin(new Ctap2Client(hid), [2]).getPinToken('1234', Permission.cm);
    expect(await post(control, '/conformance/powercycle')).toEqual({ status: 200, body: { powerCycled: true } });
    const hid2 = await CtapHidHost.open(key.connect());
    closeLater(() => hid2.close());
    await expect(new CredentialManagement(new Ctap2Client(hid2), token).metadata()).rejects.toMatchObject({ status: Status.CTAP2_ERR_PIN_AUTH_INVALID });
  });

  it('results: the summary goes to onResults', async () => {
    const results: unknown[] = [];
    const { control } = await setUp({}, { conformance: { onResults: (r) => results.push(r) } });
    const summary = { allTestsSelected: true, passedTestsCount: 3, failedTestsCount: 0, failedTests: [] };
    expect((await post(control, '/conformance/results', summary)).status).toBe(204);
    expect(results).toEqual([summary]);
  });

  it('not served unless asked: without the token 401 and nothing happens; with it, no such resource', async () => {
    const { key, control } = await setUp({ presence: 'deny' });
    const events: string[] = [];
    key.on('*', (e) => events.push(e.type));
    expect((await post(control, '/conformance/powercycle')).status).toBe(401);
    expect((await post(control, '/conformance/userpresence')).status).toBe(401);
    expect((await post(control, '/conformance/powercycle', undefined, TOKEN)).status).toBe(404);
    expect(events).toEqual([]);
    await expect(register(client(key))).rejects.toThrow(); // no touch was given
  });

  it('needs TCP (the tools call http://localhost:3000)', async () => {
    const key = new VirtualAuthenticator();
    closeLater(() => key.close());
    await expect(startControl(key, { listen: { path: '/tmp/nowhere.sock' }, token: TOKEN, conformance: true })).rejects.toThrow(/--control PORT/);
  });
});
