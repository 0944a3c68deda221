// The key and the host with either Crypto on either side: passkey ceremonies (PIN token, PRF) that
// an RP library verifies, PIN/UV protocol 1 and 2 across, and the same bytes out of a key with the
// same injected randomness whichever crypto it computes with.
import { describe, expect, it } from 'vitest';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { nobleCrypto } from '../../src/ctap/nobleCrypto.js';
import type { Crypto } from '../../src/ctap/crypto.js';
import { NodeCrypto } from '../../src/node/nodeCrypto.js';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { WebAuthnClient } from '../../src/client/webauthn.js';
import { Ctap2Client } from '../../src/client/ctap2.js';
import { ClientPin, PinPermission } from '../../src/client/clientPin.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { Authenticator } from '../../src/ctap2/authenticator.js';
import { MemoryStore } from '../../src/keystore/memory.js';
import { parseAuthData } from '../../src/client/authData.js';
import { decodeCbor, encodeCbor, type CborMap } from '../../src/ctap/cbor.js';
import { closeLater } from '../helpers/cleanup.js';

const origin = 'https://example.com';
const rpID = 'example.com';

const cryptos: [string, () => Crypto][] = [['noble', () => nobleCrypto], ['node', () => new NodeCrypto()]];

describe.each(cryptos)('key computing with %s', (_, keyCrypto) => {
  describe.each(cryptos)('host computing with %s', (__, hostCrypto) => {
    it('registers and signs in with a passkey (PIN token, PRF), verified by the RP', async () => {
      const key = new VirtualAuthenticator({ pin: '1234', crypto: keyCrypto() });
      const client = new WebAuthnClient(key, { origin, pin: '1234', crypto: hostCrypto() });
      closeLater(() => key.close(), () => client.close());
      const reg = await generateRegistrationOptions({
        rpName: 'Example', rpID, userName: 'alice', authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      });
      const created = await client.create({ ...reg, extensions: { prf: {} } });
      const r = await verifyRegistrationResponse({
        response: created, expectedChallenge: reg.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true,
      });
      expect(r.verified).toBe(true);
      const auth = await generateAuthenticationOptions({ rpID, userVerification: 'required' });
      const first = new Uint8Array(32).fill(5);
      const got = await client.get({ ...auth, extensions: { prf: { eval: { first } } } });
      const a = await verifyAuthenticationResponse({
        response: got, expectedChallenge: auth.challenge, expectedOrigin: origin, expectedRPID: rpID,
        credential: r.registrationInfo!.credential, requireUserVerification: true,
      });
      expect(a.verified).toBe(true);
      const again = await client.get({ ...auth, extensions: { prf: { eval: { first } } } });
      expect((again.clientExtensionResults as { prf: { results: { first: string } } }).prf.results.first)
        .toBe((got.clientExtensionResults as { prf: { results: { first: string } } }).prf.results.first);
    });

    it.each([1, 2] as const)('changes the PIN and gets tokens with PIN/UV auth protocol %i', async (version) => {
      const key = new VirtualAuthenticator({ pin: '1234', crypto: keyCrypto() });
      closeLater(() => key.close());
      const hid = await CtapHidHost.open(key.connect());
      closeLater(() => void hid.close());
      const cp = new ClientPin(new Ctap2Client(hid, { crypto: hostCrypto() }), [2, 1], version);
      await cp.changePin('1234', '98765');
      await expect(cp.getPinToken('1234', PinPermission.mc, rpID)).rejects.toMatchObject({ status: 0x31 });
      const t = await cp.getPinToken('98765', PinPermission.mc, rpID);
      expect(t.token.length).toBe(32);
    });
  });
});

/** A seeded generator (xorshift32): the same "random" bytes for both keys. */
function seeded(seed: number): (n: number) => Uint8Array {
  let x = seed;
  return (n) => Uint8Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

describe('the same injected randomness gives the same key whichever crypto computes', () => {
  it('answers makeCredential (self attestation) and getAssertion (EdDSA, sealed credential ID) with the same bytes', async () => {
    const ctx = { channel: 1, signal: new AbortController().signal, keepalive: () => undefined };
    const responses = await Promise.all(cryptos.map(async ([, crypto]) => {
      const key = new Authenticator({ now: () => 0, randomBytes: seeded(7), userPresence: async () => 'approved', store: new MemoryStore(), crypto: crypto() }, { attestation: 'self' });
      const mc = encodeCbor(new Map<number, never>([
        [1, new Uint8Array(32).fill(1) as never], [2, { id: rpID } as never], [3, { id: new Uint8Array([1]) } as never],
        [4, [{ alg: -8, type: 'public-key' }] as never],
      ]));
      const made = await key.handle(new Uint8Array([1, ...mc]), ctx);
      const id = parseAuthData((decodeCbor(made.subarray(1)) as CborMap).get(2) as Uint8Array).attested!.credentialId;
      const ga = encodeCbor(new Map<number, never>([[1, rpID as never], [2, new Uint8Array(32).fill(2) as never], [3, [{ type: 'public-key', id }] as never]]));
      return [made, await key.handle(new Uint8Array([2, ...ga]), ctx)];
    }));
    expect(responses[0]![0]![0]).toBe(0);
    expect(responses[0]![1]![0]).toBe(0);
    expect(responses[1]).toEqual(responses[0]);
  });
});
