// CTAP 2.2/2.3 on the key: getInfo's new members, the persistent pinUvAuthToken (pcmr) and what it
// opens (read-only credential management, encIdentifier, encCredStoreState), uvCountSinceLastPinEntry,
// enableLongTouchForReset. Through the host classes over CTAPHID loopback, as a platform would.
import { afterEach, describe, expect, it } from 'vitest';
import { ClientPin, PinPermission, pinUvAuthParam, type PinUvAuthToken } from '../../src/client/clientPin.js';
import { authenticatorConfig, ConfigSubCommand, setMinPinLengthParams } from '../../src/client/config.js';
import { CredentialManagement } from '../../src/client/credentialManagement.js';
import { Ctap2Client, type MakeCredentialParams } from '../../src/client/ctap2.js';
import { openInfoMember } from '../../src/client/persistentToken.js';
import { nobleCrypto } from '../../src/ctap/nobleCrypto.js';
import { UV_COUNT, UV_COUNT_RESERVATION } from '../../src/ctap2/counter.js';
import { Status } from '../../src/ctap/status.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { MemoryStore } from '../../src/keystore/memory.js';
import type { PresenceRequest } from '../../src/ctap2/env.js';
import { VirtualAuthenticator, type VirtualAuthenticatorOptions } from '../../src/node/virtual.js';
import { utf8 } from '../../src/util/bytes.js';
import { status } from '../helpers/status.js';

const opened: { close(): void }[] = [];
afterEach(() => {
  while (opened.length) opened.pop()!.close();
});

/** A key on `store` (a power cycle is a new key on the same store) and a host on it. */
async function plug(store: MemoryStore, options: VirtualAuthenticatorOptions = {}) {
  const key = new VirtualAuthenticator({ store, resetWindowMs: null, ...options });
  opened.push(key);
  const hid = await CtapHidHost.open(key.connect());
  opened.push({ close: () => void hid.close() });
  const ctap = new Ctap2Client(hid);
  const pin = new ClientPin(ctap, (await ctap.getInfo()).pinUvAuthProtocols, 2);
  return { key, ctap, pin };
}

const cdh = new Uint8Array(32).fill(7);
function rk(token: PinUvAuthToken, rpId: string, user: number, extensions?: MakeCredentialParams['extensions']): MakeCredentialParams {
  return {
    clientDataHash: cdh, rp: { id: rpId }, user: { id: new Uint8Array([user]), name: `user${user}` },
    pubKeyCredParams: [{ alg: -7, type: 'public-key' }], options: { rk: true }, extensions,
    pinUvAuthParam: pinUvAuthParam(token, cdh), pinUvAuthProtocol: token.protocol.version,
  };
}

describe('getInfo (CTAP 2.3 §6.4)', () => {
  it('says FIDO_2_3 (no FIDO_2_2), and has every 2.2/2.3 member with its type', async () => {
    const { ctap } = await plug(new MemoryStore());
    const info = await ctap.getInfo();
    expect(info.versions).toEqual(['U2F_V2', 'FIDO_2_0', 'FIDO_2_1', 'FIDO_2_3']);
    expect(info.options.perCredMgmtRO).toBe(true);
    expect(info.attestationFormats).toEqual(['packed']);
    expect(info.uvCountSinceLastPinEntry).toBeUndefined(); // no built-in UV
    expect(info.longTouchForReset).toBe(false);
    expect(info.transportsForReset).toEqual(['usb']);
    expect(info.pinComplexityPolicy).toBe(false);
    expect(info.maxPINLength).toBe(63);
    expect(info.authenticatorConfigCommands).toEqual([1, 2, 3, 4]);
    expect(info.encIdentifier).toHaveLength(32);
    expect(info.encCredStoreState).toHaveLength(32);
    expect([...info.raw.keys()].every((k) => typeof k === 'number' && k >= 1 && k <= 0x1f)).toBe(true);
    // A new IV every time: two answers are never alike.
    const again = await ctap.getInfo();
    expect(again.encIdentifier!.subarray(0, 16)).not.toEqual(info.encIdentifier!.subarray(0, 16));
    expect(again.encCredStoreState).not.toEqual(info.encCredStoreState);
  });
});

describe('the persistent pinUvAuthToken (pcmr, CTAP 2.2)', () => {
  it('is granted with pcmr alone, and leaves the ordinary token working', async () => {
    const { pin, ctap } = await plug(new MemoryStore(), { pin: '1234' });
    const cm = await pin.getPinToken('1234', PinPermission.cm);
    expect(await status(pin.getPinToken('1234', PinPermission.pcmr | PinPermission.cm))).toBe(Status.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
    const p1 = await pin.getPinToken('1234', PinPermission.pcmr);
    const p2 = await pin.getPinToken('1234', PinPermission.pcmr);
    expect(p2.token).toEqual(p1.token); // the same until the PIN changes
    expect(p1.token).not.toEqual(cm.token);
    expect(await new CredentialManagement(ctap, cm).metadata()).toEqual({ existing: 0, remaining: 256 });
  });

  it('reads credentials (metadata, RPs, credentials) across a power cycle, and cannot delete or update', async () => {
    const store = new MemoryStore();
    const first = await plug(store, { pin: '1234' });
    await first.ctap.makeCredential(rk(await first.pin.getPinToken('1234', PinPermission.mc, 'a.example'), 'a.example', 1, { thirdPartyPayment: true }));
    await first.ctap.makeCredential(rk(await first.pin.getPinToken('1234', PinPermission.mc, 'b.example'), 'b.example', 2));
    const persistent = await first.pin.getPinToken('1234', PinPermission.pcmr);
    first.key.close();

    const { ctap } = await plug(store); // replugged: no PIN entered since
    const cm = new CredentialManagement(ctap, persistent);
    expect(await cm.metadata()).toEqual({ existing: 2, remaining: 254 });
    expect((await cm.rps()).map((r) => r.id)).toEqual(['a.example', 'b.example']);
    const [a] = await cm.credentials(nobleCrypto.sha256(utf8('a.example')));
    expect(a!.user.name).toBe('user1');
    expect(a!.thirdPartyPayment).toBe(true);
    expect((await cm.credentials(nobleCrypto.sha256(utf8('b.example'))))[0]!.thirdPartyPayment).toBe(false);
    expect(await status(cm.delete(a!.credentialId))).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
    expect(await status(cm.updateUser(a!.credentialId, { id: new Uint8Array([1]), name: 'x' }))).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
    expect(store.count()).toBe(2);
    // It is no ticket to a ceremony either.
    expect(await status(ctap.makeCredential(rk(persistent, 'c.example', 3)))).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
  });

  it('ends with a PIN change, a forced PIN change and a reset', async () => {
    const store = new MemoryStore();
    const { ctap, pin } = await plug(store, { pin: '1234' });
    const metadata = (t: PinUvAuthToken) => status(new CredentialManagement(ctap, t).metadata());
    const before = await pin.getPinToken('1234', PinPermission.pcmr);
    await pin.changePin('1234', '5678');
    expect(await metadata(before)).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
    const afterChange = await pin.getPinToken('5678', PinPermission.pcmr);
    expect(await metadata(afterChange)).toBe(0);
    await authenticatorConfig(ctap, ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ forceChangePin: true }), await pin.getPinToken('5678', PinPermission.acfg));
    expect(await metadata(afterChange)).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
    await pin.changePin('5678', '24680');
    const afterForce = await pin.getPinToken('24680', PinPermission.pcmr);
    await ctap.reset();
    await pin.setPin('24680');
    expect(await metadata(afterForce)).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
  });
});

describe('encIdentifier and encCredStoreState', () => {
  it('open under the persistent token: the identifier stays until reset, the state moves only when credentials come or go', async () => {
    const store = new MemoryStore();
    const first = await plug(store, { pin: '1234' });
    const token = (await first.pin.getPinToken('1234', PinPermission.pcmr)).token;
    const read = async (ctap: Ctap2Client) => {
      const info = await ctap.getInfo();
      return { id: openInfoMember(token, 'encIdentifier', info.encIdentifier)!, state: openInfoMember(token, 'encCredStoreState', info.encCredStoreState)! };
    };
    const s0 = await read(first.ctap);
    expect(s0.id).toHaveLength(16);
    expect(await read(first.ctap)).toEqual(s0);
    // Someone without the token learns nothing: another token opens other bytes.
    expect(openInfoMember(new Uint8Array(32), 'encIdentifier', (await first.ctap.getInfo()).encIdentifier)).not.toEqual(s0.id);

    await first.ctap.makeCredential(rk(await first.pin.getPinToken('1234', PinPermission.mc, 'a.example'), 'a.example', 1));
    const s1 = await read(first.ctap);
    expect(s1.id).toEqual(s0.id);
    expect(s1.state).not.toEqual(s0.state);
    // An assertion (its counter) changes nothing; a power cycle neither.
    await first.ctap.getAssertion({ rpId: 'a.example', clientDataHash: cdh });
    expect(await read(first.ctap)).toEqual(s1);
    first.key.close();
    const second = await plug(store);
    expect(await read(second.ctap)).toEqual(s1);

    const cm = new CredentialManagement(second.ctap, await second.pin.getPinToken('1234', PinPermission.cm));
    const [cred] = await cm.credentials(nobleCrypto.sha256(utf8('a.example')));
    await cm.delete(cred!.credentialId);
    const s2 = await read(second.ctap);
    expect(s2.state).not.toEqual(s1.state);
    expect(s2.state).not.toEqual(s0.state); // it moves on, it does not go back

    await second.ctap.reset();
    await second.pin.setPin('1234');
    const fresh = (await second.pin.getPinToken('1234', PinPermission.pcmr)).token;
    const id = openInfoMember(fresh, 'encIdentifier', (await second.ctap.getInfo()).encIdentifier);
    expect(id).not.toEqual(s0.id); // a reset makes a new identifier
  });
});

describe('uvCountSinceLastPinEntry (built-in UV)', () => {
  it('counts verifications, failed ones too, until the PIN is entered', async () => {
    let result: 'match' | 'nomatch' = 'match';
    const { ctap, pin } = await plug(new MemoryStore(), { pin: '1234', userVerification: () => result });
    expect((await ctap.getInfo()).uvCountSinceLastPinEntry).toBe(0);
    await pin.getUvToken(PinPermission.mc, 'a.example');
    result = 'nomatch';
    expect(await status(pin.getUvToken(PinPermission.mc, 'a.example'))).toBe(Status.CTAP2_ERR_UV_INVALID);
    expect((await ctap.getInfo()).uvCountSinceLastPinEntry).toBe(2);
    await pin.getPinToken('1234', PinPermission.mc);
    expect((await ctap.getInfo()).uvCountSinceLastPinEntry).toBe(0);
  });

  it('is stored once per UV_COUNT_RESERVATION verifications: after a crash it reads no lower than it said, after a clean stop exactly', async () => {
    const store = new MemoryStore();
    const writes: number[] = [];
    const setMeta = store.setMeta.bind(store);
    store.setMeta = (k, v) => {
      if (k === UV_COUNT) writes.push(new DataView(v.buffer, v.byteOffset).getUint32(0));
      setMeta(k, v);
    };
    const first = await plug(store, { pin: '1234', userVerification: 'match' });
    const uvs = UV_COUNT_RESERVATION + 3;
    for (let i = 0; i < uvs; i++) await first.pin.getUvToken(PinPermission.mc, 'a.example');
    expect((await first.ctap.getInfo()).uvCountSinceLastPinEntry).toBe(uvs);
    expect(writes).toEqual([UV_COUNT_RESERVATION, 2 * UV_COUNT_RESERVATION]); // reservations, not one write per UV
    // A crash: a new key on the store, the old one never stopped.
    const crashed = await plug(store, { pin: '1234', userVerification: 'match' });
    const after = (await crashed.ctap.getInfo()).uvCountSinceLastPinEntry!;
    expect(after).toBeGreaterThanOrEqual(uvs);
    expect(after).toBeLessThan(uvs + UV_COUNT_RESERVATION);
    // A PIN entry stores 0 exactly, at once.
    await crashed.pin.getPinToken('1234', PinPermission.mc);
    expect(writes.at(-1)).toBe(0);
    await crashed.pin.getUvToken(PinPermission.mc, 'a.example');
    // A clean stop stores the exact count in place of its reservation.
    crashed.key.close();
    expect(writes.at(-1)).toBe(1);
    const again = await plug(store, { pin: '1234', userVerification: 'match' });
    expect((await again.ctap.getInfo()).uvCountSinceLastPinEntry).toBe(1);
  });
});

describe('enableLongTouchForReset (CTAP 2.3)', () => {
  it('turns longTouchForReset on, and reset then asks for a long touch', async () => {
    const asked: PresenceRequest[] = [];
    const { ctap } = await plug(new MemoryStore(), { presence: (r) => (asked.push(r), true) });
    await ctap.reset();
    expect(asked.at(-1)).toEqual({ command: 'reset' });
    await authenticatorConfig(ctap, ConfigSubCommand.enableLongTouchForReset);
    expect((await ctap.getInfo()).longTouchForReset).toBe(true);
    await ctap.reset();
    expect(asked.at(-1)).toEqual({ command: 'reset', longTouch: true });
    expect((await ctap.getInfo()).longTouchForReset).toBe(false); // reset brings the default back
  });
});
