// The WebAuthn client behaves as a browser does where RPs and keys rely on it: default algorithms,
// "none" attestation made client-side, PRF evalByCredential. Checked with @simplewebauthn/server.
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { decodeCbor, type CborMap } from '../../src/ctap/cbor.js';
import { Command } from '../../src/ctap/constants.js';
import { MakeCredentialKey } from '../../src/ctap/keys.js';
import { parseAuthData } from '../../src/client/authData.js';
import { VirtualAuthenticator, WebAuthnClient } from '../../src/index.js';
import { fromBase64url } from '../../src/util/bytes.js';

const origin = 'https://example.com';
const rpID = 'example.com';
const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

/** A key whose makeCredential requests are kept, decoded. */
function rig(profile?: string): { client: WebAuthnClient; makeCredentials: CborMap[] } {
  const makeCredentials: CborMap[] = [];
  const key = new VirtualAuthenticator({
    profile,
    aaguid: '0123456789abcdef0123456789abcdef',
    onExchange: (req) => {
      if (req[0] === Command.authenticatorMakeCredential) makeCredentials.push(decodeCbor(req.subarray(1)) as CborMap);
    },
  });
  const client = new WebAuthnClient(key, { origin });
  closers.push(() => (client.close(), key.close()));
  return { client, makeCredentials };
}

const verifyReg = (response: Awaited<ReturnType<WebAuthnClient['create']>>, challenge: string) =>
  verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false });

describe('pubKeyCredParams', () => {
  it('empty means ES256 and RS256 (WebAuthn L3 §5.1.3 step 10): the key picks ES256', async () => {
    const { client, makeCredentials } = rig();
    const options = { ...(await generateRegistrationOptions({ rpName: 'Ex', rpID, userName: 'a' })), pubKeyCredParams: [] };
    const created = await client.create(options);
    expect((await verifyReg(created, options.challenge)).verified).toBe(true);
    expect(created.response.publicKeyAlgorithm).toBe(-7);
    const sent = makeCredentials[0]!.get(MakeCredentialKey.pubKeyCredParams) as CborMap[];
    expect(sent.map((p) => p.get('alg'))).toEqual([-7, -257]);
  });

  it('entries of unknown types are skipped; none left is NotSupportedError', async () => {
    const { client } = rig();
    const options = await generateRegistrationOptions({ rpName: 'Ex', rpID, userName: 'a' });
    await expect(client.create({ ...options, pubKeyCredParams: [{ alg: -7, type: 'future-key' }] })).rejects.toMatchObject({ name: 'NotSupportedError' });
  });
});

describe('attestation "none"', () => {
  // L3 §5.1.3 steps 18-19: attestationFormats becomes ["none"], which a CTAP 2.2+ key takes as
  // attestationFormatsPreference (and then signs no attestation); a CTAP 2.1 key is not sent it, and
  // its attestation is replaced by the client (step 22). The RP sees the same either way.
  for (const [profile, sent] of [[undefined, ['none']], ['yubikey5', undefined]] as const) {
    it(`is fmt none, empty attStmt, zero AAGUID (${profile ?? 'CTAP 2.3'} key, attestationFormatsPreference ${JSON.stringify(sent)})`, async () => {
      const { client, makeCredentials } = rig(profile);
      const options = await generateRegistrationOptions({ rpName: 'Ex', rpID, userName: 'a', attestationType: 'none' });
      const created = await client.create(options);
      expect(makeCredentials[0]!.get(MakeCredentialKey.attestationFormatsPreference)).toEqual(sent);
      const att = decodeCbor(fromBase64url(created.response.attestationObject)) as CborMap;
      expect(att.get('fmt')).toBe('none');
      expect((att.get('attStmt') as CborMap).size).toBe(0);
      expect(parseAuthData(att.get('authData') as Uint8Array).attested!.aaguid).toEqual(new Uint8Array(16));
      expect(created.response.authenticatorData).toBe(Buffer.from(att.get('authData') as Uint8Array).toString('base64url'));
      const v = await verifyReg(created, options.challenge);
      expect([v.verified, v.registrationInfo!.fmt, v.registrationInfo!.aaguid]).toEqual([true, 'none', '00000000-0000-0000-0000-000000000000']);
    });
  }

  it('other conveyances pass the RP\'s attestationFormats on', async () => {
    const { client, makeCredentials } = rig();
    const options = await generateRegistrationOptions({ rpName: 'Ex', rpID, userName: 'a', attestationType: 'direct' });
    await client.create({ ...options, attestationFormats: ['tpm', 'packed'] });
    expect(makeCredentials[0]!.get(MakeCredentialKey.attestationFormatsPreference)).toEqual(['tpm', 'packed']);
  });

  it('direct keeps the key\'s attestation and AAGUID', async () => {
    const { client } = rig();
    const options = await generateRegistrationOptions({ rpName: 'Ex', rpID, userName: 'a', attestationType: 'direct' });
    const v = await verifyReg(await client.create(options), options.challenge);
    expect([v.registrationInfo!.fmt, v.registrationInfo!.aaguid]).toEqual(['packed', '01234567-89ab-cdef-0123-456789abcdef']);
  });
});

describe('PRF evalByCredential (WebAuthn L3 §10.1.4)', () => {
  const bytes = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s);

  async function twoCredentials() {
    const r = rig();
    const creds = [];
    for (const userName of ['a', 'b']) {
      const options = await generateRegistrationOptions({ rpName: 'Ex', rpID, userName, extensions: { prf: {} } });
      creds.push((await verifyReg(await r.client.create(options), options.challenge)).registrationInfo!.credential);
    }
    return { ...r, creds };
  }

  async function prfFirst(client: WebAuthnClient, allow: string[], prf: object, credential?: { id: string; publicKey: Uint8Array<ArrayBuffer>; counter: number }) {
    const options = { ...(await generateAuthenticationOptions({ rpID, allowCredentials: allow.map((id) => ({ id })) })), extensions: { prf } };
    const got = await client.get(options);
    if (credential) {
      const v = await verifyAuthenticationResponse({ response: got, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, credential, requireUserVerification: false });
      expect(v.verified).toBe(true);
      credential.counter = v.authenticationInfo.newCounter;
    }
    return { id: got.id, first: (got.clientExtensionResults.prf as { results?: { first: string } } | undefined)?.results?.first };
  }

  it('uses the salts of the credential that answers, else eval', async () => {
    const { client, creds } = await twoCredentials();
    const [a, b] = creds as [typeof creds[0], typeof creds[0]];
    const aWithX = await prfFirst(client, [a.id], { eval: { first: bytes('x') } });
    const bWithY = await prfFirst(client, [b.id], { eval: { first: bytes('y') } });
    const onlyA = await prfFirst(client, [a.id], { evalByCredential: { [a.id]: { first: bytes('x') } } }, a);
    expect(onlyA.first).toBe(aWithX.first);
    const overEval = await prfFirst(client, [a.id], { eval: { first: bytes('y') }, evalByCredential: { [a.id]: { first: bytes('x') } } }, a);
    expect(overEval.first).toBe(aWithX.first);
    const noEntry = await prfFirst(client, [a.id, b.id], { eval: { first: bytes('y') }, evalByCredential: {} }, undefined);
    expect(noEntry.first).toBe(noEntry.id === b.id ? bWithY.first : (await prfFirst(client, [a.id], { eval: { first: bytes('y') } })).first);
    // Both in allowCredentials: the key holds both, and the client picks one before it sends salts.
    const either = await prfFirst(client, [a.id, b.id], { eval: { first: bytes('z') }, evalByCredential: { [a.id]: { first: bytes('x') }, [b.id]: { first: bytes('y') } } });
    expect(either.first).toBe(either.id === a.id ? aWithX.first : bWithY.first);
  });

  it('rejects it without allowCredentials (NotSupportedError), for IDs not in them or not base64url (SyntaxError), and in create()', async () => {
    const { client, creds } = await twoCredentials();
    const ev = { first: bytes('x') };
    await expect(prfFirst(client, [], { evalByCredential: { [creds[0]!.id]: ev } })).rejects.toMatchObject({ name: 'NotSupportedError' });
    await expect(prfFirst(client, [creds[0]!.id], { evalByCredential: { [creds[1]!.id]: ev } })).rejects.toMatchObject({ name: 'SyntaxError' });
    await expect(prfFirst(client, [creds[0]!.id], { evalByCredential: { '!!': ev } })).rejects.toMatchObject({ name: 'SyntaxError' });
    await expect(prfFirst(client, [creds[0]!.id], { evalByCredential: { '': ev } })).rejects.toMatchObject({ name: 'SyntaxError' });
    const options = await generateRegistrationOptions({ rpName: 'Ex', rpID, userName: 'c' });
    await expect(client.create({ ...options, extensions: { prf: { evalByCredential: { [creds[0]!.id]: ev } } } })).rejects.toMatchObject({ name: 'NotSupportedError' });
  });
});
