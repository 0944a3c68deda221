// authenticatorClientPIN and authenticatorConfig through CTAPHID over loopback, with both PIN/UV
// auth protocols: every subcommand, and the failure paths.
import { afterEach, describe, expect, it } from 'vitest';
import { ClientPin, PinPermission, pinUvAuthParam, type PinUvAuthToken } from '../../src/client/clientPin.js';
import { authenticatorConfig, ConfigSubCommand, setMinPinLengthParams } from '../../src/client/config.js';
import { Ctap2Client, type MakeCredentialParams } from '../../src/client/ctap2.js';
import { parseAuthData } from '../../src/client/authData.js';
import { Command } from '../../src/ctap/constants.js';
import { Status } from '../../src/ctap/status.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { VirtualAuthenticator, type VirtualAuthenticatorOptions } from '../../src/node/virtual.js';
import { status } from '../helpers/status.js';
import { MemoryStore } from '../../src/keystore/memory.js';
import { decodeCbor } from '../../src/ctap/cbor.js';

const opened: { close(): void }[] = [];
afterEach(() => {
  while (opened.length) opened.pop()!.close();
});

interface Rig {
  key: VirtualAuthenticator;
  ctap: Ctap2Client;
  pin: ClientPin;
  clock: { now: number };
}

async function rig(version: 1 | 2, options: VirtualAuthenticatorOptions = {}): Promise<Rig> {
  const clock = { now: 1_700_000_000_000 };
  const key = new VirtualAuthenticator({ now: () => clock.now, ...options });
  opened.push(key);
  const hid = await CtapHidHost.open(key.connect());
  opened.push({ close: () => void hid.close() });
  const ctap = new Ctap2Client(hid);
  return { key, ctap, pin: new ClientPin(ctap, (await ctap.getInfo()).pinUvAuthProtocols, version), clock };
}


const cdh = new Uint8Array(32).fill(7);
function mc(token?: PinUvAuthToken, rpId = 'example.com', rk = false): MakeCredentialParams {
  return {
    clientDataHash: cdh,
    rp: { id: rpId },
    user: { id: new Uint8Array([1]), name: 'alice' },
    pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
    options: rk ? { rk: true } : undefined,
    pinUvAuthParam: token && pinUvAuthParam(token, cdh),
    pinUvAuthProtocol: token?.protocol.version,
  };
}

describe.each([1, 2] as const)('PIN/UV auth protocol %i', (version) => {
  it('sets a PIN; getInfo and getPINRetries show it', async () => {
    const { ctap, pin } = await rig(version);
    expect((await ctap.getInfo()).options.clientPin).toBe(false);
    await pin.setPin('1234');
    expect((await ctap.getInfo()).options.clientPin).toBe(true);
    expect(await pin.getPinRetries()).toEqual({ retries: 8, powerCycleState: false });
    expect(await status(pin.setPin('5678'))).toBe(Status.CTAP2_ERR_NOT_ALLOWED);
  });

  it('refuses a PIN shorter than the minimum in code points, and accepts 4 code points of 2 bytes each', async () => {
    const { pin } = await rig(version);
    expect(await status(pin.setPin('123'))).toBe(Status.CTAP2_ERR_PIN_POLICY_VIOLATION);
    expect(await status(pin.setPin('éééé'))).toBe(0);
  });

  it('issues tokens that verify the user in makeCredential, from getPinToken and with permissions', async () => {
    const { ctap, pin } = await rig(version, { pin: '1234' });
    // Each new token replaces the last, so each is used before the next is asked for.
    for (const getToken of [() => pin.getPinToken('1234'), () => pin.getPinToken('1234', PinPermission.mc, 'example.com')]) {
      const att = await ctap.makeCredential(mc(await getToken(), 'example.com', true));
      expect(parseAuthData(att.authData).uv).toBe(true);
    }
  });

  it('counts wrong PINs: 3 in a row need a power cycle, a right one restores 8', async () => {
    const { key, pin } = await rig(version, { pin: '1234' });
    expect(await status(pin.getPinToken('0000'))).toBe(Status.CTAP2_ERR_PIN_INVALID);
    expect((await pin.getPinRetries()).retries).toBe(7);
    expect(await status(pin.getPinToken('0000'))).toBe(Status.CTAP2_ERR_PIN_INVALID);
    expect(await status(pin.getPinToken('0000'))).toBe(Status.CTAP2_ERR_PIN_AUTH_BLOCKED);
    expect(await pin.getPinRetries()).toEqual({ retries: 5, powerCycleState: true });
    expect(await status(pin.getPinToken('1234'))).toBe(Status.CTAP2_ERR_PIN_AUTH_BLOCKED);
    key.powerCycle();
    expect(await status(pin.getPinToken('1234'))).toBe(0);
    expect(await pin.getPinRetries()).toEqual({ retries: 8, powerCycleState: false });
  });

  it('stores a spent retry before answering a wrong PIN, and writes nothing for a right one at 8', async () => {
    const store = new MemoryStore();
    const pinWrites: number[] = []; // the retries of each PIN record written
    const setMeta = store.setMeta.bind(store);
    store.setMeta = (k, v) => {
      if (k === 'pin') pinWrites.push((decodeCbor(v) as Map<string, unknown>).get('retries') as number);
      setMeta(k, v);
    };
    const { pin } = await rig(version, { store, pin: '1234' });
    pinWrites.length = 0;
    await pin.getPinToken('1234');
    expect(pinWrites).toEqual([]); // a passkey sign-in costs the keystore no write
    expect(await status(pin.getPinToken('0000'))).toBe(Status.CTAP2_ERR_PIN_INVALID);
    expect(pinWrites).toEqual([7]);
    await pin.getPinToken('1234');
    expect(pinWrites).toEqual([7, 8]);
    expect((await pin.getPinRetries()).retries).toBe(8);
  });

  it('blocks the PIN after 8 wrong ones, across power cycles', async () => {
    const { key, pin } = await rig(version, { pin: '1234' });
    for (let i = 0; i < 8; i++) {
      if (i % 3 === 0) key.powerCycle();
      const s = await status(pin.getPinToken('9999'));
      expect(s).toBe(i === 7 ? Status.CTAP2_ERR_PIN_BLOCKED : i % 3 === 2 ? Status.CTAP2_ERR_PIN_AUTH_BLOCKED : Status.CTAP2_ERR_PIN_INVALID);
    }
    key.powerCycle();
    expect(await status(pin.getPinToken('1234'))).toBe(Status.CTAP2_ERR_PIN_BLOCKED);
    expect((await pin.getPinRetries()).retries).toBe(0);
  });

  it('changes the PIN, refusing a wrong old PIN and invalidating issued tokens', async () => {
    const { ctap, pin } = await rig(version, { pin: '1234' });
    const old = await pin.getPinToken('1234', PinPermission.mc);
    expect(await status(pin.changePin('0000', '5678'))).toBe(Status.CTAP2_ERR_PIN_INVALID);
    await pin.changePin('1234', '5678');
    expect(await status(ctap.makeCredential(mc(old)))).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
    expect(await status(pin.getPinToken('1234'))).toBe(Status.CTAP2_ERR_PIN_INVALID);
    expect(await status(pin.getPinToken('5678'))).toBe(0);
  });

  it('refuses a token without the permission, bound to another RP, expired, or already spent', async () => {
    const { ctap, pin, clock } = await rig(version, { pin: '1234' });
    const gaOnly = await pin.getPinToken('1234', PinPermission.ga);
    expect(await status(ctap.makeCredential(mc(gaOnly)))).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
    const other = await pin.getPinToken('1234', PinPermission.mc, 'other.example');
    expect(await status(ctap.makeCredential(mc(other)))).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
    const stale = await pin.getPinToken('1234', PinPermission.mc);
    clock.now += 31_000;
    expect(await status(ctap.makeCredential(mc(stale)))).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
    const once = await pin.getPinToken('1234', PinPermission.mc);
    expect(await status(ctap.makeCredential(mc(once)))).toBe(0);
    expect(await status(ctap.makeCredential(mc(once)))).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
    const forged = { ...once, token: new Uint8Array(32) };
    expect(await status(ctap.makeCredential(mc(forged)))).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
  });

  it('binds a token without an RP ID to the first RP it is used for', async () => {
    const { ctap, pin } = await rig(version, { pin: '1234' });
    const token = await pin.getPinToken('1234', PinPermission.mc | PinPermission.ga);
    await ctap.makeCredential(mc(token, 'first.example'));
    const ga = { rpId: 'second.example', clientDataHash: cdh, pinUvAuthParam: pinUvAuthParam(token, cdh), pinUvAuthProtocol: version };
    expect(await status(ctap.getAssertion(ga))).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
  });

  it('refuses permissions for features the key lacks, and none at all', async () => {
    const { pin } = await rig(version, { pin: '1234' });
    expect(await status(pin.getPinToken('1234', PinPermission.be))).toBe(Status.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
    expect(await status(pin.getPinToken('1234', 0))).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
  });

  it('answers PIN_NOT_SET for tokens before a PIN exists', async () => {
    const { pin } = await rig(version);
    expect(await status(pin.getPinToken('1234'))).toBe(Status.CTAP2_ERR_PIN_NOT_SET);
    expect(await status(pin.changePin('1234', '5678'))).toBe(Status.CTAP2_ERR_PIN_NOT_SET);
  });

  it('gets tokens from built-in UV, counting failed matches down to UV_BLOCKED', async () => {
    let finger: 'match' | 'nomatch' = 'match';
    const { ctap, pin } = await rig(version, { userVerification: () => finger });
    expect((await ctap.getInfo()).options.uv).toBe(true);
    const token = await pin.getUvToken(PinPermission.mc, 'example.com');
    expect(parseAuthData((await ctap.makeCredential(mc(token))).authData).uv).toBe(true);
    expect(await pin.getUvRetries()).toBe(5);
    finger = 'nomatch';
    for (let i = 4; i >= 1; i--) {
      expect(await status(pin.getUvToken(PinPermission.mc))).toBe(Status.CTAP2_ERR_UV_INVALID);
      expect(await pin.getUvRetries()).toBe(i);
    }
    expect(await status(pin.getUvToken(PinPermission.mc))).toBe(Status.CTAP2_ERR_UV_BLOCKED);
    finger = 'match';
    expect(await status(pin.getUvToken(PinPermission.mc))).toBe(Status.CTAP2_ERR_UV_BLOCKED);
  });

  it('sends pinUvAuthParam-less requests with the uv option to the built-in method', async () => {
    const { ctap } = await rig(version, { userVerification: 'match' });
    const att = await ctap.makeCredential({ ...mc(), options: { rk: true, uv: true } });
    expect(parseAuthData(att.authData).uv).toBe(true);
    const a = await ctap.getAssertion({ rpId: 'example.com', clientDataHash: cdh, options: { uv: true } });
    expect(parseAuthData(a.authData).uv).toBe(true);
    expect(a.user!.name).toBe('alice'); // identifiable information only after verification
  });
});

describe('user verification rules in makeCredential and getAssertion', () => {
  it('wants verification for a discoverable credential on a protected key, not for others', async () => {
    const { ctap } = await rig(2, { pin: '1234' });
    expect(await status(ctap.makeCredential(mc(undefined, 'example.com', true)))).toBe(Status.CTAP2_ERR_PUAT_REQUIRED);
    expect(await status(ctap.makeCredential(mc()))).toBe(0); // makeCredUvNotRqd
  });

  it('answers the zero-length probe with PIN_INVALID once a PIN is set', async () => {
    const { ctap } = await rig(2, { pin: '1234' });
    expect(await status(ctap.makeCredential({ ...mc(), pinUvAuthParam: new Uint8Array(0), pinUvAuthProtocol: 1 }))).toBe(Status.CTAP2_ERR_PIN_INVALID);
  });

  it('refuses uv=true on a key without built-in verification', async () => {
    const { ctap } = await rig(2, { pin: '1234' });
    expect(await status(ctap.makeCredential({ ...mc(), options: { uv: true } }))).toBe(Status.CTAP2_ERR_INVALID_OPTION);
  });

  it('treats a timed-out fingerprint as USER_ACTION_TIMEOUT', async () => {
    const { ctap } = await rig(2, { userVerification: 'timeout', presenceTimeoutMs: 200 });
    expect(await status(ctap.makeCredential({ ...mc(), options: { uv: true } }))).toBe(Status.CTAP2_ERR_USER_ACTION_TIMEOUT);
  });
});

describe('authenticatorConfig', () => {
  it('needs a token with acfg on a protected key', async () => {
    const { ctap, pin } = await rig(2, { pin: '1234' });
    expect(await status(authenticatorConfig(ctap, ConfigSubCommand.toggleAlwaysUv))).toBe(Status.CTAP2_ERR_PUAT_REQUIRED);
    const mcToken = await pin.getPinToken('1234', PinPermission.mc);
    expect(await status(authenticatorConfig(ctap, ConfigSubCommand.toggleAlwaysUv, undefined, mcToken))).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
    const acfg = await pin.getPinToken('1234', PinPermission.acfg);
    await authenticatorConfig(ctap, ConfigSubCommand.toggleAlwaysUv, undefined, acfg);
    const info = await ctap.getInfo();
    expect(info.options.alwaysUv).toBe(true);
    expect(info.options.makeCredUvNotRqd).toBe(false);
    expect(await status(ctap.makeCredential(mc()))).toBe(Status.CTAP2_ERR_PUAT_REQUIRED);
    expect(await status(ctap.getAssertion({ rpId: 'example.com', clientDataHash: cdh }))).toBe(Status.CTAP2_ERR_PUAT_REQUIRED);
  });

  it('raises the minimum PIN length, forcing a change of a shorter PIN', async () => {
    const { ctap, pin } = await rig(2, { pin: '1234' });
    const acfg = await pin.getPinToken('1234', PinPermission.acfg);
    // More RP IDs than maxRPIDsForSetMinPINLength (8 by default) are refused.
    const nine = Array.from({ length: 9 }, (_, i) => `rp${i}.example`);
    expect(await status(authenticatorConfig(ctap, ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ newMinPINLength: 6, minPinLengthRPIDs: nine }), acfg))).toBe(Status.CTAP2_ERR_PIN_POLICY_VIOLATION);
    await authenticatorConfig(ctap, ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ newMinPINLength: 6 }), acfg);
    const info = await ctap.getInfo();
    expect(info.raw.get(0x0d)).toBe(6);
    expect(info.raw.get(0x0c)).toBe(true);
    // §6.5.5.7.2 step 11: forcePINChange answers PIN_INVALID to a token request.
    expect(await status(pin.getPinToken('1234', PinPermission.mc))).toBe(Status.CTAP2_ERR_PIN_INVALID);
    expect(await status(pin.changePin('1234', '12345'))).toBe(Status.CTAP2_ERR_PIN_POLICY_VIOLATION);
    await pin.changePin('1234', '123456');
    expect((await ctap.getInfo()).raw.get(0x0c)).toBe(false);
    const acfg2 = await pin.getPinToken('123456', PinPermission.acfg);
    expect(await status(authenticatorConfig(ctap, ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ newMinPINLength: 4 }), acfg2))).toBe(Status.CTAP2_ERR_PIN_POLICY_VIOLATION);
  });

  it('forces a PIN change on request, and refuses forceChangePin without a PIN', async () => {
    const plain = await rig(2);
    expect(await status(authenticatorConfig(plain.ctap, ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ forceChangePin: true })))).toBe(Status.CTAP2_ERR_PIN_NOT_SET);
    const { ctap, pin } = await rig(2, { pin: '1234' });
    const acfg = await pin.getPinToken('1234', PinPermission.acfg);
    await authenticatorConfig(ctap, ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ forceChangePin: true }), acfg);
    expect(await status(pin.changePin('1234', '1234'))).toBe(Status.CTAP2_ERR_PIN_POLICY_VIOLATION);
    await pin.changePin('1234', '4321');
    expect(await status(pin.getPinToken('4321', PinPermission.mc))).toBe(0);
  });

  it('enables enterprise attestation, after which makeCredential can return epAtt', async () => {
    const { ctap, pin } = await rig(2, { pin: '1234' });
    expect((await ctap.getInfo()).options.ep).toBe(false);
    const send = (t: PinUvAuthToken) =>
      ctap.send(Command.authenticatorMakeCredential, new Map<number, never>([
        [1, cdh as never], [2, { id: 'example.com' } as never], [3, { id: new Uint8Array([1]) } as never],
        [4, [{ alg: -7, type: 'public-key' }] as never], [8, pinUvAuthParam(t, cdh) as never], [9, 2 as never], [10, 2 as never],
      ]));
    expect(await status(send(await pin.getPinToken('1234', PinPermission.mc)))).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
    await authenticatorConfig(ctap, ConfigSubCommand.enableEnterpriseAttestation, undefined, await pin.getPinToken('1234', PinPermission.acfg));
    expect((await ctap.getInfo()).options.ep).toBe(true);
    const res = await send(await pin.getPinToken('1234', PinPermission.mc));
    expect(res!.get(4)).toBe(true);
  });

  it('configures an unprotected key without a token, and refuses unknown subcommands', async () => {
    const { ctap } = await rig(2);
    await authenticatorConfig(ctap, ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ newMinPINLength: 8 }));
    expect((await ctap.getInfo()).raw.get(0x0d)).toBe(8);
    expect(await status(authenticatorConfig(ctap, 0x07))).toBe(Status.CTAP2_ERR_INVALID_SUBCOMMAND);
  });
});

describe('reset and PIN', () => {
  it('forgets the PIN and the settings', async () => {
    const { ctap, pin } = await rig(2, { pin: '1234', resetWindowMs: null });
    await authenticatorConfig(ctap, ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ newMinPINLength: 6 }), await pin.getPinToken('1234', PinPermission.acfg));
    await ctap.reset();
    const info = await ctap.getInfo();
    expect(info.options.clientPin).toBe(false);
    expect(info.raw.get(0x0d)).toBe(4);
  });
});
