// The demo's own relying-party checks agree with @simplewebauthn/server on good ceremonies and
// refuse tampered ones.
import { afterEach, describe, expect, it } from 'vitest';
import { generateAuthenticationOptions, generateRegistrationOptions, verifyRegistrationResponse } from '@simplewebauthn/server';
import { VirtualAuthenticator, WebAuthnClient } from '../../src/index.js';
import { verifyAssertion, verifyRegistration } from '../../src/cli/rpCheck.js';
import { fromBase64url, toBase64url } from '../../src/util/bytes.js';

const origin = 'https://example.com';
const rpId = 'example.com';
const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

async function ceremony(alg: number, attestationType: 'none' | 'direct') {
  const key = new VirtualAuthenticator();
  const client = new WebAuthnClient(key, { origin });
  closers.push(() => (client.close(), key.close()));
  const reg = await generateRegistrationOptions({ rpName: 'Ex', rpID: rpId, userName: 'alice', supportedAlgorithmIDs: [alg], attestationType });
  const created = await client.create(reg);
  const expectedReg = { challenge: reg.challenge, origin, rpId, requireUserVerification: false };
  const auth = await generateAuthenticationOptions({ rpID: rpId, allowCredentials: [{ id: created.id }] });
  const asserted = await client.get(auth);
  return { reg, created, expectedReg, expectedAuth: { ...expectedReg, challenge: auth.challenge }, asserted };
}

describe('rpCheck', () => {
  for (const [alg, att] of [[-7, 'none'], [-7, 'direct'], [-8, 'none'], [-8, 'direct']] as const) {
    it(`accepts what @simplewebauthn/server accepts (alg ${alg}, attestation ${att})`, async () => {
      const c = await ceremony(alg, att);
      const simple = await verifyRegistrationResponse({
        response: c.created, expectedChallenge: c.reg.challenge, expectedOrigin: origin, expectedRPID: rpId, requireUserVerification: false,
      });
      expect(simple.verified).toBe(true);
      const cred = verifyRegistration(c.created, c.expectedReg);
      expect(cred.fmt).toBe(simple.registrationInfo!.fmt);
      expect(verifyAssertion(c.asserted, c.expectedAuth, cred).counter).toBeGreaterThan(cred.counter);
    });
  }

  it('refuses a wrong challenge, origin, RP ID, signature or user verification', async () => {
    const c = await ceremony(-7, 'direct');
    const cred = verifyRegistration(c.created, c.expectedReg);
    expect(() => verifyRegistration(c.created, { ...c.expectedReg, challenge: 'AAAA' })).toThrow(/challenge/);
    expect(() => verifyRegistration(c.created, { ...c.expectedReg, origin: 'https://evil.example' })).toThrow(/origin/);
    expect(() => verifyRegistration(c.created, { ...c.expectedReg, rpId: 'other.example' })).toThrow(/rpIdHash/);
    expect(() => verifyAssertion(c.asserted, { ...c.expectedAuth, requireUserVerification: true }, cred)).toThrow(/UV flag/);
    const sig = fromBase64url(c.asserted.response.signature);
    sig[sig.length - 1]! ^= 1;
    const forged = { ...c.asserted, response: { ...c.asserted.response, signature: toBase64url(sig) } };
    expect(() => verifyAssertion(forged, c.expectedAuth, cred)).toThrow(/signature/);
    expect(() => verifyAssertion(c.asserted, c.expectedAuth, { ...cred, counter: 1000 })).toThrow(/counter/);
  });
});
