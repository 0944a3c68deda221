// Fault rules on CTAP1/U2F messages, as a U2F host's own checks see them: a forced status word, a
// corrupted registration or authentication signature (FIDO U2F Raw Message Formats §4.3, §5.4,
// checked here with OpenSSL as a server would), a counter a clone check must catch.
import { describe, expect, it } from 'vitest';
import { createHash, createPublicKey, createVerify, X509Certificate } from 'node:crypto';
import { CtapHidHost, VirtualAuthenticator } from '../../src/index.js';
import { AutomationError } from '../../src/node/automation/credentialJson.js';
import { toBase64url } from '../../src/util/bytes.js';
import { closeLater } from '../helpers/cleanup.js';

const sha256 = (s: string): Uint8Array => new Uint8Array(createHash('sha256').update(s).digest());
const APP = 'https://u2f.example';
const CHALLENGE = sha256('challenge');

/** An extended-length APDU (§3.1.3). */
const apdu = (ins: number, p1: number, data: Uint8Array): Uint8Array =>
  new Uint8Array([0, ins, p1, 0, 0, data.length >> 8, data.length & 0xff, ...data, 0, 0]);
const sw = (r: Uint8Array): number => (r[r.length - 2]! << 8) | r[r.length - 1]!;

async function u2fHost(faults: unknown[]) {
  const key = new VirtualAuthenticator({ store: 'memory', faults });
  const hid = await CtapHidHost.open(key.connect());
  closeLater(() => hid.close(), () => key.close());
  return { key, hid };
}

/** §4.3: the registration, and whether its attestation signature verifies against the certificate. */
function parseRegistration(r: Uint8Array, app: Uint8Array) {
  const publicKey = r.subarray(1, 66);
  const keyHandle = r.subarray(67, 67 + r[66]!);
  const certStart = 67 + keyHandle.length;
  const certLength = 4 + ((r[certStart + 2]! << 8) | r[certStart + 3]!); // SEQUENCE, long form in two bytes
  const cert = new X509Certificate(r.subarray(certStart, certStart + certLength));
  const signature = r.subarray(certStart + certLength, r.length - 2);
  const signed = new Uint8Array([0, ...app, ...CHALLENGE, ...keyHandle, ...publicKey]);
  const verified = createVerify('SHA256').update(signed).verify(cert.publicKey, signature);
  return { publicKey, keyHandle, verified };
}

/** §5.4: the counter, and whether the signature verifies with the credential's public key. */
function parseAuthentication(r: Uint8Array, app: Uint8Array, publicKey: Uint8Array) {
  const counter = new DataView(r.buffer, r.byteOffset + 1, 4).getUint32(0);
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: toBase64url(publicKey.subarray(1, 33)), y: toBase64url(publicKey.subarray(33)) }, format: 'jwk' });
  const verified = createVerify('SHA256').update(new Uint8Array([...app, ...r.subarray(0, 5), ...CHALLENGE])).verify(key, r.subarray(5, r.length - 2));
  return { counter, verified };
}

/** Sends until the key stops answering "touch first" (SW_CONDITIONS_NOT_SATISFIED), as a U2F host polls; `tries` such answers at most. */
async function polled(hid: CtapHidHost, a: Uint8Array, tries = 100): Promise<Uint8Array> {
  for (let i = 0; ; i++) {
    const r = await hid.msg(a);
    if (sw(r) !== 0x6985 || i >= tries) return r;
    await new Promise((done) => setTimeout(done, 2));
  }
}

const register = (hid: CtapHidHost, app: Uint8Array) => polled(hid, apdu(0x01, 0x03, new Uint8Array([...CHALLENGE, ...app])));
const authenticate = (hid: CtapHidHost, app: Uint8Array, kh: Uint8Array, tries?: number) =>
  polled(hid, apdu(0x02, 0x03, new Uint8Array([...CHALLENGE, ...app, kh.length, ...kh])), tries);

describe('U2F faults', () => {
  it('badSignature: the attestation and the authentication signatures no longer verify; the rule for another appId leaves this one alone', async () => {
    const { hid } = await u2fHost([
      { command: 'U2F_REGISTER', rpId: APP, when: { first: 1 }, fault: { type: 'badSignature' } },
      { command: 'U2F_AUTHENTICATE', rpId: APP, when: { first: 1 }, fault: { type: 'badSignature' } },
      { command: 'U2F_AUTHENTICATE', rpId: 'https://other.example', fault: { type: 'badSignature' } },
    ]);
    const app = sha256(APP);
    const bad = await register(hid, app);
    expect(sw(bad)).toBe(0x9000);
    expect(parseRegistration(bad, app).verified).toBe(false);
    const good = parseRegistration(await register(hid, app), app);
    expect(good.verified).toBe(true);
    const first = parseAuthentication(await authenticate(hid, app, good.keyHandle), app, good.publicKey);
    expect(first.verified).toBe(false);
    const second = parseAuthentication(await authenticate(hid, app, good.keyHandle), app, good.publicKey);
    expect(second).toEqual({ counter: first.counter + 1, verified: true });
  });

  it('status: the status word the rule names, in place of the instruction (nothing made)', async () => {
    const { key, hid } = await u2fHost([
      { command: 'U2F_REGISTER', when: { nth: 1 }, fault: { type: 'status', status: 'SW_WRONG_DATA' } },
      { command: 'U2F_AUTHENTICATE', when: { nth: 1 }, fault: { type: 'status', status: 0x6986 } },
    ]);
    const app = sha256(APP);
    const refused = await register(hid, app);
    expect(refused).toEqual(new Uint8Array([0x6a, 0x80]));
    const reg = parseRegistration(await register(hid, app), app);
    expect(await authenticate(hid, app, reg.keyHandle)).toEqual(new Uint8Array([0x69, 0x86])); // SW_COMMAND_NOT_ALLOWED, not polled on
    expect(parseAuthentication(await authenticate(hid, app, reg.keyHandle), app, reg.publicKey).verified).toBe(true);
    expect(key.listFaults().map((f) => [f.fault.status, f.fired])).toEqual([['SW_WRONG_DATA', 1], ['SW_COMMAND_NOT_ALLOWED', 1]]);
  });

  it("counter: the value given, validly signed, where a server's clone check sees the counter go back", async () => {
    const { hid } = await u2fHost([{ when: { nth: 3 }, fault: { type: 'counter', value: 0 } }]);
    const app = sha256(APP);
    const reg = parseRegistration(await register(hid, app), app);
    const counters: number[] = [];
    for (let i = 0; i < 4; i++) {
      const a = parseAuthentication(await authenticate(hid, app, reg.keyHandle), app, reg.publicKey);
      expect(a.verified).toBe(true);
      counters.push(a.counter);
    }
    const [c1, c2, c3, c4] = counters as [number, number, number, number];
    expect(c2).toBe(c1 + 1);
    expect(c3).toBe(0); // not above the last: a clone, to a server that checks
    expect(c4).toBe(c1 + 3); // the key's own counter went on
  });

  it('refuses rules that do not fit U2F, saying why', async () => {
    const { key } = await u2fHost([]);
    const bad: [unknown, RegExp][] = [
      [{ command: 'U2F_AUTHENTICATE', fault: { type: 'flags', clear: ['UP'] } }, /flags does not apply to U2F_AUTHENTICATE \(U2F faults: status, badSignature, counter\)/],
      [{ command: 'U2F_REGISTER', fault: { type: 'counter', value: 1 } }, /counter does not apply to U2F_REGISTER/],
      [{ command: 'any', fault: { type: 'counter', value: 1 } }, /counter applies to U2F_AUTHENTICATE only/],
      [{ command: 'U2F_REGISTER', fault: { type: 'status', status: 'CTAP2_ERR_OPERATION_DENIED' } }, /answers a status word/],
      [{ command: 'getAssertion', fault: { type: 'status', status: 'SW_WRONG_DATA' } }, /is a U2F status word/],
      [{ command: 'U2F_AUTHENTICATE', fault: { type: 'counter', value: -1 } }, /fault.value/],
    ];
    for (const [rule, message] of bad) {
      expect(() => key.addFault(rule), JSON.stringify(rule)).toThrow(expect.objectContaining({ message: expect.stringMatching(message) }));
      expect(() => key.addFault(rule)).toThrow(AutomationError);
    }
    // A rule without a command takes `any`, CTAP2's: U2F messages are left alone.
    key.addFault({ fault: { type: 'status', status: 'CTAP2_ERR_OPERATION_DENIED' } });
    expect(key.listFaults()[0]).toMatchObject({ command: 'any' });
  });
});
