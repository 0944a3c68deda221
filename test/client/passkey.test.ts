// Passkey ceremonies (residentKey required, userVerification required) verified by
// @simplewebauthn/server, with a PIN and with built-in UV; and what the scripted user can do.
import { describe, expect, it } from 'vitest';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { VirtualAuthenticator, WebAuthnClient, type VirtualAuthenticatorOptions } from '../../src/index.js';
import { closeLater } from '../helpers/cleanup.js';

const origin = 'https://example.com';
const rpID = 'example.com';

function client(options: VirtualAuthenticatorOptions, pin?: string): WebAuthnClient {
  const key = new VirtualAuthenticator({ store: 'memory', ...options });
  closeLater(() => key.close());
  return new WebAuthnClient(key, { origin, pin });
}

async function passkey(c: WebAuthnClient): Promise<{ userVerified: boolean; authUserVerified: boolean }> {
  const reg = await generateRegistrationOptions({
    rpName: 'Example', rpID, userName: 'alice',
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  const r = await verifyRegistrationResponse({
    response: await c.create(reg), expectedChallenge: reg.challenge, expectedOrigin: origin, expectedRPID: rpID,
    requireUserVerification: true,
  });
  expect(r.verified).toBe(true);
  const cred = r.registrationInfo!.credential;
  const auth = await generateAuthenticationOptions({ rpID, userVerification: 'required' });
  const response = await c.get(auth);
  const a = await verifyAuthenticationResponse({
    response, expectedChallenge: auth.challenge, expectedOrigin: origin, expectedRPID: rpID, credential: cred,
    requireUserVerification: true,
  });
  expect(a.verified).toBe(true);
  return { userVerified: r.registrationInfo!.userVerified, authUserVerified: a.authenticationInfo.userVerified };
}

describe('passkeys', () => {
  it('registers and signs in with a PIN; the RP sees UV', async () => {
    expect(await passkey(client({ pin: '1234' }, '1234'))).toEqual({ userVerified: true, authUserVerified: true });
  });

  it('registers and signs in with built-in UV (a fingerprint key); the RP sees UV', async () => {
    expect(await passkey(client({ userVerification: 'match' }))).toEqual({ userVerified: true, authUserVerified: true });
  });

  it('fails with NotAllowedError on a wrong PIN, a missing PIN, or a key that cannot verify', async () => {
    await expect(passkey(client({ pin: '1234' }, '9999'))).rejects.toMatchObject({ name: 'NotAllowedError', ctapStatus: 0x31 });
    await expect(passkey(client({ pin: '1234' }))).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(passkey(client({}))).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('fails with NotAllowedError when the finger does not match', async () => {
    await expect(passkey(client({ userVerification: 'nomatch' }))).rejects.toMatchObject({ name: 'NotAllowedError', ctapStatus: 0x3f });
  });
});

describe('the scripted user', () => {
  it('approves after a delay, the key sending keepalives meanwhile', async () => {
    const started = Date.now();
    await passkey(client({ pin: '1234', presence: { approveAfterMs: 150 } }, '1234'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('walks away: USER_ACTION_TIMEOUT once the key stops waiting', async () => {
    await expect(passkey(client({ pin: '1234', presence: 'timeout', presenceTimeoutMs: 150 }, '1234')))
      .rejects.toMatchObject({ name: 'NotAllowedError', ctapStatus: 0x2f });
  });

  it('gives up at the ceremony\'s own timeout (the RP\'s option) while the key still waits: NotAllowedError', async () => {
    const c = client({ pin: '1234', presence: 'timeout', presenceTimeoutMs: 20_000 }, '1234');
    const reg = await generateRegistrationOptions({
      rpName: 'Example', rpID, userName: 'alice', timeout: 200,
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    const started = Date.now();
    await expect(c.create(reg)).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('counts the time-out from the start of the call: spent before the request is sent, NotAllowedError and nothing registered', async () => {
    const key = new VirtualAuthenticator({ store: 'memory', pin: '1234' });
    closeLater(() => key.close());
    const c = new WebAuthnClient(key, { origin, pin: '1234' });
    closeLater(() => c.close());
    const reg = await generateRegistrationOptions({
      rpName: 'Example', rpID, userName: 'alice', timeout: 0,
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    await expect(c.create(reg)).rejects.toMatchObject({ name: 'NotAllowedError', message: 'the ceremony timed out' });
    expect(key.info().discoverableCredentials).toBe(0);
    // A time-out that is no number is the client's default, not an instant one.
    expect((await c.create({ ...reg, timeout: Number.NaN })).id).toBeTruthy();
  });

  it('sees the command, RP and user of each request in a callback', async () => {
    const seen: string[] = [];
    await passkey(client({ pin: '1234', presence: async (r) => (seen.push(`${r.command} ${r.rpId} ${r.userName ?? ''}`.trim()), true) }, '1234'));
    expect(seen).toEqual(['makeCredential example.com alice', 'getAssertion example.com']);
  });
});
