// hmac-secret (and WebAuthn PRF on top of it) through CTAPHID over loopback.
import { describe, expect, it } from 'vitest';
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { ClientPin, PinPermission, pinUvAuthParam } from '../../src/client/clientPin.js';
import { Ctap2Client } from '../../src/client/ctap2.js';
import { parseAuthData } from '../../src/client/authData.js';
import { hmacSecretSession } from '../../src/client/hmacSecret.js';
import { Status } from '../../src/ctap/status.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { VirtualAuthenticator, WebAuthnClient } from '../../src/index.js';
import { closeLater } from '../helpers/cleanup.js';


async function rig(pin?: string) {
  const key = new VirtualAuthenticator({ pin });
  closeLater(() => key.close());
  const hid = await CtapHidHost.open(key.connect());
  closeLater(() => void hid.close());
  const ctap = new Ctap2Client(hid);
  const cp = new ClientPin(ctap, [2, 1]);
  return { key, ctap, cp };
}

const cdh = new Uint8Array(32).fill(3);
const salt = (n: number): Uint8Array => new Uint8Array(32).fill(n);

describe('hmac-secret', () => {
  it('is announced, enabled at creation, and gives stable per-credential secrets', async () => {
    const { ctap, cp } = await rig();
    expect((await ctap.getInfo()).extensions).toContain('hmac-secret');
    const att = await ctap.makeCredential({
      clientDataHash: cdh, rp: { id: 'example.com' }, user: { id: new Uint8Array([1]) },
      pubKeyCredParams: [{ alg: -7, type: 'public-key' }], extensions: { 'hmac-secret': true },
    });
    const ad = parseAuthData(att.authData);
    expect(ad.extensions?.get('hmac-secret')).toBe(true);
    const id = ad.attested!.credentialId;
    const get = async (s1: Uint8Array, s2?: Uint8Array): Promise<Uint8Array[]> => {
      const session = await hmacSecretSession(cp, s1, s2);
      const a = await ctap.getAssertion({ rpId: 'example.com', clientDataHash: cdh, allowList: [{ id, type: 'public-key' }], extensions: { 'hmac-secret': session.input } });
      return session.outputs(parseAuthData(a.authData).extensions!.get('hmac-secret') as Uint8Array);
    };
    const [a1] = await get(salt(1));
    const [b1, b2] = await get(salt(1), salt(2));
    expect(b1).toEqual(a1);
    expect(b2).not.toEqual(b1);
    expect(a1!.length).toBe(32);
  });

  it('gives another secret with user verification than without', async () => {
    const { ctap, cp } = await rig('1234');
    const mcToken = await cp.getPinToken('1234', PinPermission.mc, 'example.com');
    const att = await ctap.makeCredential({
      clientDataHash: cdh, rp: { id: 'example.com' }, user: { id: new Uint8Array([1]) }, pubKeyCredParams: [{ alg: -8, type: 'public-key' }],
      extensions: { 'hmac-secret': true }, pinUvAuthParam: pinUvAuthParam(mcToken, cdh), pinUvAuthProtocol: 2,
    });
    const id = parseAuthData(att.authData).attested!.credentialId;
    const noUv = await hmacSecretSession(cp, salt(5));
    const a = await ctap.getAssertion({ rpId: 'example.com', clientDataHash: cdh, allowList: [{ id, type: 'public-key' }], extensions: { 'hmac-secret': noUv.input } });
    const withUv = await hmacSecretSession(cp, salt(5));
    const token = await cp.getPinToken('1234', PinPermission.ga, 'example.com');
    const b = await ctap.getAssertion({
      rpId: 'example.com', clientDataHash: cdh, allowList: [{ id, type: 'public-key' }], extensions: { 'hmac-secret': withUv.input },
      pinUvAuthParam: pinUvAuthParam(token, cdh), pinUvAuthProtocol: 2,
    });
    const out = (s: typeof noUv, r: typeof a) => s.outputs(parseAuthData(r.authData).extensions!.get('hmac-secret') as Uint8Array)[0];
    expect(out(withUv, b)).not.toEqual(out(noUv, a));
  });

  it('refuses a wrong saltAuth and salts of the wrong length', async () => {
    const { ctap, cp } = await rig();
    await ctap.makeCredential({ clientDataHash: cdh, rp: { id: 'example.com' }, user: { id: new Uint8Array([1]) }, pubKeyCredParams: [{ alg: -7, type: 'public-key' }], options: { rk: true } });
    const session = await hmacSecretSession(cp, salt(1));
    const bad = new Map(session.input);
    bad.set(3, new Uint8Array(32));
    await expect(ctap.getAssertion({ rpId: 'example.com', clientDataHash: cdh, extensions: { 'hmac-secret': bad } })).rejects.toMatchObject({ status: Status.CTAP2_ERR_PIN_AUTH_INVALID });
    const { platformKey, shared } = await cp.keyAgreement();
    const saltEnc = cp.protocol.encrypt(shared, new Uint8Array(48), new Uint8Array(16));
    const short = new Map<number, never>([[1, platformKey as never], [2, saltEnc as never], [3, cp.protocol.authenticate(shared, saltEnc) as never], [4, 2 as never]]);
    await expect(ctap.getAssertion({ rpId: 'example.com', clientDataHash: cdh, extensions: { 'hmac-secret': short } })).rejects.toMatchObject({ status: Status.CTAP1_ERR_INVALID_LENGTH });
  });
});

describe('WebAuthn PRF through the client', () => {
  it('enables PRF at registration and evaluates it at sign-in, the same input giving the same output', async () => {
    const key = new VirtualAuthenticator();
    closeLater(() => key.close());
    const client = new WebAuthnClient(key, { origin: 'https://example.com' });
    const reg = await generateRegistrationOptions({ rpName: 'Ex', rpID: 'example.com', userName: 'p', extensions: { prf: {} } });
    const created = await client.create(reg);
    expect(created.clientExtensionResults).toMatchObject({ prf: { enabled: true } });
    const v = await verifyRegistrationResponse({ response: created, expectedChallenge: reg.challenge, expectedOrigin: 'https://example.com', expectedRPID: 'example.com', requireUserVerification: false });
    const results: unknown[] = [];
    for (const second of [undefined, 'c2Vjb25k']) {
      const auth = await generateAuthenticationOptions({ rpID: 'example.com', extensions: { prf: { eval: { first: new TextEncoder().encode('first'), ...(second ? { second: Buffer.from(second, 'base64url') } : {}) } } } });
      const got = await client.get(auth);
      expect((await verifyAuthenticationResponse({ response: got, expectedChallenge: auth.challenge, expectedOrigin: 'https://example.com', expectedRPID: 'example.com', credential: v.registrationInfo!.credential, requireUserVerification: false })).verified).toBe(true);
      results.push(got.clientExtensionResults.prf);
    }
    const [one, two] = results as { results: { first: string; second?: string } }[];
    expect(one!.results.first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(two!.results.first).toBe(one!.results.first);
    expect(two!.results.second).toBeDefined();
    expect(two!.results.second).not.toBe(two!.results.first);
    client.close();
  });
});
