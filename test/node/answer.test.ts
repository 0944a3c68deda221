// The user's answer to what the key waits for, given from outside the policies: approve or deny a
// touch, a finger that matches or not, or no answer (USER_ACTION_TIMEOUT); in-process and over the
// control API with `serve --presence ask`.
import { afterEach, describe, expect, it } from 'vitest';
import { generateRegistrationOptions } from '@simplewebauthn/server';
import { VirtualAuthenticator, type UserAction } from '../../src/node/virtual.js';
import { Ctap2Client, WebAuthnClient } from '../../src/node/clients.js';
import { ClientPin, PinPermission } from '../../src/client/clientPin.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { Status } from '../../src/ctap/status.js';
import { closeLater } from '../helpers/cleanup.js';
import { status } from '../helpers/status.js';
import { until } from '../helpers/until.js';
import { startControl } from '../helpers/control.js';

const keys: VirtualAuthenticator[] = [];
afterEach(() => {
  while (keys.length) keys.pop()!.close();
});

const register = async (c: WebAuthnClient) =>
  c.create(await generateRegistrationOptions({ rpName: 'Ex', rpID: 'example.com', userName: 'alice' }));

describe('VirtualAuthenticator.answer', () => {
  it.each([
    ['approve', undefined],
    ['deny', 'NotAllowedError'],
    ['timeout', 'NotAllowedError'],
  ] as const)('%s: the touch the key waits for', async (action, error) => {
    const key = new VirtualAuthenticator({ presence: 'timeout' });
    keys.push(key);
    const client = new WebAuthnClient(key, { origin: 'https://example.com' });
    closeLater(() => client.close());
    expect(key.pendingActions()).toEqual([]);
    expect(key.answer('approve')).toBe(false); // nothing to answer
    const done = register(client).then(() => undefined, (e: Error) => e.name);
    await until(() => key.pendingActions().length > 0, 5000, 'the key to ask');
    expect(key.pendingActions()).toEqual(['presence']);
    expect(key.answer(action as UserAction)).toBe(true);
    expect(await done).toBe(error);
    expect(key.pendingActions()).toEqual([]);
    expect(key.store.count()).toBe(action === 'approve' ? 1 : 0);
  });

  it('gives the CTAP statuses a host sees: OPERATION_DENIED, USER_ACTION_TIMEOUT', async () => {
    const key = new VirtualAuthenticator({ presence: 'timeout' });
    keys.push(key);
    const hid = await CtapHidHost.open(key.connect());
    closeLater(() => void hid.close());
    const ctap = new Ctap2Client(hid);
    for (const [action, expected] of [['deny', Status.CTAP2_ERR_OPERATION_DENIED], ['timeout', Status.CTAP2_ERR_USER_ACTION_TIMEOUT]] as const) {
      const p = status(ctap.selection());
      await until(() => key.pendingActions().length > 0, 5000, 'the key to ask');
      key.answer(action);
      expect(await p).toBe(expected);
    }
  });

  it('answers a finger on the built-in sensor: verify, fail-verification', async () => {
    const key = new VirtualAuthenticator({ userVerification: 'timeout' });
    keys.push(key);
    const ctap = new Ctap2Client(await CtapHidHost.open(key.connect()));
    const pin = new ClientPin(ctap, (await ctap.getInfo()).pinUvAuthProtocols);
    const fails = status(pin.getUvToken(PinPermission.mc, 'example.com'));
    await until(() => key.pendingActions().includes('verification'), 5000, 'the sensor to wait');
    expect(key.answer('fail-verification')).toBe(true);
    expect(await fails).toBe(Status.CTAP2_ERR_UV_INVALID);
    const works = pin.getUvToken(PinPermission.mc, 'example.com');
    await until(() => key.pendingActions().includes('verification'), 5000, 'the sensor to wait');
    expect(key.answer('verify')).toBe(true);
    expect((await works).token).toHaveLength(32);
    expect(() => key.answer('wave' as UserAction)).toThrow(/unknown action/);
  });
});

describe('POST /pending over the control API (serve --presence ask)', () => {
  it('denies the pending touch, then approves the next; refuses an unknown action', async () => {
    const c = await startControl(['--presence', 'ask']);
    const client = c.client();
    const asked = async () => {
      for (let i = 0; i < 100 && (await c.call('GET', '/pending')).body.pending.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    };
    const denied = register(client).then(() => 'ok', (e: Error) => e.name);
    await asked();
    expect((await c.call('POST', '/pending', { action: 'deny' })).body).toEqual({ answered: true, pending: [] });
    expect(await denied).toBe('NotAllowedError');
    const approved = register(client).then(() => 'ok', (e: Error) => e.name);
    await asked();
    expect((await c.call('POST', '/pending', { action: 'approve' })).status).toBe(200);
    expect(await approved).toBe('ok');
    const bad = await c.call('POST', '/pending', { action: 'wave' });
    expect(bad.status).toBe(400);
    expect((await c.call('POST', '/pending', { action: 'deny' }, null)).status).toBe(401);
  });
});
