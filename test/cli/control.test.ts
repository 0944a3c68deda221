// `serve --control`: each control operation over HTTP against a running key (UDP), its effect seen
// by a host over UDP (ceremonies @simplewebauthn/server verifies); requests without the token, or
// with another, refused with 401 and changing nothing; a Unix socket; `ctap-emu ctl`.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateRegistrationOptions } from '@simplewebauthn/server';
import { connectUdp } from '../../src/hid/udp.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { HidCmd, HidError } from '../../src/hid/constants.js';
import { Ctap2Client } from '../../src/node/clients.js';
import { ClientPin } from '../../src/client/clientPin.js';
import { CredentialManagement } from '../../src/client/credentialManagement.js';
import { Permission } from '../../src/ctap/permissions.js';
import { Status } from '../../src/ctap/status.js';
import { closeLater } from '../helpers/cleanup.js';
import { outsideCredential, rpID, signIn } from '../helpers/importedKeys.js';
import { cliEnv, requireBuiltCli, runCli, serveUdpCli } from '../helpers/serveProcess.js';
import { startControl } from '../helpers/control.js';

beforeAll(requireBuiltCli);

describe('the control API over HTTP', () => {
  it('announces itself on 127.0.0.1 with a fresh token', async () => {
    const a = await startControl();
    const b = await startControl();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect((await a.call('GET', '/key')).body).toMatchObject({ presence: 'approve', discoverableCredentials: 0, algorithms: ['ES256', 'EdDSA', 'ES384'] });
  });

  it('adds a credential that then signs in over UDP; lists, gets, patches and removes it', async () => {
    const k = await startControl();
    const c = outsideCredential('P-256', { signCount: 5 });
    const added = await k.call('POST', '/credentials', c.json);
    expect(added.status).toBe(201);
    expect(added.body).not.toHaveProperty('privateKey');
    expect(await signIn(k.client(), c, 5)).toMatchObject({ verified: true, newCounter: 6 });

    const list = await k.call('GET', '/credentials');
    expect(list.body).toEqual([expect.objectContaining({ credentialId: c.json.credentialId, signCount: 6 })]);
    expect(list.body[0]).not.toHaveProperty('privateKey');
    expect((await k.call('GET', '/credentials?includePrivateKeys=true')).body[0].privateKey).toBe(c.json.privateKey);
    expect((await k.call('GET', `/credentials/${c.json.credentialId}`)).body).toMatchObject({ userName: 'alice', signCount: 6 });

    const patched = await k.call('PATCH', `/credentials/${c.json.credentialId}`, { signCount: 1000, user: { displayName: 'Alice A.' } });
    expect(patched.body).toMatchObject({ signCount: 1000, userName: 'alice', userDisplayName: 'Alice A.' });
    expect(await signIn(k.client(), c, 6)).toMatchObject({ newCounter: 1001 });

    expect((await k.call('DELETE', `/credentials/${c.json.credentialId}`)).status).toBe(204);
    expect((await k.call('GET', `/credentials/${c.json.credentialId}`)).status).toBe(404);
    await expect(signIn(k.client(), c, 1001)).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it("props: a credential's backup flags, which the RP then reads from its assertions over UDP", async () => {
    const k = await startControl();
    const c = outsideCredential('P-256');
    const id = c.json.credentialId;
    await k.call('POST', '/credentials', c.json);
    expect(await signIn(k.client(), c, 0)).toMatchObject({ credentialDeviceType: 'singleDevice', credentialBackedUp: false });
    const set = await k.call('POST', `/credentials/${id}/props`, { backupEligibility: true, backupState: true });
    expect(set).toMatchObject({ status: 200, body: { credentialId: id, backupEligibility: true, backupState: true } });
    expect(await signIn(k.client(), c, 1)).toMatchObject({ verified: true, credentialDeviceType: 'multiDevice', credentialBackedUp: true });
    expect(await k.call('POST', `/credentials/${id}/props`, { backupEligibility: false })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/needs backupEligibility/) } });
    expect(await k.call('POST', `/credentials/${id}/props`, [])).toMatchObject({ status: 400 });
    expect(await k.call('POST', '/credentials/AAAA/props', { backupState: false })).toMatchObject({ status: 404 });
    expect((await k.call('GET', `/credentials/${id}`)).body).toMatchObject({ backupEligibility: true, backupState: true });
  });

  it('adds an array, and DELETE /credentials removes them all', async () => {
    const k = await startControl();
    const list = [outsideCredential('P-256').json, outsideCredential('Ed25519', { isResidentCredential: false }).json];
    expect((await k.call('POST', '/credentials', list)).body).toHaveLength(2);
    expect((await k.call('DELETE', '/credentials')).body).toEqual({ removed: 2 });
    expect((await k.call('GET', '/credentials')).body).toEqual([]);
  });

  it('answers bad input with 400 and a message, unknown credentials and paths with 404, and changes nothing', async () => {
    const k = await startControl();
    const c = outsideCredential('P-256');
    await k.call('POST', '/credentials', c.json);
    const before = (await k.call('GET', '/credentials')).body;
    const id = c.json.credentialId;
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/credentials', '{"credentialId":', 400, /bad JSON/],
      ['POST', '/credentials', { ...c.json, rpId: '' }, 400, /rpId/],
      ['POST', '/credentials', [outsideCredential('P-256').json, { nope: 1 }], 400, /credentialId/],
      ['POST', '/credentials', c.json, 409, /exists/],
      ['PATCH', `/credentials/${id}`, { signCount: -1, user: { name: 'x' } }, 400, /signCount/],
      ['PATCH', `/credentials/${id}`, { user: { name: 5 } }, 400, /user.name/],
      ['PATCH', '/credentials/AAAA', { signCount: 1 }, 404, /no credential/],
      ['DELETE', '/credentials/AAAA', undefined, 404, /no credential/],
      ['GET', '/credentials/%zz', undefined, 400, /percent-encoding/],
      ['POST', '/presence', { policy: 'sometimes' }, 400, /policy/],
      ['POST', '/uv', { verified: true }, 409, /no built-in user verification/],
      ['GET', '/nothing', undefined, 404, /no resource/],
      ['PUT', '/key', undefined, 405, /not allowed/],
    ];
    for (const [method, path, body, status, error] of cases) {
      const r = await k.call(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(status);
      expect(r.body.error, `${method} ${path}`).toMatch(error);
    }
    expect((await k.call('GET', '/credentials')).body).toEqual(before);
    expect((await k.call('GET', '/key')).body.presence).toBe('approve');
  });

  it('presence: deny makes sign-in fail, approve brings it back', async () => {
    const k = await startControl();
    const c = outsideCredential('P-256');
    await k.call('POST', '/credentials', c.json);
    expect((await k.call('POST', '/presence', { policy: 'deny' })).body).toEqual({ presence: 'deny' });
    await expect(signIn(k.client(), c, 0)).rejects.toMatchObject({ name: 'NotAllowedError' });
    await k.call('POST', '/presence', { policy: 'delay:20' });
    expect(await signIn(k.client(), c, 0)).toMatchObject({ verified: true });
  });

  it('uv: a key with built-in UV stops verifying, then verifies again', async () => {
    const k = await startControl(['--uv', 'match']);
    const register = async () => k.client().create(await generateRegistrationOptions({
      rpName: 'Example', rpID, userName: 'alice', authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    }));
    expect((await k.call('POST', '/uv', { verified: false })).body).toEqual({ userVerified: false });
    expect((await k.call('GET', '/key')).body.userVerified).toBe(false);
    await expect(register()).rejects.toMatchObject({ name: 'NotAllowedError' });
    await k.call('POST', '/uv', { verified: true });
    await expect(register()).resolves.toBeDefined();
  });

  it('power-cycle drops a pinUvAuthToken and a CTAPHID lock; credentials stay', async () => {
    const k = await startControl(['--pin', '1234']);
    await k.call('POST', '/credentials', outsideCredential('P-256').json);
    const host = async (): Promise<CtapHidHost> => {
      const h = await CtapHidHost.open(await connectUdp('127.0.0.1', k.serve.port));
      closeLater(() => h.close());
      return h;
    };
    const [a, b] = [await host(), await host()];
    const ctap = new Ctap2Client(a);
    const token = await new ClientPin(ctap, [2]).getPinToken('1234', Permission.cm);
    expect(await new CredentialManagement(ctap, token).metadata()).toMatchObject({ existing: 1 });
    await a.transact(HidCmd.LOCK, new Uint8Array([10]));
    await expect(b.ping(new Uint8Array([1]))).rejects.toMatchObject({ code: HidError.CHANNEL_BUSY });
    expect((await k.call('POST', '/key/power-cycle')).status).toBe(204);
    expect(await b.ping(new Uint8Array([1]))).toEqual(new Uint8Array([1]));
    await expect(new CredentialManagement(ctap, token).metadata()).rejects.toMatchObject({ status: Status.CTAP2_ERR_PIN_AUTH_INVALID });
    expect((await k.call('GET', '/credentials')).body).toHaveLength(1);
  });

  it('reset wipes credentials and the PIN without a touch', async () => {
    const k = await startControl(['--pin', '1234', '--presence', 'deny']);
    await k.call('POST', '/credentials', outsideCredential('P-256').json);
    expect((await k.call('GET', '/key')).body.pin).toBe(true);
    expect((await k.call('POST', '/key/reset')).status).toBe(204);
    expect((await k.call('GET', '/key')).body).toMatchObject({ pin: false, discoverableCredentials: 0 });
  });
});

describe('requests without the token', () => {
  it('get 401 on every resource, and change nothing', async () => {
    const k = await startControl(['--pin', '1234']);
    const c = outsideCredential('P-256');
    await k.call('POST', '/credentials', c.json);
    const key = (await k.call('GET', '/key')).body;
    const creds = (await k.call('GET', '/credentials?includePrivateKeys=true')).body;
    const host = await CtapHidHost.open(await connectUdp('127.0.0.1', k.serve.port));
    closeLater(() => host.close());
    const ctap = new Ctap2Client(host);
    const token = await new ClientPin(ctap, [2]).getPinToken('1234', Permission.cm);
    const id = c.json.credentialId;
    const requests: [string, string, unknown][] = [
      ['GET', '/key', undefined], ['POST', '/key/power-cycle', undefined], ['POST', '/key/reset', undefined],
      ['GET', '/credentials?includePrivateKeys=true', undefined], ['POST', '/credentials', outsideCredential('P-256').json],
      ['DELETE', '/credentials', undefined], ['GET', `/credentials/${id}`, undefined], ['DELETE', `/credentials/${id}`, undefined],
      ['PATCH', `/credentials/${id}`, { signCount: 99 }], ['POST', '/uv', { verified: false }], ['POST', '/presence', { policy: 'deny' }],
      ['GET', '/nothing', undefined],
    ];
    const wrong = [null, '', `${k.token}x`, k.token.slice(1), 'Basic x', k.token.toUpperCase()];
    for (const [method, path, body] of requests) {
      for (const token of wrong) {
        const r = await k.call(method, path, body, token);
        expect(r.status, `${method} ${path} with ${String(token)}`).toBe(401);
        expect(r.body).toEqual({ error: 'missing or wrong bearer token' });
      }
    }
    // The token in another scheme, or in the query, is no token either.
    const res = await fetch(`${k.url}/key?token=${k.token}`, { headers: { authorization: `Basic ${k.token}` } });
    expect(res.status).toBe(401);
    expect((await k.call('GET', '/key')).body).toEqual(key);
    expect((await k.call('GET', '/credentials?includePrivateKeys=true')).body).toEqual(creds);
    // No power cycle or reset happened: the token still works.
    expect(await new CredentialManagement(ctap, token).metadata()).toMatchObject({ existing: 1 });
    expect(await signIn(k.client(), c, 0)).toMatchObject({ verified: true, newCounter: 1 });
  });
});

describe('--control-token-file and a Unix socket', () => {
  it('serves on the socket (0600) with the token from the file, which it does not print', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-control-'));
    closeLater(() => rmSync(dir, { recursive: true, force: true }));
    const socket = join(dir, 'control.sock');
    const tokenFile = join(dir, 'token');
    const token = 'a-token-from-a-file-0123456789';
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    const serve = await serveUdpCli(['--memory', '--control', `unix:${socket}`, '--control-token-file', tokenFile]);
    expect(serve.stderr()).toContain(`control: unix:${socket} (token from --control-token-file)`);
    expect(serve.stderr()).not.toContain(token);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    const get = (t: string): Promise<number> => new Promise((resolve, reject) => {
      request({ socketPath: socket, path: '/key', headers: { authorization: `Bearer ${t}` } }, (res) => (res.resume(), resolve(res.statusCode!)))
        .on('error', reject).end();
    });
    expect(await get(token)).toBe(200);
    expect(await get('wrong-token-wrong-token')).toBe(401);
    // The CLI client over the same socket.
    const ctl = await runCli(['ctl', 'key', '--control', `unix:${socket}`, '--token-file', tokenFile]);
    expect(ctl.code, ctl.stderr).toBe(0);
    expect(JSON.parse(ctl.stdout)).toMatchObject({ presence: 'approve' });
    serve.child.kill('SIGTERM');
    expect((await serve.exited).code).toBe(0);
  });

  it('refuses a token shorter than 16 characters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-control-'));
    closeLater(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'token'), 'short\n');
    await expect(serveUdpCli(['--memory', '--control', '0', '--control-token-file', join(dir, 'token')])).rejects.toThrow(/at least 16/);
  });
});

describe('ctap-emu ctl', () => {
  it('runs each operation against the running key', async () => {
    const k = await startControl();
    const env = cliEnv({ CTAP_EMU_CONTROL: k.url, CTAP_EMU_TOKEN: k.token });
    const ctl = async (...args: string[]) => {
      const r = await runCli(['ctl', ...args], env, args.includes('-') ? JSON.stringify(c.json) : undefined);
      return { ...r, json: r.stdout ? JSON.parse(r.stdout) : undefined };
    };
    const c = outsideCredential('P-256');
    const id = c.json.credentialId;
    expect((await ctl('add', '-')).json).toMatchObject({ credentialId: id });
    expect((await ctl('list')).json).toEqual([expect.objectContaining({ credentialId: id })]);
    const withKeys = await ctl('list', '--private-keys');
    expect(withKeys.json[0].privateKey).toBe(c.json.privateKey);
    expect(withKeys.stderr).toMatch(/warning: the output holds private keys/);
    expect((await ctl('set', id, '--sign-count', '50', '--user-name', 'al')).json).toMatchObject({ signCount: 50, userName: 'al' });
    expect((await ctl('get', id)).json).toMatchObject({ signCount: 50 });
    expect((await ctl('props', id, '--backup-eligibility', 'true')).json).toMatchObject({ backupEligibility: true, backupState: false });
    expect(await ctl('props', id, '--backup-state', 'maybe')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--backup-state takes true or false/) });
    expect(await ctl('props', id)).toMatchObject({ code: 2 });
    expect((await ctl('presence', 'deny')).json).toEqual({ presence: 'deny' });
    expect((await ctl('key')).json.presence).toBe('deny');
    expect((await ctl('presence', 'approve')).code).toBe(0);
    expect((await ctl('uv', 'true')).code).toBe(1); // no built-in UV on this key
    expect((await ctl('power-cycle')).code).toBe(0);
    expect(await signIn(k.client(), c, 50)).toMatchObject({ newCounter: 51 });
    expect((await ctl('remove', id)).code).toBe(0);
    expect(await ctl('get', id)).toMatchObject({ code: 3, stderr: expect.stringMatching(/no credential/) });
    await ctl('add', '-');
    expect((await ctl('remove-all')).json).toEqual({ removed: 1 });
    expect((await ctl('reset')).code).toBe(0);
    const refused = await runCli(['ctl', 'key'], cliEnv({ CTAP_EMU_CONTROL: k.url, CTAP_EMU_TOKEN: 'x'.repeat(43) }));
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/refused the token/) });
    expect(await runCli(['ctl', 'key'], cliEnv())).toMatchObject({ code: 2, stderr: expect.stringMatching(/--control/) });
  }, 60_000); // a dozen CLI processes, each a Node start-up: slow on a loaded machine
});
