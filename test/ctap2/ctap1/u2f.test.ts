// CTAP1/U2F (FIDO U2F Raw Message Formats v1.2) against the core: APDU encodings, status words,
// the register and authenticate layouts with signatures checked by OpenSSL (node:crypto) against
// the batch certificate and the new key, CTAP 2.1 §10 interop both ways, fido-u2f attestation as a
// browser builds it (WebAuthn L3 §8.6) verified by @simplewebauthn/server, and malformed APDUs.
import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateAuthenticationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { WebAuthnClient } from '../../../src/client/webauthn.js';
import { parseApdu, StatusWord } from '../../../src/ctap2/ctap1/apdu.js';
import { encodeCbor, type CborMap } from '../../../src/ctap/cbor.js';
import { coseKey } from '../../../src/ctap/cose.js';
import type { RequestContext } from '../../../src/ctap2/env.js';
import { concatBytes, fromHex, toBase64url, toHex, utf8 } from '../../../src/util/bytes.js';
import { VirtualAuthenticator } from '../../../src/node/virtual.js';
import { CtapHidHost } from '../../../src/hid/host.js';
import { Capability } from '../../../src/hid/constants.js';
import { gaParams, mcParams, TestKey } from '../../helpers/core.js';
import { parseAuthData } from '../../../src/client/authData.js';

const sha256 = (b: Uint8Array | string): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());
const ctx: RequestContext = { channel: 1, signal: new AbortController().signal, keepalive: () => undefined };
const send = (key: TestKey, apdu: Uint8Array): Promise<Uint8Array> => key.auth.handleApdu(apdu, ctx);
const sw = (r: Uint8Array): number => (r[r.length - 2]! << 8) | r[r.length - 1]!;
const body = (r: Uint8Array): Uint8Array => r.subarray(0, r.length - 2);
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

/** Extended encoding as U2F §3 gives it: CLA INS P1 P2 00 Lc(2) data Le(2). */
function extended(ins: number, p1: number, data: Uint8Array, le = true): Uint8Array {
  return concatBytes(new Uint8Array([0, ins, p1, 0, 0, data.length >> 8, data.length & 0xff]), data, le ? new Uint8Array([0, 0]) : new Uint8Array(0));
}
function short(ins: number, p1: number, data: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([0, ins, p1, 0, data.length]), data, new Uint8Array([0]));
}

/** As U2F hosts do: resend while the key answers 6985 (it is asking the user meanwhile). */
async function poll(key: TestKey, apdu: Uint8Array, tries = 20): Promise<Uint8Array> {
  let r = await send(key, apdu);
  for (let i = 0; i < tries && sw(r) === StatusWord.SW_CONDITIONS_NOT_SATISFIED; i++) {
    await tick();
    r = await send(key, apdu);
  }
  return r;
}

const APP = sha256('example.com');
const CHALLENGE = sha256('challenge');

interface Registration {
  publicKey: Uint8Array;
  keyHandle: Uint8Array;
  certificate: Uint8Array;
  signature: Uint8Array;
}

/** §4.3: 0x05 | public key (65) | key handle length | key handle | certificate (DER) | signature. */
function parseRegistration(b: Uint8Array): Registration {
  expect(b[0]).toBe(0x05);
  const publicKey = b.subarray(1, 66);
  const khLen = b[66]!;
  const keyHandle = b.subarray(67, 67 + khLen);
  const rest = b.subarray(67 + khLen);
  // The certificate's DER length: 30 82 hh ll.
  expect(rest[0]).toBe(0x30);
  expect(rest[1]).toBe(0x82);
  const certLen = 4 + ((rest[2]! << 8) | rest[3]!);
  return { publicKey, keyHandle, certificate: rest.subarray(0, certLen), signature: rest.subarray(certLen) };
}

const spkiOfPoint = (point: Uint8Array) =>
  createPublicKey({ key: Buffer.concat([Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'), point]), format: 'der', type: 'spki' });

async function registerU2f(key: TestKey, app = APP): Promise<Registration> {
  const r = await poll(key, extended(0x01, 0x03, concatBytes(CHALLENGE, app)));
  expect(toHex(r.subarray(-2))).toBe('9000');
  return parseRegistration(body(r));
}

describe('APDU encodings (ISO 7816-4 cases, short and extended)', () => {
  it.each([
    ['00030000', { ins: 3, data: '', le: undefined }],
    ['0003000000', { ins: 3, data: '', le: 0 }],
    ['0003000000000000', undefined],
    ['00030000000000', { ins: 3, data: '', le: 0 }],
    ['000300000000000000', { ins: 3, data: '', le: 0 }], // python-fido2's VERSION: Lc 0000, Le 0000
    ['0002030003aabbcc', { ins: 2, data: 'aabbcc', le: undefined }],
    ['0002030003aabbcc00', { ins: 2, data: 'aabbcc', le: 0 }],
    ['000203000000 03aabbcc', { ins: 2, data: 'aabbcc', le: undefined }],
    ['000203000000 03aabbcc0100', { ins: 2, data: 'aabbcc', le: 256 }],
  ])('%s', (hex, want) => {
    const b = fromHex(hex.replace(/ /g, ''));
    if (!want) return expect(() => parseApdu(b)).toThrow(/SW 6700/);
    const a = parseApdu(b);
    expect({ ins: a.ins, data: toHex(a.data), le: a.le }).toEqual(want);
  });

  it.each(['00', '000300', '0002030004aabbcc', '0002030002aabbcc', '000203000000aabb', '0002030000000004aabbcc', '0002030000000003aabbcc00'])(
    'refuses %s with SW_WRONG_LENGTH', async (hex) => {
      expect(toHex(await send(new TestKey(), fromHex(hex)))).toBe('6700');
    },
  );
});

describe('U2F_VERSION and the status words', () => {
  it('answers "U2F_V2" to short and extended encodings', async () => {
    const key = new TestKey();
    for (const hex of ['0003000000', '00030000000000', '00030000']) {
      expect(toHex(await send(key, fromHex(hex)))).toBe(`${toHex(utf8('U2F_V2'))}9000`);
    }
    expect(toHex(await send(key, fromHex('0003000001aa00')))).toBe('6700');
  });

  it('names a wrong CLA, an unknown INS and a bad control byte', async () => {
    const key = new TestKey();
    expect(toHex(await send(key, fromHex('8003000000')))).toBe('6e00');
    expect(toHex(await send(key, fromHex('0004000000')))).toBe('6d00');
    expect(toHex(await send(key, fromHex('00c0000000')))).toBe('6d00');
    const kh = (await registerU2f(key)).keyHandle;
    const auth = concatBytes(CHALLENGE, APP, new Uint8Array([kh.length]), kh);
    expect(toHex(await send(key, extended(0x02, 0x01, auth)))).toBe('6a86');
  });
});

describe('U2F_REGISTER', () => {
  it('answers 6985 until the user approves, then the same request registers; the layout and both keys check out', async () => {
    const key = new TestKey();
    const apdu = extended(0x01, 0x00, concatBytes(CHALLENGE, APP));
    expect(toHex(await send(key, apdu))).toBe('6985');
    expect(key.asked).toEqual([{ command: 'ctap1' }]);
    await tick();
    const r = await send(key, apdu);
    expect(toHex(r.subarray(-2))).toBe('9000');
    const reg = parseRegistration(body(r));
    expect(reg.publicKey[0]).toBe(0x04);
    expect(reg.keyHandle.length).toBe(65);
    // The attestation signature: 0x00 | app | challenge | key handle | public key, by the batch certificate.
    const cert = new X509Certificate(reg.certificate);
    expect(cert.subject).toContain('OU=Authenticator Attestation');
    const signed = concatBytes(new Uint8Array([0]), APP, CHALLENGE, reg.keyHandle, reg.publicKey);
    expect(verify('sha256', signed, cert.publicKey, reg.signature)).toBe(true);
    expect(reg.certificate).toEqual(key.auth.attestation().x5c[0]);
    // The touch is spent: the same request asks again.
    expect(toHex(await send(key, apdu))).toBe('6985');
  });

  it('a touch given for one request does not answer another, and a denial leaves 6985', async () => {
    const key = new TestKey();
    const a = extended(0x01, 0, concatBytes(CHALLENGE, APP));
    const b = extended(0x01, 0, concatBytes(CHALLENGE, sha256('evil.example')));
    expect(toHex(await send(key, a))).toBe('6985');
    await tick(); // approved: for a
    key.presence = 'denied';
    expect(toHex(await send(key, b))).toBe('6985');
    await tick();
    expect(toHex(await send(key, b))).toBe('6985');
    await tick();
    expect(toHex(await send(key, b))).toBe('6985');
    expect(toHex((await send(key, a)).subarray(-2))).toBe('9000');
  });

  it('accepts the short encoding and a touch stays good only a while', async () => {
    const key = new TestKey();
    const apdu = short(0x01, 0, concatBytes(CHALLENGE, APP));
    expect(toHex(await send(key, apdu))).toBe('6985');
    await tick();
    key.time += 10_001;
    expect(toHex(await send(key, apdu))).toBe('6985');
    expect(toHex((await poll(key, apdu)).subarray(-2))).toBe('9000');
  });
});

describe('U2F_AUTHENTICATE', () => {
  it('check-only says 6985 for its own key handles and 6A80 for others; enforce and dont-enforce sign', async () => {
    const key = new TestKey();
    const reg = await registerU2f(key);
    const data = (app: Uint8Array, kh: Uint8Array) => concatBytes(CHALLENGE, app, new Uint8Array([kh.length]), kh);
    expect(toHex(await send(key, extended(0x02, 0x07, data(APP, reg.keyHandle))))).toBe('6985');
    expect(toHex(await send(key, extended(0x02, 0x07, data(sha256('other.example'), reg.keyHandle))))).toBe('6a80');
    const bent = reg.keyHandle.slice();
    bent[20]! ^= 1;
    expect(toHex(await send(key, extended(0x02, 0x03, data(APP, bent))))).toBe('6a80');
    expect(toHex(await send(key, extended(0x02, 0x03, data(APP, reg.keyHandle.subarray(1)))))).toBe('6a80');
    const asked = key.asked.length;
    expect(toHex(await send(key, extended(0x02, 0x07, data(APP, bent))))).toBe('6a80');
    expect(key.asked.length).toBe(asked); // no touch asked for a key handle that is not ours

    const pub = spkiOfPoint(reg.publicKey);
    const check = (r: Uint8Array, flags: number): number => {
      expect(toHex(r.subarray(-2))).toBe('9000');
      const b = body(r);
      expect(b[0]).toBe(flags);
      // §5.4: application | user presence | counter | challenge.
      expect(verify('sha256', concatBytes(APP, b.subarray(0, 5), CHALLENGE), pub, b.subarray(5))).toBe(true);
      return new DataView(b.buffer, b.byteOffset).getUint32(1);
    };
    const first = check(await poll(key, extended(0x02, 0x03, data(APP, reg.keyHandle))), 0x01);
    const asked2 = key.asked.length;
    const second = check(await send(key, short(0x02, 0x08, data(APP, reg.keyHandle))), 0x00);
    expect(key.asked.length).toBe(asked2);
    expect(second).toBeGreaterThan(first);
    // A key handle length that disagrees with the data.
    const wrong = data(APP, reg.keyHandle);
    wrong[64] = 64;
    expect(toHex(await send(key, extended(0x02, 0x03, wrong)))).toBe('6700');
  });
});

describe('CTAP 2.1 §10: one credential, two protocols', () => {
  it('a U2F registration answers CTAP2 getAssertion for the RP ID whose SHA-256 is the application parameter', async () => {
    const key = new TestKey();
    const reg = await registerU2f(key);
    const [st, res] = await key.call(0x02, gaParams({ 3: [{ type: 'public-key', id: reg.keyHandle }] }));
    expect(st).toBe(0);
    const authData = res!.get(2) as Uint8Array;
    expect(authData.subarray(0, 32)).toEqual(APP);
    expect(verify('sha256', concatBytes(authData, new Uint8Array(32).fill(2)), spkiOfPoint(reg.publicKey), res!.get(3) as Uint8Array)).toBe(true);
    const [other] = await key.call(0x02, gaParams({ 1: 'other.example', 3: [{ type: 'public-key', id: reg.keyHandle }] }));
    expect(other).toBe(0x2e); // NO_CREDENTIALS
  });

  it('a CTAP2 non-discoverable ES256 credential answers U2F authenticate; EdDSA and credProtect 3 do not', async () => {
    const key = new TestKey();
    const made = async (over: Record<number, never>) => {
      const [st, res] = await key.call(0x01, mcParams(over));
      expect(st).toBe(0);
      return parseAuthData(res!.get(2) as Uint8Array).attested!;
    };
    const es = await made({});
    const data = (kh: Uint8Array) => concatBytes(CHALLENGE, APP, new Uint8Array([kh.length]), kh);
    const r = await poll(key, extended(0x02, 0x03, data(es.credentialId)));
    expect(toHex(r.subarray(-2))).toBe('9000');
    const point = concatBytes(new Uint8Array([4]), es.publicKey.get(-2) as Uint8Array, es.publicKey.get(-3) as Uint8Array);
    const b = body(r);
    expect(verify('sha256', concatBytes(APP, b.subarray(0, 5), CHALLENGE), spkiOfPoint(point), b.subarray(5))).toBe(true);
    const ed = await made({ 4: [{ alg: -8, type: 'public-key' }] as never });
    expect(toHex(await send(key, extended(0x02, 0x07, data(ed.credentialId))))).toBe('6a80');
    const protected3 = await made({ 6: new Map([['credProtect', 3]]) as never });
    expect(toHex(await send(key, extended(0x02, 0x07, data(protected3.credentialId))))).toBe('6a80');
    const rk = await made({ 7: new Map([['rk', true]]) as never });
    expect(toHex(await send(key, extended(0x02, 0x07, data(rk.credentialId))))).toBe('6985');
  });
});

describe('fido-u2f attestation (WebAuthn L3 §8.6) as a browser builds it from U2F_REGISTER', () => {
  it('is verified by @simplewebauthn/server, and the credential then signs in over CTAP2 (WebAuthnClient)', async () => {
    const key = new VirtualAuthenticator();
    const hid = await CtapHidHost.open(key.connect());
    try {
      const origin = 'https://example.com';
      const challenge = toBase64url(sha256('server challenge'));
      const clientDataJSON = utf8(JSON.stringify({ type: 'webauthn.create', challenge, origin, crossOrigin: false }));
      // CTAP 2.1 §10.2: the challenge parameter is the clientDataHash, the application the rpIdHash.
      const apdu = extended(0x01, 0x03, concatBytes(sha256(clientDataJSON), APP));
      let r = await hid.msg(apdu);
      for (let i = 0; i < 50 && sw(r) === StatusWord.SW_CONDITIONS_NOT_SATISFIED; i++) {
        await tick();
        r = await hid.msg(apdu);
      }
      const reg = parseRegistration(body(r));
      const cose = coseKey(-7, reg.publicKey);
      const authData = concatBytes(
        APP, new Uint8Array([0x41, 0, 0, 0, 0]), new Uint8Array(16), new Uint8Array([0, reg.keyHandle.length]), reg.keyHandle, encodeCbor(cose),
      );
      const attStmt = new Map<string, unknown>([['sig', reg.signature], ['x5c', [reg.certificate]]]) as CborMap;
      const attestationObject = encodeCbor(new Map<string, unknown>([['fmt', 'fido-u2f'], ['attStmt', attStmt], ['authData', authData]]) as CborMap);
      const id = toBase64url(reg.keyHandle);
      const result = await verifyRegistrationResponse({
        response: {
          id, rawId: id, type: 'public-key', clientExtensionResults: {},
          response: { clientDataJSON: toBase64url(clientDataJSON), attestationObject: toBase64url(attestationObject) },
        },
        expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: 'example.com', requireUserVerification: false,
      });
      expect(result.verified).toBe(true);
      expect(result.registrationInfo!.fmt).toBe('fido-u2f');
      // The same credential, used through CTAP2 getAssertion as a browser would.
      const options = await generateAuthenticationOptions({ rpID: 'example.com', allowCredentials: [{ id }], userVerification: 'discouraged' });
      const assertion = await new WebAuthnClient(key, { origin }).get(options);
      const auth = await verifyAuthenticationResponse({
        response: assertion, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: 'example.com',
        credential: result.registrationInfo!.credential, requireUserVerification: false,
      });
      expect(auth.verified).toBe(true);
    } finally {
      await hid.close();
      key.close();
    }
  });
});

describe('alwaysUv', () => {
  it('turns U2F off (6986 to every APDU, as OpenSK does) and takes U2F_V2 out of getInfo', async () => {
    const key = new TestKey();
    const reg = await registerU2f(key);
    expect((await key.call(0x0d, new Map([[1, 0x02]])))[0]).toBe(0); // toggleAlwaysUv on an unprotected key
    expect(toHex(await send(key, fromHex('00030000000000')))).toBe('6986');
    const auth = concatBytes(CHALLENGE, APP, new Uint8Array([reg.keyHandle.length]), reg.keyHandle);
    expect(toHex(await send(key, extended(0x02, 0x08, auth)))).toBe('6986');
    const [, info] = await key.call(0x04);
    expect(info!.get(1)).toEqual(['FIDO_2_0', 'FIDO_2_1', 'FIDO_2_3']);
  });
});

describe('malformed APDUs', () => {
  const KNOWN = new Set<number>(Object.values(StatusWord));
  it('always get a status word, never an exception or SW_UNKNOWN', async () => {
    const key = new TestKey();
    key.presence = 'denied';
    const kh = (await (async () => {
      key.presence = 'approved';
      const r = await registerU2f(key);
      key.presence = 'denied';
      return r;
    })()).keyHandle;
    const interesting = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(fc.constantFrom(0, 0x80), fc.constantFrom(1, 2, 3, 4, 0x40), fc.constantFrom(0, 3, 7, 8, 0xff), fc.uint8Array({ maxLength: 200 }), fc.boolean())
        .map(([cla, ins, p1, d, ext]) => { const a = ext ? extended(ins, p1, d) : short(ins, p1, d.subarray(0, 255)); a[0] = cla; return a; }),
      fc.tuple(fc.constantFrom(3, 7, 8), fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.integer({ min: 0, max: 255 }))
        .map(([p1, d, n]) => extended(2, p1, concatBytes(d, new Uint8Array([n]), kh.subarray(0, n)))),
    );
    await fc.assert(fc.asyncProperty(interesting, async (apdu) => {
      const r = await send(key, apdu);
      expect(r.length).toBeGreaterThanOrEqual(2);
      const code = sw(r);
      expect(KNOWN.has(code as never), toHex(apdu)).toBe(true);
      expect(code).not.toBe(StatusWord.SW_UNKNOWN);
    }), { numRuns: 500 });
  });
});

describe('over CTAPHID_MSG', () => {
  it('announces no NMSG, answers VERSION, and getInfo lists U2F_V2 first', async () => {
    const key = new VirtualAuthenticator();
    try {
      const hid = await CtapHidHost.open(key.connect());
      expect(hid.device.capabilities & Capability.NMSG).toBe(0);
      expect(toHex(await hid.msg(fromHex('00030000000000')))).toBe(`${toHex(utf8('U2F_V2'))}9000`);
      const info = await hid.cbor(new Uint8Array([4]));
      expect(toHex(info)).toContain(toHex(encodeCbor(['U2F_V2', 'FIDO_2_0', 'FIDO_2_1', 'FIDO_2_3'])));
      await hid.close();
    } finally {
      key.close();
    }
  });
});
