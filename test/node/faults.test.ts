// Fault injection seen from the host's side, which is its point: @simplewebauthn/server refusing a
// bad signature, a wrong rpIdHash, a missing UP or UV flag (each validly signed but the signature
// fault); ctap-emu's WebAuthnClient turning a forced status into the WebAuthn error; ctap-emu's
// CtapHidHost meeting CHANNEL_BUSY, silence, dropped keepalives and a delay; seeded rules replaying.
import { describe, expect, it } from 'vitest';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { Ctap2Client, CtapError, CtapHidHost, Status, VirtualAuthenticator, WebAuthnClient, type VirtualAuthenticatorOptions } from '../../src/index.js';
import { HidCmd, HidError } from '../../src/hid/constants.js';
import { decodeCbor, encodeCbor, type CborEncodable, type CborMap } from '../../src/ctap/cbor.js';
import { GetInfoKey } from '../../src/ctap/keys.js';
import { AutomationError } from '../../src/node/automation/credentialJson.js';
import { closeLater } from '../helpers/cleanup.js';

const origin = 'https://example.com';
const rpID = 'example.com';

function newKey(options: VirtualAuthenticatorOptions = {}): VirtualAuthenticator {
  const key = new VirtualAuthenticator({ store: 'memory', ...options });
  closeLater(() => key.close());
  return key;
}

function webauthn(key: VirtualAuthenticator, pin?: string): WebAuthnClient {
  const c = new WebAuthnClient(key, { origin, pin });
  closeLater(() => c.close());
  return c;
}

async function host(key: VirtualAuthenticator): Promise<CtapHidHost> {
  const hid = await CtapHidHost.open(key.connect());
  closeLater(() => hid.close());
  return hid;
}

/** A registration the RP verifies (no fault yet); the credential it keeps. */
async function register(c: WebAuthnClient, o: { rk?: boolean; uv?: boolean } = {}): Promise<WebAuthnCredential> {
  const reg = await generateRegistrationOptions({
    rpName: 'Example', rpID, userName: 'alice',
    authenticatorSelection: { residentKey: o.rk ? 'required' : 'discouraged', userVerification: o.uv ? 'required' : 'discouraged' },
  });
  const r = await verifyRegistrationResponse({
    response: await c.create(reg), expectedChallenge: reg.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: !!o.uv,
  });
  expect(r.verified).toBe(true);
  return r.registrationInfo!.credential;
}

/** A sign-in and the RP's verification of it, with the RP's options. */
async function signIn(c: WebAuthnClient, cred: WebAuthnCredential, rp: { uv?: boolean; rpIds?: string[]; discoverable?: boolean } = {}) {
  const options = await generateAuthenticationOptions({
    rpID, userVerification: rp.uv ? 'required' : 'discouraged', allowCredentials: rp.discoverable ? [] : [{ id: cred.id }],
  });
  const response = await c.get(options);
  return {
    response,
    verify: () => verifyAuthenticationResponse({
      response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rp.rpIds ?? rpID,
      credential: cred, requireUserVerification: !!rp.uv,
    }),
  };
}

describe('signature and authenticator-data faults, as @simplewebauthn/server sees them', () => {
  it('bad signature: the assertion fails verification; without the rule the next one passes', async () => {
    const key = newKey();
    const c = webauthn(key);
    const cred = await register(c);
    const id = key.addFault({ command: 'getAssertion', fault: { type: 'badSignature' } });
    expect((await (await signIn(c, cred)).verify()).verified).toBe(false);
    key.removeFault(id);
    expect((await (await signIn(c, cred)).verify()).verified).toBe(true);
  });

  it('bad signature on makeCredential: the packed attestation statement does not verify', async () => {
    const key = newKey({ faults: [{ command: 'makeCredential', fault: { type: 'badSignature' } }] });
    const reg = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'alice', attestationType: 'direct' });
    const response = await webauthn(key).create(reg);
    await expect(verifyRegistrationResponse({ response, expectedChallenge: reg.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false }))
      .resolves.toMatchObject({ verified: false });
  });

  it('wrong rpIdHash: refused for example.com, though validly signed (accepted when the RP also expects evil.example)', async () => {
    const key = newKey();
    const c = webauthn(key);
    const cred = await register(c);
    key.addFault({ command: 'getAssertion', fault: { type: 'rpIdHash', rpId: 'evil.example' } });
    await expect((await signIn(c, cred)).verify()).rejects.toThrow(/RP ID/);
    expect((await (await signIn(c, cred, { rpIds: [rpID, 'evil.example'] })).verify()).verified).toBe(true);
  });

  it('UV flag cleared: refused when the RP requires user verification, validly signed otherwise', async () => {
    const key = newKey({ pin: '1234' });
    const c = webauthn(key, '1234');
    const cred = await register(c, { rk: true, uv: true });
    key.addFault({ command: 'getAssertion', fault: { type: 'flags', clear: ['UV'] } });
    await expect((await signIn(c, cred, { uv: true })).verify()).rejects.toThrow(/User verification required/);
    const relaxed = await (await signIn(c, cred, { uv: false })).verify();
    expect(relaxed).toMatchObject({ verified: true, authenticationInfo: { userVerified: false } });
  });

  it('UP flag cleared: "user not present" on sign-in; on registration refused unless the RP waives presence', async () => {
    const key = newKey();
    const c = webauthn(key);
    const cred = await register(c);
    key.addFault({ command: 'getAssertion', fault: { type: 'flags', flip: ['UP'] } });
    await expect((await signIn(c, cred)).verify()).rejects.toThrow(/User not present/);
    key.addFault({ command: 'makeCredential', fault: { type: 'flags', clear: ['UP'] } });
    const reg = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'bob' });
    const response = await c.create(reg);
    const expected = { response, expectedChallenge: reg.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false };
    await expect(verifyRegistrationResponse(expected)).rejects.toThrow(/not present/);
    expect((await verifyRegistrationResponse({ ...expected, requireUserPresence: false })).verified).toBe(true);
  });

  it('BE and BS flags: a multi-device passkey to the RP; BS without BE is refused as impossible', async () => {
    const key = newKey({ faults: [{ command: 'makeCredential', fault: { type: 'flags', set: ['BE', 'BS'] } }] });
    const c = webauthn(key);
    const cred = await register(c);
    key.clearFaults();
    key.addFault({ command: 'makeCredential', fault: { type: 'flags', set: ['BS'] } });
    const reg = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'bob' });
    await expect(verifyRegistrationResponse({
      response: await c.create(reg), expectedChallenge: reg.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false,
    })).rejects.toThrow(/backed up, which should be impossible/);
    expect(cred.id).toBeTruthy();
    const again = newKey({ faults: [{ command: 'makeCredential', fault: { type: 'flags', set: ['BE', 'BS'] } }] });
    const reg2 = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'carol' });
    const r = await verifyRegistrationResponse({
      response: await webauthn(again).create(reg2), expectedChallenge: reg2.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false,
    });
    expect(r.registrationInfo).toMatchObject({ credentialDeviceType: 'multiDevice', credentialBackedUp: true });
  });

  it('user entity: left out, a discoverable sign-in has no user handle; extra, a non-discoverable one gets one', async () => {
    const key = newKey({ pin: '1234' });
    const c = webauthn(key, '1234');
    const passkey = await register(c, { rk: true, uv: true });
    key.addFault({ command: 'getAssertion', fault: { type: 'user', mode: 'omit' } });
    const omitted = await signIn(c, passkey, { discoverable: true, uv: true });
    expect(omitted.response.response.userHandle).toBeUndefined();
    expect((await omitted.verify()).verified).toBe(true); // the signature is untouched: only the RP's user lookup fails
    key.clearFaults();
    const plain = await register(c);
    key.addFault({ command: 'getAssertion', fault: { type: 'user', mode: 'extra', id: 'c3RyYW5nZXI' } });
    expect((await signIn(c, plain)).response.response.userHandle).toBe('c3RyYW5nZXI');
  });
});

describe('forced statuses, as the WebAuthn client reports them', () => {
  it('OPERATION_DENIED on getAssertion is NotAllowedError, and the credential was not used', async () => {
    const key = newKey();
    const c = webauthn(key);
    const cred = await register(c, { rk: true });
    key.addFault({ command: 'getAssertion', fault: { type: 'status', status: 'CTAP2_ERR_OPERATION_DENIED' } });
    await expect(signIn(c, cred)).rejects.toMatchObject({ name: 'NotAllowedError', ctapStatus: Status.CTAP2_ERR_OPERATION_DENIED });
    expect(key.getCredentials()[0]!.signCount).toBe(0);
  });

  it('CREDENTIAL_EXCLUDED on makeCredential is InvalidStateError; a rule for another RP leaves this one alone', async () => {
    const key = newKey();
    key.addFault({ command: 'makeCredential', rpId: 'other.example', fault: { type: 'status', status: 0x19 } });
    const c = webauthn(key);
    await register(c);
    key.addFault({ command: 'makeCredential', rpId: rpID, fault: { type: 'status', status: 0x19 } });
    await expect(register(c)).rejects.toMatchObject({ name: 'InvalidStateError' });
  });
});

describe('CBOR faults, as ctap-emu\'s own strict decoder sees them', () => {
  it('a duplicate key and a truncated response are INVALID_CBOR to Ctap2Client', async () => {
    const key = newKey();
    const ctap = new Ctap2Client(await host(key));
    const id = key.addFault({ command: 'getInfo', fault: { type: 'duplicateKey' } });
    await expect(ctap.getInfo()).rejects.toMatchObject({ status: Status.CTAP2_ERR_INVALID_CBOR });
    key.removeFault(id);
    key.addFault({ command: 'getInfo', when: { first: 1 }, fault: { type: 'truncated' } });
    await expect(ctap.getInfo()).rejects.toBeInstanceOf(CtapError);
    expect((await ctap.getInfo()).versions).toContain('FIDO_2_1');
  });

  it('malformed getInfo: each variant breaks the rule DESIGN.md names', async () => {
    const key = newKey();
    const hid = await host(key);
    const info = async (variant: string): Promise<CborMap> => {
      const id = key.addFault({ fault: { type: 'malformedGetInfo', variant } });
      const res = await hid.cbor(new Uint8Array([0x04]));
      key.removeFault(id);
      return decodeCbor(res.subarray(1)) as CborMap;
    };
    const versions = (await info('duplicateVersion')).get(GetInfoKey.versions) as string[];
    expect(new Set(versions).size).toBeLessThan(versions.length);
    expect(((await info('aaguidLength')).get(GetInfoKey.aaguid) as Uint8Array).length).toBe(15);
    expect(((await info('optionNotBoolean')).get(GetInfoKey.options) as CborMap).get('rk')).toBe(1);
    expect((await info('pinProtocolsMissing')).has(GetInfoKey.pinUvAuthProtocols)).toBe(false);
    expect((await info('algorithmNotMap')).get(GetInfoKey.algorithms)).toEqual([-7, -8, -35]);
    // The default: the same members, not in canonical order (python-fido2's check: re-encode and compare).
    key.addFault({ fault: { type: 'malformedGetInfo' } });
    const raw = (await hid.cbor(new Uint8Array([0x04]))).subarray(1);
    expect(encodeCbor(decodeCbor(raw))).not.toEqual(raw);
  });
});

describe('transport faults, as CtapHidHost sees them', () => {
  it('CHANNEL_BUSY: the host gets a CTAPHID error at once; other messages go through', async () => {
    const key = newKey({ faults: [{ command: 'getInfo', fault: { type: 'channelBusy' } }] });
    const hid = await host(key);
    await expect(hid.cbor(new Uint8Array([0x04]))).rejects.toMatchObject({ code: HidError.CHANNEL_BUSY });
    expect(await hid.ping(new Uint8Array([1, 2]))).toEqual(new Uint8Array([1, 2]));
  });

  it('no answer: the host times out; the key is not left busy', async () => {
    const key = newKey({ faults: [{ command: 'CTAPHID_PING', when: { first: 1 }, fault: { type: 'noAnswer' } }] });
    const hid = await host(key);
    await expect(hid.transact(HidCmd.PING, new Uint8Array([1]), { timeoutMs: 200 })).rejects.toThrow(/no answer from the device in 200 ms/);
    expect(await hid.ping(new Uint8Array([7]))).toEqual(new Uint8Array([7]));
  });

  it('keepalives dropped or late: a host that waits on keepalives gives up while the user is slow', async () => {
    const mc = new Uint8Array([0x01, ...makeCredentialCbor()]);
    for (const fault of [{ type: 'keepalive', mode: 'drop' }, { type: 'keepalive', mode: 'late', ms: 2000 }]) {
      const key = newKey({ presence: { approveAfterMs: 400 } });
      const hid = await host(key);
      const seen: number[] = [];
      expect((await hid.cbor(mc, { timeoutMs: 250, onKeepalive: (s) => seen.push(s) }))[0]).toBe(0);
      expect(seen.length).toBeGreaterThan(0);
      key.addFault({ command: 'makeCredential', fault });
      await expect(hid.cbor(mc, { timeoutMs: 250 })).rejects.toThrow(/no answer/);
    }
  });

  it('delay: the answer comes after the delay, with PROCESSING keepalives meanwhile', async () => {
    const key = newKey({ faults: [{ command: 'getInfo', fault: { type: 'delay', ms: 300 } }] });
    const hid = await host(key);
    const seen: number[] = [];
    const started = Date.now();
    const res = await hid.cbor(new Uint8Array([0x04]), { timeoutMs: 250, onKeepalive: (s) => seen.push(s) });
    expect(res[0]).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s === 1)).toBe(true);
  });
});

describe('rules', () => {
  /** Which of `n` pings the key answered with CHANNEL_BUSY under `when`. */
  async function busyPattern(when: unknown, n = 40): Promise<string> {
    const key = newKey({ faults: [{ command: 'CTAPHID_PING', when, fault: { type: 'channelBusy' } }] });
    const hid = await host(key);
    let pattern = '';
    for (let i = 0; i < n; i++) pattern += await hid.ping(new Uint8Array([i])).then(() => '.', () => 'B');
    expect(key.listFaults()[0]).toMatchObject({ seen: n, fired: [...pattern].filter((c) => c === 'B').length });
    return pattern;
  }

  it('a response fault counts only responses it can act on: badSignature skips a "none" attestation', async () => {
    const key = newKey({ faults: [{ command: 'makeCredential', when: { first: 1 }, fault: { type: 'badSignature' } }] });
    const ctap = new Ctap2Client(await host(key));
    const mc = { clientDataHash: new Uint8Array(32), rp: { id: rpID }, user: { id: new Uint8Array([1]) }, pubKeyCredParams: [{ alg: -7, type: 'public-key' }] };
    expect((await ctap.makeCredential({ ...mc, attestationFormatsPreference: ['none'] })).fmt).toBe('none');
    expect(key.listFaults()[0]).toMatchObject({ seen: 0, fired: 0 });
    await ctap.makeCredential(mc);
    expect(key.listFaults()[0]).toMatchObject({ seen: 1, fired: 1 });
  });

  it('onFault hears each fault as it acts, named by rule, type and command', async () => {
    const fired: unknown[] = [];
    const key = newKey({ onFault: (f) => fired.push(f), faults: [{ command: 'CTAPHID_PING', when: { nth: 2 }, fault: { type: 'delay', ms: 1 } }] });
    key.addFault({ command: 'getInfo', fault: { type: 'nonCanonical', form: 'integer' } });
    const hid = await host(key);
    for (let i = 0; i < 3; i++) await hid.ping(new Uint8Array([i]));
    await hid.cbor(new Uint8Array([0x04]));
    expect(fired).toEqual([{ id: 'f1', type: 'delay', command: 'CTAPHID_PING' }, { id: 'f2', type: 'nonCanonical', command: 'getInfo' }]);
  });

  it('when: every time, the Nth, the first N', async () => {
    expect(await busyPattern('always', 4)).toBe('BBBB');
    expect(await busyPattern({ nth: 3 }, 5)).toBe('..B..');
    expect(await busyPattern({ first: 2 }, 5)).toBe('BB...');
  });

  it('a probability rule replays identically from its seed, and another seed gives another run', async () => {
    const a = await busyPattern({ probability: 0.5, seed: 42 });
    expect(await busyPattern({ probability: 0.5, seed: 42 })).toBe(a);
    expect(a).toMatch(/B/);
    expect(a).toMatch(/\./);
    expect(await busyPattern({ probability: 0.5, seed: 43 })).not.toBe(a);
    expect(await busyPattern({ probability: 0 }, 10)).toBe('..........');
  });

  it('a credentialId filter picks one credential of the RP', async () => {
    const key = newKey();
    const c = webauthn(key);
    const one = await register(c);
    const two = await register(c);
    key.addFault({ command: 'getAssertion', credentialId: two.id, fault: { type: 'badSignature' } });
    expect((await (await signIn(c, one)).verify()).verified).toBe(true);
    expect((await (await signIn(c, two)).verify()).verified).toBe(false);
  });

  it('lists, removes and clears; refuses a bad rule saying why', async () => {
    const key = newKey();
    const id = key.addFault({ command: 'authenticatorGetAssertion', rpId: rpID, when: { nth: 2 }, fault: { type: 'flags', clear: ['UV'] } });
    expect(key.listFaults()).toEqual([{
      id, command: 'getAssertion', rpId: rpID, when: { nth: 2 }, fault: { type: 'flags', clear: ['UV'] }, seen: 0, fired: 0,
    }]);
    const bad: [unknown, RegExp][] = [
      [{ fault: { type: 'nope' } }, /fault.type must be one of/],
      [{ command: 'getInfo', fault: { type: 'badSignature' } }, /applies to makeCredential, getAssertion, getNextAssertion, U2F_REGISTER, U2F_AUTHENTICATE only/],
      [{ command: 'CTAPHID_PING', fault: { type: 'status', status: 1 } }, /CTAP2 fault/],
      [{ command: 'sign', fault: { type: 'delay', ms: 5 } }, /command must be any/],
      [{ when: { nth: 0 }, fault: { type: 'noAnswer' } }, /when.nth/],
      [{ when: { probability: 2 }, fault: { type: 'noAnswer' } }, /probability/],
      [{ fault: { type: 'status', status: 'CTAP2_ERR_NOPE' } }, /status name/],
      [{ fault: { type: 'flags', clear: ['XX'] } }, /UP, UV, BE, BS/],
      [{ fault: { type: 'delay', ms: 5, extra: 1 } }, /no member "extra"/],
      [{ rpid: 'x', fault: { type: 'noAnswer' } }, /unknown member "rpid"/],
      [[], /a fault rule must be a JSON object/],
    ];
    for (const [rule, message] of bad) {
      const e = (() => { try { key.addFault(rule); } catch (err) { return err; } })();
      expect(e).toBeInstanceOf(AutomationError);
      expect((e as AutomationError).kind).toBe('invalid');
      expect((e as Error).message).toMatch(message);
    }
    expect(() => key.removeFault('f99')).toThrow(expect.objectContaining({ kind: 'notFound' }));
    key.addFault({ fault: { type: 'noAnswer' } });
    expect(key.clearFaults()).toBe(2);
    expect(key.listFaults()).toEqual([]);
  });
});

function makeCredentialCbor(): Uint8Array {
  return encodeCbor(new Map<number, CborEncodable>([
    [1, new Uint8Array(32)], [2, { id: rpID }], [3, { id: new Uint8Array([1]) }], [4, [{ alg: -7, type: 'public-key' }]],
  ]));
}
