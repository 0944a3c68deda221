// ES384 and RS256 registrations and assertions, and the CTAP 2.2 extensions as a browser maps them
// (credProps, minPinLength, prf at create() on hmac-secret-mc, payment on thirdPartyPayment),
// through CTAPHID over loopback, verified by @simplewebauthn/server.
import { describe, expect, it } from 'vitest';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { parseAuthData } from '../../src/client/authData.js';
import { nobleCrypto } from '../../src/ctap/nobleCrypto.js';
import { VirtualAuthenticator, WebAuthnClient, WebAuthnError } from '../../src/index.js';
import { closeLater } from '../helpers/cleanup.js';

const origin = 'https://example.com';
const rpID = 'example.com';

function rig(opts: ConstructorParameters<typeof VirtualAuthenticator>[0] = {}): { key: VirtualAuthenticator; client: WebAuthnClient } {
  const key = new VirtualAuthenticator({ store: 'memory', ...opts });
  const client = new WebAuthnClient(key, { origin });
  closeLater(() => key.close(), () => client.close());
  return { key, client };
}

type RegOptions = Parameters<typeof generateRegistrationOptions>[0];

async function registerAndSignIn(client: WebAuthnClient, algs: number[], over: Partial<RegOptions> = {}) {
  const options = await generateRegistrationOptions({
    rpName: 'Example', rpID, userName: 'alice', supportedAlgorithmIDs: algs, attestationType: 'direct',
    authenticatorSelection: { residentKey: 'discouraged', userVerification: 'discouraged' }, ...over,
  });
  const created = await client.create(options);
  const reg = await verifyRegistrationResponse({
    response: created, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false,
    supportedAlgorithmIDs: algs,
  });
  expect(reg.verified).toBe(true);
  const credential = reg.registrationInfo!.credential;
  for (const allow of [true, false]) {
    if (!allow && over.authenticatorSelection?.residentKey !== 'required') continue;
    const auth = await generateAuthenticationOptions({ rpID, allowCredentials: allow ? [{ id: credential.id }] : [], userVerification: 'discouraged' });
    const got = await client.get(auth);
    const v = await verifyAuthenticationResponse({ response: got, expectedChallenge: auth.challenge, expectedOrigin: origin, expectedRPID: rpID, credential, requireUserVerification: false });
    expect(v.verified).toBe(true);
    credential.counter = v.authenticationInfo.newCounter;
  }
  return { created, credential };
}

describe('ES384', () => {
  it.each([['discouraged'], ['required']] as const)('registers (packed self attestation) and signs in, residentKey %s', async (residentKey) => {
    const { client } = rig();
    const { created } = await registerAndSignIn(client, [-35], { authenticatorSelection: { residentKey, userVerification: 'discouraged' } });
    expect(created.response.publicKeyAlgorithm).toBe(-35);
    const key = parseAuthData(Buffer.from(created.response.authenticatorData!, 'base64url')).attested!.publicKey;
    expect(key.get(-1)).toBe(2); // crv P-384
  });

  it('is chosen in the RP order: ES384 before ES256 when the RP lists it first', async () => {
    const { client } = rig();
    expect((await registerAndSignIn(client, [-35, -7])).created.response.publicKeyAlgorithm).toBe(-35);
    expect((await registerAndSignIn(client, [-7, -35])).created.response.publicKeyAlgorithm).toBe(-7);
  });

  it('works over the portable crypto too', async () => {
    const { client } = rig({ crypto: nobleCrypto });
    expect((await registerAndSignIn(client, [-35])).created.response.publicKeyAlgorithm).toBe(-35);
  });
});

describe('RS256', () => {
  it('is off by default: an RP that offers only RS256 gets NotSupportedError', async () => {
    const { client } = rig();
    const options = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'a', supportedAlgorithmIDs: [-257] });
    await expect(client.create(options)).rejects.toBeInstanceOf(WebAuthnError);
  });

  it('when turned on, registers discoverable RSA-2048 credentials and signs in', async () => {
    const { client, key } = rig({ rs256: true });
    const { created } = await registerAndSignIn(client, [-257], { authenticatorSelection: { residentKey: 'required', userVerification: 'discouraged' } });
    expect(created.response.publicKeyAlgorithm).toBe(-257);
    expect(key.store.list()[0]!.alg).toBe(-257);
  });

  it('is skipped for a non-discoverable credential: the RP\'s next algorithm is used, or none', async () => {
    const { client } = rig({ algorithms: ['RS256', 'ES256'] });
    expect((await registerAndSignIn(client, [-257, -7])).created.response.publicKeyAlgorithm).toBe(-7);
    const options = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'a', supportedAlgorithmIDs: [-257], authenticatorSelection: { residentKey: 'discouraged' } });
    await expect(client.create(options)).rejects.toMatchObject({ name: 'NotSupportedError' });
  });

  it('needs OpenSSL: the portable crypto refuses it with a clear error', () => {
    expect(() => new VirtualAuthenticator({ rs256: true, crypto: nobleCrypto })).toThrow(/RS256.*OpenSSL/);
    expect(() => new VirtualAuthenticator({ algorithms: ['ES999' as never] })).toThrow(/unknown algorithm/);
  });
});

describe('extensions as a browser maps them', () => {
  it('credProps reports rk; prf with eval at create() returns results from hmac-secret-mc, equal to get()\'s', async () => {
    const { client } = rig();
    const first = new TextEncoder().encode('first');
    const second = new TextEncoder().encode('second');
    const options = await generateRegistrationOptions({
      rpName: 'Example', rpID, userName: 'alice', authenticatorSelection: { residentKey: 'required', userVerification: 'discouraged' },
      extensions: { credProps: true, prf: { eval: { first, second } } } as never,
    });
    const created = await client.create(options);
    const ext = created.clientExtensionResults as { credProps: { rk: boolean }; prf: { enabled: boolean; results: { first: string; second: string } } };
    expect(ext.credProps).toEqual({ rk: true });
    expect(ext.prf.enabled).toBe(true);
    expect(ext.prf.results.first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const auth = await generateAuthenticationOptions({ rpID, userVerification: 'discouraged', extensions: { prf: { eval: { first, second } } } as never });
    const got = await client.get(auth);
    expect((got.clientExtensionResults as { prf: unknown }).prf).toEqual({ results: ext.prf.results });
  });

  it('payment marks the credential (thirdPartyPayment), and get() with payment reads the mark back', async () => {
    const { client, key } = rig();
    const options = await generateRegistrationOptions({
      rpName: 'Bank', rpID, userName: 'alice', authenticatorSelection: { residentKey: 'required', userVerification: 'discouraged' },
      extensions: { payment: { isPayment: true } } as never,
    });
    await client.create(options);
    expect(key.store.list()[0]!.thirdPartyPayment).toBe(true);
    const auth = await generateAuthenticationOptions({ rpID, userVerification: 'discouraged', extensions: { payment: { isPayment: true } } as never });
    const got = await client.get(auth);
    expect(parseAuthData(Buffer.from(got.response.authenticatorData, 'base64url')).extensions?.get('thirdPartyPayment')).toBe(true);
  });

  it('minPinLength reaches the key; its output is the minimum only for an RP the key lists', async () => {
    const { client } = rig();
    const options = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'a', extensions: { minPinLength: true } as never });
    const created = await client.create(options);
    // example.com is not on the key's list (authenticatorConfig setMinPINLength names the RPs).
    expect(parseAuthData(Buffer.from(created.response.authenticatorData!, 'base64url')).extensions?.has('minPinLength') ?? false).toBe(false);
  });
});
