// The CTAP 2.1/2.2 extensions added beside credProtect and hmac-secret: minPinLength (§12.4),
// hmac-secret-mc (2.2 §12.8) and thirdPartyPayment (2.2 §12.9), driven over CTAPHID by the host
// classes; and sealed credential IDs of every version.
import { afterEach, describe, expect, it } from 'vitest';
import { ClientPin, PinPermission, pinUvAuthParam } from '../../src/client/clientPin.js';
import { authenticatorConfig, ConfigSubCommand, setMinPinLengthParams } from '../../src/client/config.js';
import { Ctap2Client, type MakeCredentialParams } from '../../src/client/ctap2.js';
import { parseAuthData } from '../../src/client/authData.js';
import { hmacSecretSession } from '../../src/client/hmacSecret.js';
import { Status } from '../../src/ctap/status.js';
import { nobleCrypto } from '../../src/ctap/nobleCrypto.js';
import { openCredentialId, sealCredentialId } from '../../src/ctap2/credentialId.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { VirtualAuthenticator, type VirtualAuthenticatorOptions } from '../../src/node/virtual.js';
import { Command } from '../../src/ctap/constants.js';
import { hash32, mcParams, TestKey } from '../helpers/core.js';
import { status } from '../helpers/status.js';

const opened: { close(): void }[] = [];
afterEach(() => {
  while (opened.length) opened.pop()!.close();
});

async function rig(options: VirtualAuthenticatorOptions = {}) {
  const key = new VirtualAuthenticator(options);
  opened.push(key);
  const hid = await CtapHidHost.open(key.connect());
  opened.push({ close: () => void hid.close() });
  const ctap = new Ctap2Client(hid);
  return { key, ctap, cp: new ClientPin(ctap, [2, 1]) };
}


const cdh = new Uint8Array(32).fill(3);
const mc = (rp: string, over: Partial<MakeCredentialParams> = {}): MakeCredentialParams => ({
  clientDataHash: cdh, rp: { id: rp }, user: { id: new Uint8Array([1]) }, pubKeyCredParams: [{ alg: -7, type: 'public-key' }], ...over,
});

describe('minPinLength', () => {
  it('is announced with maxRPIDsForSetMinPINLength, and tells the minimum only to the RPs setMinPINLength named', async () => {
    const { ctap, cp } = await rig({ pin: '123456' });
    const info = await ctap.getInfo();
    expect(info.extensions).toContain('minPinLength');
    expect(info.raw.get(0x10)).toBe(8);
    const acfg = await cp.getPinToken('123456', PinPermission.acfg);
    await authenticatorConfig(ctap, ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ newMinPINLength: 6, minPinLengthRPIDs: ['listed.example'] }), acfg);
    const made = async (rp: string, input: boolean) => {
      const token = await cp.getPinToken('123456', PinPermission.mc, rp);
      const att = await ctap.makeCredential(mc(rp, {
        extensions: input ? { minPinLength: true } : undefined, pinUvAuthParam: pinUvAuthParam(token, cdh), pinUvAuthProtocol: token.protocol.version,
      }));
      return parseAuthData(att.authData).extensions;
    };
    expect((await made('listed.example', true))?.get('minPinLength')).toBe(6);
    expect((await made('listed.example', false))?.has('minPinLength') ?? false).toBe(false);
    expect((await made('other.example', true))?.has('minPinLength') ?? false).toBe(false);
  });

  it('refuses a minPinLength input that is not a boolean', async () => {
    const { ctap } = await rig();
    expect(await status(ctap.makeCredential(mc('example.com', { extensions: { minPinLength: 1 } })))).toBe(Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  });
});

describe('hmac-secret-mc', () => {
  it.each([[false], [true]])('gives at makeCredential the outputs getAssertion gives for the same salts (uv %s)', async (uv) => {
    const { ctap, cp } = await rig({ pin: uv ? '123456' : undefined });
    expect((await ctap.getInfo()).extensions).toContain('hmac-secret-mc');
    const salts = [new Uint8Array(32).fill(7), new Uint8Array(32).fill(8)] as const;
    // A token per command: makeCredential takes the permissions away from the token it used.
    const auth = async (p: number) => {
      if (!uv) return {};
      const token = await cp.getPinToken('123456', p, 'example.com');
      return { pinUvAuthParam: pinUvAuthParam(token, cdh), pinUvAuthProtocol: token.protocol.version };
    };
    const atMc = await hmacSecretSession(cp, ...salts);
    const att = await ctap.makeCredential(mc('example.com', { extensions: { 'hmac-secret': true, 'hmac-secret-mc': atMc.input }, ...(await auth(PinPermission.mc)) }));
    const ad = parseAuthData(att.authData);
    expect(ad.uv).toBe(uv);
    expect(ad.extensions?.get('hmac-secret')).toBe(true);
    const fromMc = atMc.outputs(ad.extensions!.get('hmac-secret-mc') as Uint8Array);
    const atGa = await hmacSecretSession(cp, ...salts);
    const got = await ctap.getAssertion({
      rpId: 'example.com', clientDataHash: cdh, allowList: [{ type: 'public-key', id: ad.attested!.credentialId }], extensions: { 'hmac-secret': atGa.input },
      ...(await auth(PinPermission.ga)),
    });
    const fromGa = atGa.outputs(parseAuthData(got.authData).extensions!.get('hmac-secret') as Uint8Array);
    expect(fromMc).toHaveLength(2);
    expect(fromMc).toEqual(fromGa);
  });

  it('answers nothing without hmac-secret: true beside it, and refuses a bad saltAuth by name', async () => {
    const { ctap, cp } = await rig();
    const s = await hmacSecretSession(cp, new Uint8Array(32).fill(1));
    const att = await ctap.makeCredential(mc('example.com', { extensions: { 'hmac-secret-mc': s.input } }));
    expect(parseAuthData(att.authData).extensions?.has('hmac-secret-mc') ?? false).toBe(false);
    const bad = new Map(s.input);
    bad.set(3, new Uint8Array(16));
    expect(await status(ctap.makeCredential(mc('example.com', { extensions: { 'hmac-secret': true, 'hmac-secret-mc': bad } })))).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
    expect(await status(ctap.makeCredential(mc('example.com', { extensions: { 'hmac-secret': true, 'hmac-secret-mc': 'x' } })))).toBe(Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  });
});

describe('thirdPartyPayment', () => {
  it.each([['non-discoverable', false], ['discoverable', true]] as const)('is kept with a %s credential and reported when asked', async (_, rk) => {
    const { ctap } = await rig();
    expect((await ctap.getInfo()).extensions).toContain('thirdPartyPayment');
    const ids: Uint8Array[] = [];
    for (const [n, marked] of [[1, true], [2, false]] as const) {
      const att = await ctap.makeCredential(mc('example.com', {
        user: { id: new Uint8Array([n]) }, extensions: marked ? { thirdPartyPayment: true } : undefined, options: rk ? { rk: true } : undefined,
      }));
      expect(parseAuthData(att.authData).extensions?.has('thirdPartyPayment') ?? false).toBe(false); // no output at makeCredential
      ids.push(parseAuthData(att.authData).attested!.credentialId);
    }
    const ask = async (id: Uint8Array, extensions?: Record<string, boolean>) =>
      parseAuthData((await ctap.getAssertion({ rpId: 'example.com', clientDataHash: cdh, allowList: [{ type: 'public-key', id }], extensions })).authData).extensions;
    expect((await ask(ids[0]!, { thirdPartyPayment: true }))?.get('thirdPartyPayment')).toBe(true);
    expect((await ask(ids[1]!, { thirdPartyPayment: true }))?.get('thirdPartyPayment')).toBe(false);
    expect((await ask(ids[0]!))?.has('thirdPartyPayment') ?? false).toBe(false);
  });

  it('is carried through getNextAssertion', async () => {
    const { ctap } = await rig();
    for (const n of [1, 2]) {
      await ctap.makeCredential(mc('example.com', { user: { id: new Uint8Array([n]) }, extensions: { thirdPartyPayment: true }, options: { rk: true } }));
    }
    const all = await ctap.getAssertions({ rpId: 'example.com', clientDataHash: cdh, extensions: { thirdPartyPayment: true } });
    expect(all.map((a) => parseAuthData(a.authData).extensions?.get('thirdPartyPayment'))).toEqual([true, true]);
  });
});

describe('algorithms in getInfo and makeCredential', () => {
  it('lists exactly the enabled algorithms in preference order; the RP order picks among them', async () => {
    const key = new TestKey({ algorithms: [-35, -7] });
    const [, info] = await key.call(Command.authenticatorGetInfo);
    expect((info!.get(10) as Map<string, unknown>[]).map((m) => m.get('alg'))).toEqual([-35, -7]);
    const [st, made] = await key.call(Command.authenticatorMakeCredential, mcParams({ 4: [{ alg: -8, type: 'public-key' }, { alg: -7, type: 'public-key' }] }));
    expect(st).toBe(0);
    expect(parseAuthData(made!.get(2) as Uint8Array).attested!.publicKey.get(3)).toBe(-7);
    const [none] = await key.call(Command.authenticatorMakeCredential, mcParams({ 4: [{ alg: -8, type: 'public-key' }] }));
    expect(none).toBe(Status.CTAP2_ERR_UNSUPPORTED_ALGORITHM);
  });

  it('refuses RS256 on the portable crypto at construction', () => {
    expect(() => new TestKey({ algorithms: [-7, -257] })).toThrow(/RS256/);
  });
});

describe('sealed credential IDs', () => {
  const key = new Uint8Array(32).fill(9);
  const rpIdHash = hash32(5);

  it('open IDs sealed as version 2 did (32-byte key, version byte not in the AAD)', () => {
    // Version 2's layout, written out by hand: 0x02 | nonce | AES-GCM(flags, credProtect, alg, key; AAD rpIdHash).
    const nonce = new Uint8Array(12).fill(4);
    const plain = new Uint8Array(36);
    plain[0] = 0x02; // hmac-secret
    plain[1] = 2;
    new DataView(plain.buffer).setInt16(2, -7);
    plain.fill(0x11, 4);
    const v2 = new Uint8Array([0x02, ...nonce, ...nobleCrypto.aeadSeal(key, nonce, plain, rpIdHash)]);
    expect(v2.length).toBe(65);
    expect(openCredentialId(nobleCrypto, key, rpIdHash, v2)).toEqual({
      discoverable: false, hmacSecret: true, thirdPartyPayment: false, credProtect: 2, alg: -7, privateKey: new Uint8Array(32).fill(0x11),
    });
    // Its version byte changed to 3 no longer opens: version 3 authenticates it.
    expect(openCredentialId(nobleCrypto, key, rpIdHash, new Uint8Array([0x03, ...v2.subarray(1)]))).toBeUndefined();
  });

  it('seal ES384 keys in version 3, and refuse RS256 keys (discoverable only)', () => {
    const sk = nobleCrypto.generatePrivateKey(-35, new Uint8Array(72).fill(3));
    const id = sealCredentialId(nobleCrypto, key, new Uint8Array(12), rpIdHash, { alg: -35, privateKey: sk, credProtect: 1, hmacSecret: false, thirdPartyPayment: true });
    expect(id.length).toBe(81);
    expect(openCredentialId(nobleCrypto, key, rpIdHash, id)).toMatchObject({ alg: -35, privateKey: sk, thirdPartyPayment: true });
    expect(openCredentialId(nobleCrypto, key, hash32(6), id)).toBeUndefined();
    expect(() => sealCredentialId(nobleCrypto, key, new Uint8Array(12), rpIdHash, { alg: -257, privateKey: new Uint8Array(1200), credProtect: 1, hmacSecret: false })).toThrow(RangeError);
  });
});
