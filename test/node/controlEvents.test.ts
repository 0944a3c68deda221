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
import { fromBase64url } from '../../src/util/bytes.js';
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
  /** Their stream IDs (undefined for one without). */
  ids(): (number | undefined)[];
  /** Resolves once the server ended the stream (cleanly: 'end'; torn: 'aborted'). */
  ended: Promise<'end' | 'aborted'>;
  close(): void;
}

/** GET /events, held open. */
function subscribe(control: ControlServer, token: string | null = TOKEN, lastEventId?: string): Promise<Stream> {
  const url = new URL(control.url);
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: '/events', headers }, (res) => {
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
        ids: () => sseEvents(text).ids.map((id) => (id === undefined ? undefined : Number(id))),
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
    // Each group: "id: N" (1, 2, 3... from the key's first event), "event: NAME" and "data: JSON" naming the same event.
    const groups = s.text().split('\n\n').filter((g) => g.startsWith('id: '));
    expect(groups.length).toBe(types.length);
    groups.forEach((g, i) => {
      const [id, name, data] = g.split('\n') as [string, string, string];
      expect(id).toBe(`id: ${i + 1}`);
      expect(JSON.parse(data.slice('data: '.length)).type).toBe(name.slice('event: '.length));
    });
  });

  it('a client back with Last-Event-ID gets the events it missed, then the live ones', async () => {
    const { key, control } = await setUp();
    const first = await subscribe(control);
    key.addCredential(outsideCredential('P-256').json);
    key.powerCycle();
    await until(() => first.events().length === 2);
    first.close();
    const c = outsideCredential('P-256');
    key.addCredential(c.json); // 3, missed
    key.setSignCount(c.json.credentialId, 7); // 4, missed
    const again = await subscribe(control, TOKEN, '2');
    await until(() => again.events().length === 2);
    key.powerCycle(); // 5, live
    await until(() => again.events().length === 3);
    expect(again.ids()).toEqual([3, 4, 5]);
    expect(again.events().map((e) => e.type)).toEqual(['credential-added', 'credential-updated', 'power-cycle']);
    expect(again.events()[1]).toMatchObject({ credentialId: c.json.credentialId, signCount: 7, source: 'automation' });
    // Up to date: nothing again.
    const current = await subscribe(control, TOKEN, '5');
    key.powerCycle();
    await until(() => current.events().length === 1);
    expect(current.ids()).toEqual([6]);
  });

  it('says so with an events-lost event when what was missed fell out of the ring, or the ID is not from this run', async () => {
    const { key, control } = await setUp({}, { eventHistory: 3 });
    for (let i = 0; i < 5; i++) key.powerCycle(); // 1-5; the ring keeps 3-5
    const late = await subscribe(control, TOKEN, '1');
    await until(() => late.events().length === 4);
    expect(late.events()[0]).toMatchObject({ type: 'events-lost', reason: 'dropped', lastEventId: 1, missed: 1, oldestId: 3 });
    expect(late.ids()).toEqual([undefined, 3, 4, 5]); // the notice has no ID: the client's last ID stays its own
    const restarted = await subscribe(control, TOKEN, '99');
    await until(() => restarted.events().length === 4);
    expect(restarted.events()[0]).toMatchObject({ type: 'events-lost', reason: 'unknown', lastEventId: 99 });
    expect(restarted.ids().slice(1)).toEqual([3, 4, 5]);
    const bad = await subscribe(control, TOKEN, 'abc');
    expect(bad.status).toBe(400);
    expect(bad.text()).toMatch(/Last-Event-ID must be/);
  });

  it('credential-updated for setSignCount, setUser, setCredentialProperties and updateUserInformation over CTAP', async () => {
    const { key, control } = await setUp({ pin: '1234' });
    const s = await subscribe(control);
    const c = outsideCredential('P-256');
    const id = c.json.credentialId;
    key.addCredential(c.json);
    key.setSignCount(id, 9);
    key.setUser(id, { name: 'al', displayName: 'Al' });
    key.setCredentialProperties(id, { backupEligibility: true });
    const hid = await CtapHidHost.open(key.connect());
    closeLater(() => hid.close());
    const ctap = new Ctap2Client(hid);
    const token = await new ClientPin(ctap, [2]).getPinToken('1234', Permission.cm);
    await new CredentialManagement(ctap, token).updateUser(fromBase64url(id), { id: fromBase64url(c.json.userHandle!), name: 'alice' });
    await until(() => s.events().filter((e) => e.type === 'credential-updated').length === 4);
    const updates = s.events().filter((e) => e.type === 'credential-updated').map(({ time: _t, ...e }) => e);
    expect(updates).toEqual([
      { type: 'credential-updated', credentialId: id, rpId: rpID, signCount: 9, source: 'automation' },
      { type: 'credential-updated', credentialId: id, rpId: rpID, user: { name: 'al', displayName: 'Al' }, source: 'automation' },
      { type: 'credential-updated', credentialId: id, rpId: rpID, backupEligibility: true, backupState: false, source: 'automation' },
      { type: 'credential-updated', credentialId: id, rpId: rpID, user: { name: 'alice' }, source: 'ctap' },
    ]);
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
