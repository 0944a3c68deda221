// The key's events in-process (key.on / key.off): what a passkey ceremony, a PIN change, credential
// management, automation and the scripted user's touches tell a watcher, in order; and that no
// event carries a secret: the PIN, its hash, a token, a key, a MAC, or any byte string off the wire
// but a credential ID.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { VirtualAuthenticator, type VirtualAuthenticatorOptions } from '../../src/node/virtual.js';
import { Ctap2Client, WebAuthnClient } from '../../src/node/clients.js';
import { ClientPin } from '../../src/client/clientPin.js';
import { CredentialManagement } from '../../src/client/credentialManagement.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { decodeCbor, type CborValue } from '../../src/ctap/cbor.js';
import { Permission } from '../../src/ctap/permissions.js';
import type { KeyEvent } from '../../src/node/events/types.js';
import { fromBase64url, toBase64url, toHex } from '../../src/util/bytes.js';
import { closeLater } from '../helpers/cleanup.js';
import { origin, outsideCredential, rpID } from '../helpers/importedKeys.js';

interface Watched {
  key: VirtualAuthenticator;
  events: KeyEvent[];
  /** Every CTAP2 request and response the key saw. */
  wire: Uint8Array[];
}

function watchedKey(options: VirtualAuthenticatorOptions = {}): Watched {
  const wire: Uint8Array[] = [];
  const key = new VirtualAuthenticator({ store: 'memory', ...options, onExchange: (q, r) => wire.push(q.slice(), r.slice()) });
  closeLater(() => key.close());
  const events: KeyEvent[] = [];
  key.on('*', (e) => events.push(e));
  return { key, events, wire };
}

function client(k: VirtualAuthenticator, pin?: string): WebAuthnClient {
  const c = new WebAuthnClient(k, { origin, pin });
  closeLater(() => c.close());
  return c;
}

async function ctap(k: VirtualAuthenticator): Promise<Ctap2Client> {
  const hid = await CtapHidHost.open(k.connect());
  closeLater(() => hid.close());
  return new Ctap2Client(hid);
}

/** Events without their time and channel, for comparing sequences. */
const plain = (events: KeyEvent[]): object[] => events.map(({ time: _t, ...e }) => {
  const { channel: _c, ...rest } = e as KeyEvent & { channel?: number };
  return rest;
});

async function register(c: WebAuthnClient, uv: 'required' | 'discouraged' = 'required') {
  const options = await generateRegistrationOptions({
    rpName: 'Example', rpID, userName: 'alice', authenticatorSelection: { residentKey: 'required', userVerification: uv },
  });
  const response = await c.create(options);
  const { registrationInfo } = await verifyRegistrationResponse({
    response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: uv === 'required',
  });
  return { response, credential: registrationInfo!.credential };
}

/** Byte strings anywhere in a CBOR value (map keys and values, arrays, nested). */
function byteStrings(v: CborValue, out: Uint8Array[] = []): Uint8Array[] {
  if (v instanceof Uint8Array) out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => byteStrings(x, out));
  else if (v instanceof Map) for (const [k, x] of v) (byteStrings(k as CborValue, out), byteStrings(x, out));
  return out;
}

function wireByteStrings(message: Uint8Array): Uint8Array[] {
  try {
    return byteStrings(decodeCbor(message.subarray(1)));
  } catch {
    return [];
  }
}

describe('events of a passkey ceremony', () => {
  it('request, touch asked and answered, response, credential added; then used with the counter the RP sees', async () => {
    const { key, events } = watchedKey({ pin: '1234' });
    const c = client(key, '1234');
    const { response, credential } = await register(c);
    const made = events.filter((e) => e.type !== 'request' && e.type !== 'response' || e.command === 'authenticatorMakeCredential');
    expect(plain(made)).toEqual([
      { type: 'request', command: 'authenticatorMakeCredential', rpId: rpID },
      { type: 'touch-asked', kind: 'presence', command: 'makeCredential', rpId: rpID, userName: 'alice' },
      { type: 'touch-answered', kind: 'presence', command: 'makeCredential', rpId: rpID, result: 'approved' },
      { type: 'response', command: 'authenticatorMakeCredential', status: 'CTAP2_OK' },
      { type: 'credential-added', credentialId: response.id, rpId: rpID, signCount: expect.any(Number), discoverable: true, source: 'ctap' },
    ]);
    // The client's PIN token came first: clientPIN requests with their sub-commands, on a channel.
    const pinRequest = events.find((e) => e.type === 'request' && e.command === 'authenticatorClientPIN');
    expect(pinRequest).toMatchObject({ subCommand: 'getKeyAgreement', channel: expect.any(Number) });
    expect(new Date(pinRequest!.time).getTime()).toBeGreaterThan(Date.now() - 60_000);

    events.length = 0;
    const options = await generateAuthenticationOptions({ rpID, userVerification: 'required', allowCredentials: [] });
    const result = await verifyAuthenticationResponse({
      response: await c.get(options), expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, credential,
    });
    const used = events.filter((e) => e.type === 'credential-used');
    expect(plain(used)).toEqual([{ type: 'credential-used', credentialId: response.id, rpId: rpID, signCount: result.authenticationInfo.newCounter }]);
    expect(result.authenticationInfo.newCounter).toBeGreaterThan(0);
  });

  it('getNextAssertion: each credential of the walk used, for the RP its getAssertion named', async () => {
    const { key, events } = watchedKey();
    const a = key.addCredential(outsideCredential('P-256').json);
    const b = key.addCredential(outsideCredential('Ed25519', { userName: 'bob' }).json);
    const got = await (await ctap(key)).getAssertions({ rpId: rpID, clientDataHash: new Uint8Array(32) });
    expect(got).toHaveLength(2);
    const used = plain(events.filter((e) => e.type === 'credential-used'));
    expect(used).toEqual(expect.arrayContaining([
      { type: 'credential-used', credentialId: a.credentialId, rpId: rpID, signCount: 1 },
      { type: 'credential-used', credentialId: b.credentialId, rpId: rpID, signCount: 1 },
    ]));
    expect(used).toHaveLength(2);
    expect(events.filter((e) => e.type === 'request').map((e) => e.command)).toContain('authenticatorGetNextAssertion');
  });

  it('a refused touch: touch-answered denied, the response OPERATION_DENIED, nothing added', async () => {
    const { key, events } = watchedKey({ presence: 'deny' });
    await expect(register(client(key), 'discouraged')).rejects.toThrow();
    expect(events.find((e) => e.type === 'touch-answered')).toMatchObject({ result: 'denied', command: 'makeCredential' });
    expect(events.find((e) => e.type === 'response' && e.command === 'authenticatorMakeCredential')).toMatchObject({ status: 'CTAP2_ERR_OPERATION_DENIED' });
    expect(events.some((e) => e.type === 'credential-added')).toBe(false);
  });

  it('a fingerprint key: the finger asked and answered (kind verification)', async () => {
    const { key, events } = watchedKey({ userVerification: 'match' });
    await register(client(key));
    expect(events.find((e) => e.type === 'touch-answered' && e.kind === 'verification')).toMatchObject({ result: 'match' });
  });

  it('off: a listener taken off hears nothing more; named listeners hear only their event', async () => {
    const { key } = watchedKey();
    const all: KeyEvent[] = [];
    const added: string[] = [];
    const listener = (e: KeyEvent): void => void all.push(e);
    key.on('*', listener);
    key.on('credential-added', (e) => added.push(e.credentialId));
    key.off('*', listener);
    key.addCredential(outsideCredential('P-256').json);
    expect(all).toEqual([]);
    expect(added).toHaveLength(1);
  });
});

describe('events of PIN, credential management, automation and power', () => {
  it('pin-set, pin-changed, credential-deleted (CTAP and automation), reset, power-cycle', async () => {
    const { key, events } = watchedKey({ resetWindowMs: null });
    const cp = new ClientPin(await ctap(key), [2]);
    await cp.setPin('1234');
    await cp.changePin('1234', '98765');
    const a = outsideCredential('P-256');
    const b = outsideCredential('P-256', { userName: 'bob' });
    key.addCredential(a.json);
    key.addCredential(b.json);
    const token = await cp.getPinToken('98765', Permission.cm);
    await new CredentialManagement(await ctap(key), token).delete(fromBase64url(a.json.credentialId));
    const c = outsideCredential('Ed25519', { isResidentCredential: false });
    key.addCredential(c.json);
    key.removeCredential(c.json.credentialId);
    key.addCredential(c.json);
    key.removeAllCredentials();
    key.powerCycle();
    key.reset();
    await (await ctap(key)).reset();
    const changes = events.filter((e) => e.type !== 'request' && e.type !== 'response');
    expect(plain(changes)).toEqual([
      { type: 'pin-set' },
      { type: 'pin-changed' },
      { type: 'credential-added', credentialId: a.json.credentialId, rpId: rpID, signCount: 0, discoverable: true, source: 'automation' },
      { type: 'credential-added', credentialId: b.json.credentialId, rpId: rpID, signCount: 0, discoverable: true, source: 'automation' },
      { type: 'credential-deleted', credentialId: a.json.credentialId, rpId: rpID, source: 'ctap' },
      { type: 'credential-added', credentialId: c.json.credentialId, rpId: rpID, signCount: 0, discoverable: false, source: 'automation' },
      { type: 'credential-deleted', credentialId: c.json.credentialId, rpId: rpID, source: 'automation' },
      { type: 'credential-added', credentialId: c.json.credentialId, rpId: rpID, signCount: 0, discoverable: false, source: 'automation' },
      { type: 'credential-deleted', credentialId: b.json.credentialId, rpId: rpID, source: 'automation' },
      { type: 'credential-deleted', credentialId: c.json.credentialId, rpId: rpID, source: 'automation' },
      { type: 'power-cycle' },
      { type: 'reset', source: 'automation' },
      { type: 'touch-asked', kind: 'presence', command: 'reset' },
      { type: 'touch-answered', kind: 'presence', command: 'reset', result: 'approved' },
      { type: 'reset', source: 'ctap' },
    ]);
  });

  it('a discoverable credential for the same user replaces the old one: credential-deleted, then credential-added (CTAP and automation)', async () => {
    const { key, events } = watchedKey();
    const c = client(key);
    const userID = new Uint8Array([7, 7, 7]);
    const make = async () => c.create(await generateRegistrationOptions({
      rpName: 'Example', rpID, userName: 'alice', userID, authenticatorSelection: { residentKey: 'required', userVerification: 'discouraged' },
    }));
    const first = await make();
    const second = await make();
    const imported = outsideCredential('P-256', { userHandle: toBase64url(userID) }).json;
    key.addCredential(imported);
    expect(key.getCredentials().map((x) => x.credentialId)).toEqual([imported.credentialId]);
    const changes = events.filter((e) => e.type.startsWith('credential-'));
    expect(plain(changes)).toEqual([
      { type: 'credential-added', credentialId: first.id, rpId: rpID, signCount: expect.any(Number), discoverable: true, source: 'ctap' },
      { type: 'credential-deleted', credentialId: first.id, rpId: rpID, source: 'ctap' },
      { type: 'credential-added', credentialId: second.id, rpId: rpID, signCount: expect.any(Number), discoverable: true, source: 'ctap' },
      { type: 'credential-deleted', credentialId: second.id, rpId: rpID, source: 'automation' },
      { type: 'credential-added', credentialId: imported.credentialId, rpId: rpID, signCount: 0, discoverable: true, source: 'automation' },
    ]);
  });

  it('no event carries a secret: the PIN, its hash, or any byte string off the wire but credential IDs', async () => {
    const pin = '271828';
    const { key, events, wire } = watchedKey({ userVerification: 'match' });
    const cp = new ClientPin(await ctap(key), [2]);
    await cp.setPin(pin);
    const token = await cp.getPinToken(pin, Permission.cm | Permission.mc, rpID);
    const { response } = await register(client(key, pin));
    await cp.changePin(pin, '314159');
    await new CredentialManagement(await ctap(key), await cp.getPinToken('314159', Permission.cm)).delete(fromBase64url(response.id));
    const exported = key.addCredential(outsideCredential('P-256').json);
    const text = JSON.stringify(events);
    const ids = new Set(events.flatMap((e) => ('credentialId' in e ? [e.credentialId] : [])));
    expect(ids).toEqual(new Set([response.id, exported.credentialId]));
    const pinHash = createHash('sha256').update(pin).digest();
    const secrets = [token.token, pinHash, pinHash.subarray(0, 16), ...wire.flatMap(wireByteStrings)]
      .filter((b) => b.length >= 8 && !ids.has(toBase64url(b)));
    expect(secrets.length).toBeGreaterThan(20);
    for (const s of secrets) {
      for (const form of [toBase64url(s), toHex(s), Buffer.from(s).toString('base64')]) expect(text).not.toContain(form.slice(0, 12));
    }
    for (const p of [pin, '314159']) expect(text).not.toContain(p);
    // Only these members, whatever the event.
    const members = new Set(events.flatMap((e) => Object.keys(e)));
    for (const m of members) {
      expect(['type', 'time', 'command', 'subCommand', 'rpId', 'channel', 'status', 'kind', 'userName', 'result', 'credentialId',
        'signCount', 'discoverable', 'source']).toContain(m);
    }
  });
});

describe('touch(): a touch from outside the presence policy', () => {
  it('approves the touch the key waits for now', async () => {
    const { key, events } = watchedKey({ presence: 'timeout' });
    key.on('touch-asked', () => expect(key.touch()).toBe('approved'));
    await register(client(key), 'discouraged');
    expect(events.find((e) => e.type === 'touch-answered')).toMatchObject({ result: 'approved' });
  });

  // Watched, the touch goes through the announced wait; unwatched, the key takes it without one.
  it.each([true, false])('given ahead, it counts for the next touch asked (once); a power cycle forgets it (watched: %s)', async (watched) => {
    const key = watched ? watchedKey({ presence: 'deny' }).key : new VirtualAuthenticator({ store: 'memory', presence: 'deny' });
    if (!watched) closeLater(() => key.close());
    expect(key.touch(10_000)).toBe('armed');
    await register(client(key), 'discouraged');
    await expect(register(client(key), 'discouraged')).rejects.toThrow();
    key.touch(10_000);
    key.powerCycle();
    await expect(register(client(key), 'discouraged')).rejects.toThrow();
  });
});

describe('events of U2F (CTAPHID_MSG)', () => {
  const sha256 = (s: string): Uint8Array => new Uint8Array(createHash('sha256').update(s).digest());
  /** An extended-length APDU (U2F Raw Message Formats §3.1.3). */
  const apdu = (ins: number, p1: number, data: Uint8Array): Uint8Array =>
    new Uint8Array([0, ins, p1, 0, 0, data.length >> 8, data.length & 0xff, ...data, 0, 0]);

  /** Sends until the key stops answering "touch first" (6985), as a U2F host polls. */
  async function polled(hid: CtapHidHost, a: Uint8Array): Promise<Uint8Array> {
    for (let i = 0; i < 100; i++) {
      const r = await hid.msg(a);
      if (r[r.length - 2] !== 0x69 || r[r.length - 1] !== 0x85) return r;
      await new Promise((done) => setTimeout(done, 2));
    }
    throw new Error('no touch');
  }

  it('register: credential-added with the key handle; authenticate: credential-used with the counter; status words by name', async () => {
    const { key, events } = watchedKey();
    const hid = await CtapHidHost.open(key.connect());
    closeLater(() => hid.close());
    const app = sha256('example.com');
    const reg = await polled(hid, apdu(0x01, 0x03, new Uint8Array([...sha256('c1'), ...app])));
    const handle = reg.subarray(67, 67 + reg[66]!);
    const auth = await polled(hid, apdu(0x02, 0x03, new Uint8Array([...sha256('c2'), ...app, handle.length, ...handle])));
    const counter = new DataView(auth.buffer, auth.byteOffset + 1, 4).getUint32(0);
    expect(counter).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'response').map((e) => e.status)).toContain('SW_CONDITIONS_NOT_SATISFIED');
    expect(plain(events.filter((e) => e.type.startsWith('credential-')))).toEqual([
      { type: 'credential-added', credentialId: toBase64url(handle), signCount: 0, discoverable: false, source: 'ctap' },
      { type: 'credential-used', credentialId: toBase64url(handle), signCount: counter },
    ]);
    expect(events.find((e) => e.type === 'request')).toMatchObject({ command: 'U2F_REGISTER' });
  });
});
