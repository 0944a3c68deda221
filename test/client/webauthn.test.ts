// Registration and authentication through CTAPHID over loopback, verified by @simplewebauthn/server,
// a relying-party library no one here wrote.
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { VirtualAuthenticator, WebAuthnClient, WebAuthnError } from '../../src/index.js';

const origin = 'https://example.com';
const rpID = 'example.com';
const keys: VirtualAuthenticator[] = [];

function newKey(opts: ConstructorParameters<typeof VirtualAuthenticator>[0] = {}): VirtualAuthenticator {
  const key = new VirtualAuthenticator({ store: 'memory', presence: 'approve', ...opts });
  keys.push(key);
  return key;
}

afterEach(() => {
  while (keys.length) keys.pop()!.close();
});

interface Registered {
  id: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
}

async function register(
  client: WebAuthnClient,
  opts: { alg?: number; residentKey?: 'required' | 'discouraged'; userName?: string; attestationType?: 'none' | 'direct'; exclude?: string[]; rp?: string } = {},
): Promise<Registered> {
  const options = await generateRegistrationOptions({
    rpName: 'Example',
    rpID: opts.rp ?? rpID,
    userName: opts.userName ?? 'alice',
    supportedAlgorithmIDs: opts.alg ? [opts.alg] : [-7, -8],
    attestationType: opts.attestationType ?? 'none',
    authenticatorSelection: { residentKey: opts.residentKey ?? 'discouraged', userVerification: 'discouraged' },
    excludeCredentials: opts.exclude?.map((id) => ({ id })),
  });
  const response = await client.create(options);
  const result = await verifyRegistrationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: opts.rp ? `https://${opts.rp}` : origin,
    expectedRPID: opts.rp ?? rpID,
    requireUserVerification: false,
  });
  expect(result.verified).toBe(true);
  const info = result.registrationInfo!;
  expect(info.credentialDeviceType).toBe('singleDevice');
  return { id: info.credential.id, publicKey: info.credential.publicKey, counter: info.credential.counter };
}

async function authenticate(client: WebAuthnClient, cred: Registered, allow: boolean): Promise<number> {
  const options = await generateAuthenticationOptions({
    rpID,
    allowCredentials: allow ? [{ id: cred.id }] : [],
    userVerification: 'discouraged',
  });
  const response = await client.get(options);
  expect(response.id).toBe(cred.id);
  const result = await verifyAuthenticationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    credential: { id: cred.id, publicKey: cred.publicKey, counter: cred.counter },
    requireUserVerification: false,
  });
  expect(result.verified).toBe(true);
  expect(result.authenticationInfo.newCounter).toBeGreaterThan(cred.counter);
  cred.counter = result.authenticationInfo.newCounter;
  return cred.counter;
}

describe('WebAuthn ceremonies verified by @simplewebauthn/server', () => {
  for (const [name, alg] of [['ES256', -7], ['EdDSA', -8]] as const) {
    it(`registers and authenticates with ${name}, non-discoverable, with counters rising`, async () => {
      const client = new WebAuthnClient(newKey(), { origin });
      const cred = await register(client, { alg });
      const c1 = await authenticate(client, cred, true);
      const c2 = await authenticate(client, cred, true);
      expect(c2).toBeGreaterThan(c1);
    });

    it(`registers a discoverable ${name} credential and logs in without allowCredentials`, async () => {
      const client = new WebAuthnClient(newKey(), { origin });
      const cred = await register(client, { alg, residentKey: 'required' });
      expect(cred.counter).toBe(0);
      expect(await authenticate(client, cred, false)).toBe(1);
      expect(await authenticate(client, cred, false)).toBe(2);
    });
  }

  it('produces packed self attestation that verifies when the RP asks for direct attestation', async () => {
    const client = new WebAuthnClient(newKey(), { origin });
    const options = await generateRegistrationOptions({
      rpName: 'Example', rpID, userName: 'bob', attestationType: 'direct', supportedAlgorithmIDs: [-7],
    });
    const response = await client.create(options);
    const result = await verifyRegistrationResponse({
      response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID,
      requireUserVerification: false,
    });
    expect(result.verified).toBe(true);
    expect(result.registrationInfo!.fmt).toBe('packed');
  });

  it('refuses to register twice when excludeCredentials names a credential on the key', async () => {
    const client = new WebAuthnClient(newKey(), { origin });
    const cred = await register(client, {});
    await expect(register(client, { exclude: [cred.id] })).rejects.toMatchObject({ name: 'InvalidStateError' });
    // A credential ID the key never made does not exclude.
    await register(client, { exclude: ['AAAAAAAAAAAAAAAAAAAAAA'] });
  });

  it('does not find a credential of another RP', async () => {
    const key = newKey();
    const other = new WebAuthnClient(key, { origin: 'https://other.example' });
    const theirs = await register(other, { rp: 'other.example', residentKey: 'required' });
    const client = new WebAuthnClient(key, { origin });
    // By ID: the ID is sealed to other.example's RP ID hash.
    await expect(authenticate(client, theirs, true)).rejects.toBeInstanceOf(WebAuthnError);
    // Discoverable: nothing for example.com.
    await expect(authenticate(client, theirs, false)).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('does not find a credential made by another key', async () => {
    const a = new WebAuthnClient(newKey(), { origin });
    const b = new WebAuthnClient(newKey(), { origin });
    const cred = await register(a, {});
    await expect(authenticate(b, cred, true)).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('walks three discoverable credentials of one RP with getNextAssertion, newest first', async () => {
    let t = 1_000_000;
    const key = newKey({ now: () => (t += 1000) });
    const seen: string[][] = [];
    const client = new WebAuthnClient(key, {
      origin,
      selectAccount: (accounts) => {
        seen.push(accounts.map((a) => Buffer.from(a.credential.id).toString('base64url')));
        return accounts.length - 1; // the oldest
      },
    });
    const creds = [];
    for (const userName of ['u1', 'u2', 'u3']) creds.push(await register(client, { residentKey: 'required', userName }));
    const counter = await authenticate(client, creds[0]!, false);
    expect(seen[0]).toEqual([creds[2]!.id, creds[1]!.id, creds[0]!.id]);
    // Every credential walked was signed with its own counter, starting from 0.
    expect(counter).toBe(1);
  });

  it('rejects with NotAllowedError when the user denies the touch', async () => {
    const client = new WebAuthnClient(newKey({ presence: 'deny' }), { origin });
    await expect(register(client, {})).rejects.toMatchObject({ name: 'NotAllowedError', ctapStatus: 0x27 });
  });
});
