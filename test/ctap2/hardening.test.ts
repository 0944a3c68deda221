// Findings of the review of the core against CTAP 2.1/2.2: each test failed before its fix.
import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { ClientPin, PinPermission, pinUvAuthParam } from '../../src/client/clientPin.js';
import { Ctap2Client } from '../../src/client/ctap2.js';
import { parseAuthData } from '../../src/client/authData.js';
import { hmacSecretSession } from '../../src/client/hmacSecret.js';
import { CborFloat, decodeCbor, encodeCbor, type CborMap } from '../../src/ctap/cbor.js';
import { Command } from '../../src/ctap/constants.js';
import { protocolOne } from '../../src/ctap/pinUvAuthProtocol.js';
import { nobleCrypto } from '../../src/ctap/nobleCrypto.js';
import { Status } from '../../src/ctap/status.js';
import { CREDENTIAL_ID_LENGTH } from '../../src/ctap2/credentialId.js';
import { DEFAULT_AAGUID } from '../../src/ctap2/env.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { VirtualAuthenticator, type VirtualAuthenticatorOptions } from '../../src/node/virtual.js';
import { concatBytes, fromHex, toHex, utf8 } from '../../src/util/bytes.js';
import { gaParams, hash32, mcParams, TestKey } from '../helpers/core.js';
import { closeLater } from '../helpers/cleanup.js';

const { authenticatorMakeCredential: MC, authenticatorGetAssertion: GA, authenticatorGetNextAssertion: NEXT,
  authenticatorCredentialManagement: CM, authenticatorClientPIN: PIN, authenticatorConfig: CONFIG, authenticatorReset: RESET } = Command;


/** A key and `hosts` CTAPHID hosts on it, each on its own channel. */
async function rig(options: VirtualAuthenticatorOptions = {}, hosts = 1): Promise<{ key: VirtualAuthenticator; ctaps: Ctap2Client[]; hids: CtapHidHost[] }> {
  const key = new VirtualAuthenticator(options);
  closeLater(() => key.close());
  const hids: CtapHidHost[] = [];
  for (let i = 0; i < hosts; i++) {
    const hid = await CtapHidHost.open(key.connect());
    closeLater(() => void hid.close());
    hids.push(hid);
  }
  return { key, ctaps: hids.map((h) => new Ctap2Client(h)), hids };
}

async function makeRk(key: TestKey, userId: number, over: Record<number, never> = {}): Promise<Uint8Array> {
  const [st, res] = await key.call(MC, mcParams({ 3: { id: new Uint8Array([userId]), name: `u${userId}` }, 7: { rk: true }, ...over }));
  expect(st).toBe(Status.CTAP2_OK);
  return parseAuthData(res!.get(2) as Uint8Array).attested!.credentialId;
}

const status = (p: Promise<unknown>): Promise<number> => p.then(() => 0, (e: { status?: number }) => e.status ?? -1);

describe('multi-command state belongs to the channel that began it (item 1)', () => {
  it('another channel cannot continue a getAssertion walk, and its command ends it', async () => {
    const key = new TestKey();
    await makeRk(key, 1);
    await makeRk(key, 2);
    const [st, first] = await key.call(GA, gaParams());
    expect(st).toBe(Status.CTAP2_OK);
    expect(first!.get(5)).toBe(2);
    key.channel = 2;
    expect((await key.call(NEXT))[0]).toBe(Status.CTAP2_ERR_NOT_ALLOWED);
    key.channel = 1;
    expect((await key.call(NEXT))[0]).toBe(Status.CTAP2_ERR_NOT_ALLOWED);
  });

  it("another host cannot read a credential enumeration a PIN holder began", async () => {
    const { ctaps: [a, b] } = await rig({ pin: '1234' }, 2);
    const pin = new ClientPin(a!, [2]);
    for (const user of ['ann', 'al']) {
      const t = await pin.getPinToken('1234', PinPermission.mc, 'a.example');
      await a!.makeCredential({ clientDataHash: hash32(), rp: { id: 'a.example' }, user: { id: utf8(user), name: user },
        pubKeyCredParams: [{ alg: -7, type: 'public-key' }], options: { rk: true }, pinUvAuthParam: pinUvAuthParam(t, hash32()), pinUvAuthProtocol: 2 });
    }
    const token = await pin.getPinToken('1234', PinPermission.cm);
    const params = encodeCbor(new Map([[1, sha256(utf8('a.example'))]]));
    const begin = await a!.send(CM, new Map<number, never>([
      [1, 0x04 as never], [2, decodeCbor(params) as never], [3, 2 as never],
      [4, pinUvAuthParam(token, concatBytes(new Uint8Array([0x04]), params)) as never],
    ]));
    expect(begin!.get(9)).toBe(2);
    expect(await status(b!.send(CM, new Map<number, never>([[1, 0x05 as never]])))).toBe(Status.CTAP2_ERR_NOT_ALLOWED);
    expect(await status(a!.send(CM, new Map<number, never>([[1, 0x05 as never]])))).toBe(Status.CTAP2_ERR_NOT_ALLOWED);
  });
});

describe('alwaysUv (item 2)', () => {
  it('leaves a silent up=false allowList probe alone, and still asks for UV when presence is asked', async () => {
    const key = new TestKey();
    const [, made] = await key.call(MC, mcParams());
    const id = parseAuthData(made!.get(2) as Uint8Array).attested!.credentialId;
    expect((await key.call(CONFIG, new Map([[1, 0x02]])))[0]).toBe(Status.CTAP2_OK); // toggleAlwaysUv on an unprotected key
    const allow = { 3: [{ id, type: 'public-key' }] };
    const [st, res] = await key.call(GA, gaParams({ ...allow, 5: { up: false } }));
    expect(st).toBe(Status.CTAP2_OK);
    expect(parseAuthData(res!.get(2) as Uint8Array).flags & 0x01).toBe(0);
    expect((await key.call(GA, gaParams(allow)))[0]).toBe(Status.CTAP2_ERR_PUAT_REQUIRED);
  });
});

describe('CBOR (item 3)', () => {
  it('a float where an integer is required is CBOR_UNEXPECTED_TYPE, even a whole one', async () => {
    const key = new TestKey();
    expect((await key.call(MC, mcParams({ 4: [{ alg: new CborFloat(-7), type: 'public-key' }] })))[0]).toBe(Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    // -7.0 as a half-precision float: f9 c7 00
    const req = fromHex(toHex(encodeCbor(mcParams({ 4: [{ alg: -7, type: 'public-key' }] }))).replace('63616c6726', '63616c67f9c700'));
    expect((await key.raw(concatBytes(new Uint8Array([MC]), req)))[0]).toBe(Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  });

  it('orders map keys by major type first: {24, -1} is a2 1818 .. 20 .. (as python-fido2 does)', () => {
    expect(toHex(encodeCbor(new Map([[-1, 1], [24, 2]])))).toBe('a2' + '1818' + '02' + '20' + '01');
  });
});

describe('pinUvAuthToken and protocols (item 4)', () => {
  it('a token works only with the protocol that issued it', async () => {
    const { ctaps: [ctap] } = await rig({ pin: '1234' });
    const token = await new ClientPin(ctap!, [2]).getPinToken('1234', PinPermission.mc, 'example.com');
    const mac = protocolOne(nobleCrypto).authenticate(token.token, hash32());
    expect(await status(ctap!.makeCredential({ clientDataHash: hash32(), rp: { id: 'example.com' }, user: { id: new Uint8Array([1]) },
      pubKeyCredParams: [{ alg: -7, type: 'public-key' }], pinUvAuthParam: mac, pinUvAuthProtocol: 1 }))).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
  });
});

describe('makeCredential and getAssertion details (item 5)', () => {
  it('hmac-secret answers only for credentials made with it', async () => {
    const { ctaps: [ctap] } = await rig();
    const cp = new ClientPin(ctap!, [2]);
    for (const [rk, ext] of [[false, undefined], [true, undefined], [false, true], [true, true]] as const) {
      const att = await ctap!.makeCredential({ clientDataHash: hash32(), rp: { id: 'example.com' }, user: { id: new Uint8Array([rk ? 1 : 2, ext ? 1 : 0]) },
        pubKeyCredParams: [{ alg: -7, type: 'public-key' }], options: { rk }, extensions: ext ? { 'hmac-secret': true } : undefined });
      const id = parseAuthData(att.authData).attested!.credentialId;
      const session = await hmacSecretSession(cp, new Uint8Array(32).fill(7));
      const a = await ctap!.getAssertion({ rpId: 'example.com', clientDataHash: hash32(), allowList: [{ id, type: 'public-key' }], extensions: { 'hmac-secret': session.input } });
      expect(parseAuthData(a.authData).extensions?.has('hmac-secret') ?? false, `rk=${rk} hmac-secret=${ext}`).toBe(ext === true);
    }
  });

  it('cuts rp.name, user.name and displayName to 64 bytes at a UTF-8 boundary', async () => {
    const key = new TestKey();
    const long = 'a'.repeat(63) + 'é' + 'tail'; // é (2 bytes) straddles byte 64
    await makeRk(key, 1, { 2: { id: 'example.com', name: long } as never, 3: { id: new Uint8Array([1]), name: long, displayName: '€'.repeat(30) } as never });
    const c = key.store.list()[0]!;
    expect(c.rpName).toBe('a'.repeat(63));
    expect(c.userName).toBe('a'.repeat(63));
    expect(c.userDisplayName).toBe('€'.repeat(21)); // 63 bytes: a 22nd would need bytes 64-66
  });

  it('clientDataHash must be 32 bytes', async () => {
    const key = new TestKey();
    expect((await key.call(MC, mcParams({ 1: new Uint8Array(31) })))[0]).toBe(Status.CTAP1_ERR_INVALID_LENGTH);
    expect((await key.call(GA, gaParams({ 2: new Uint8Array(33) })))[0]).toBe(Status.CTAP1_ERR_INVALID_LENGTH);
  });

  it('reset regenerates the key agreement keys', async () => {
    const key = new TestKey();
    const ka = async (): Promise<string> => toHex(encodeCbor((await key.call(PIN, new Map([[1, 2], [2, 2]])))[1]!.get(1) as CborMap));
    const before = await ka();
    expect((await key.call(RESET))[0]).toBe(Status.CTAP2_OK);
    expect(await ka()).not.toBe(before);
  });

  it('checks enterprise attestation before asking for the finger', async () => {
    let fingers = 0;
    const { hids: [hid] } = await rig({ userVerification: () => (fingers++, 'match') });
    const res = await hid!.cbor(concatBytes(new Uint8Array([MC]), encodeCbor(mcParams({ 7: { uv: true }, 10: 1 }))));
    expect(res[0]).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
    expect(fingers).toBe(0);
  });

  it('after built-in UV, an excluded credential answers without a second touch', async () => {
    let touches = 0;
    const { ctaps: [ctap] } = await rig({ userVerification: 'match', presence: () => (touches++, true) });
    const base = { clientDataHash: hash32(), rp: { id: 'example.com' }, user: { id: new Uint8Array([1]) }, pubKeyCredParams: [{ alg: -7, type: 'public-key' as const }] };
    const att = await ctap!.makeCredential(base);
    const id = parseAuthData(att.authData).attested!.credentialId;
    touches = 0;
    expect(await status(ctap!.makeCredential({ ...base, options: { uv: true }, excludeList: [{ id, type: 'public-key' }] }))).toBe(Status.CTAP2_ERR_CREDENTIAL_EXCLUDED);
    expect(touches).toBe(0);
  });
});

describe('secrets (item 6)', () => {
  it('discoverable credentials get random IDs with nothing sealed inside', async () => {
    const key = new TestKey();
    const a = await makeRk(key, 1);
    expect(a.length).not.toBe(CREDENTIAL_ID_LENGTH);
    expect(a.length).toBe(32);
    const [, made] = await key.call(MC, mcParams());
    // A sealed ES256 key: version, nonce, flags/credProtect/alg, 32-byte key, tag (ES384 IDs are the longest).
    expect(parseAuthData(made!.get(2) as Uint8Array).attested!.credentialId.length).toBe(CREDENTIAL_ID_LENGTH - 16);
  });

  it('the stored PIN hash is sealed under a device key', async () => {
    const key = new TestKey();
    key.auth.provisionPin('4711');
    const stored = toHex(key.store.getMeta('pin')!);
    expect(stored).not.toContain(toHex(sha256(utf8('4711')).slice(0, 16)));
    expect(key.auth.hasPin()).toBe(true);
  });

  it('no module-level maps (caches of keys or secrets) in the core or the crypto', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const files = [...readdirSync('src/ctap2', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => `src/ctap2/${f}`), 'src/node/nodeCrypto.ts', 'src/node/keyObjectCache.ts', 'src/ctap/nobleCrypto.ts'];
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toMatch(/^(export )?(const|let) \w+ = new Map\b/m);
  });
});

describe('spec settlements (items 7, 8)', () => {
  it('getPINRetries without a PIN answers the retries (§6.5.5.2: there is no PIN_NOT_SET case)', async () => {
    const key = new TestKey();
    const [st, res] = await key.call(PIN, new Map([[1, 2], [2, 1]]));
    expect(st).toBe(Status.CTAP2_OK);
    expect(res!.get(3)).toBe(8);
  });

  it('getInfo offers setMinPINLength RP IDs together with the minPinLength extension that reports to them', async () => {
    const key = new TestKey();
    const [, info] = await key.call(Command.authenticatorGetInfo);
    expect(info!.get(0x10)).toBe(8);
    expect(info!.get(2)).toContain('minPinLength');
  });

  it('the default AAGUID is an RFC 4122 version-4 UUID', () => {
    expect(DEFAULT_AAGUID[6]! >> 4).toBe(4);
    expect(DEFAULT_AAGUID[8]! >> 6).toBe(0b10);
  });
});

describe('credentialManagement and config MAC the bytes as sent (item 11)', () => {
  it('a float in subCommandParams is a protocol error, not CTAP1_ERR_OTHER', async () => {
    const key = new TestKey();
    const req = fromHex('0aa4010402a2015820' + '11'.repeat(32) + '0af93e00' + '0302' + '0450' + '00'.repeat(16));
    expect((await key.raw(req))[0]).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
  });

  it("a host's valid non-canonical subCommandParams with a correct MAC are accepted", async () => {
    const { ctaps: [ctap], hids: [hid] } = await rig({ pin: '1234' });
    const pin = new ClientPin(ctap!, [2]);
    const t = await pin.getPinToken('1234', PinPermission.mc, 'a.example');
    await ctap!.makeCredential({ clientDataHash: hash32(), rp: { id: 'a.example' }, user: { id: utf8('ann') },
      pubKeyCredParams: [{ alg: -7, type: 'public-key' }], options: { rk: true }, pinUvAuthParam: pinUvAuthParam(t, hash32()), pinUvAuthProtocol: 2 });
    const token = await pin.getPinToken('1234', PinPermission.cm);
    const params = concatBytes(fromHex('a1' + '1801' + '5820'), sha256(utf8('a.example'))); // key 1 written as 18 01
    const mac = pinUvAuthParam(token, concatBytes(new Uint8Array([0x04]), params));
    const req = concatBytes(fromHex('0aa4' + '0104' + '02'), params, fromHex('0302' + '045820'), mac);
    const res = await hid!.cbor(req);
    expect(res[0]).toBe(Status.CTAP2_OK);
    expect((decodeCbor(res.subarray(1)) as CborMap).get(9)).toBe(1);
  });
});
