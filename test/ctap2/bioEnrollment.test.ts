// authenticatorBioEnrollment (CTAP 2.1 §6.7) on the bio profile: fingers enrolled sample by sample,
// listed, renamed and removed, and built-in UV that works only while a finger is enrolled. Through the
// host classes over CTAPHID loopback, as a platform would.
import { afterEach, describe, expect, it } from 'vitest';
import { BioEnrollment } from '../../src/client/bioEnrollment.js';
import { ClientPin, PinPermission } from '../../src/client/clientPin.js';
import { Ctap2Client } from '../../src/client/ctap2.js';
import { Command } from '../../src/ctap/constants.js';
import { EnrollFeedback } from '../../src/ctap/keys.js';
import { Status } from '../../src/ctap/status.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { MemoryStore } from '../../src/keystore/memory.js';
import { VirtualAuthenticator, type VirtualAuthenticatorOptions } from '../../src/node/virtual.js';
import { status } from '../helpers/status.js';

const opened: { close(): void }[] = [];
afterEach(() => {
  while (opened.length) opened.pop()!.close();
});

async function plug(store: MemoryStore, options: VirtualAuthenticatorOptions = {}) {
  const key = new VirtualAuthenticator({ store, resetWindowMs: null, profile: 'bio', pin: '1234', ...options });
  opened.push(key);
  const hid = await CtapHidHost.open(key.connect());
  opened.push({ close: () => void hid.close() });
  const ctap = new Ctap2Client(hid);
  const pin = new ClientPin(ctap, (await ctap.getInfo()).pinUvAuthProtocols, 2);
  const bio = async () => new BioEnrollment(ctap, await pin.getPinToken('1234', PinPermission.be));
  return { key, ctap, pin, bio };
}

describe('authenticatorBioEnrollment', () => {
  it('a key out of its box: bioEnroll and uv false, no UV token; a finger enrolled in 4 samples makes both true', async () => {
    const { ctap, pin, bio } = await plug(new MemoryStore(), { fingerprints: [] });
    let info = await ctap.getInfo();
    expect(info.options.bioEnroll).toBe(false);
    expect(info.options.uv).toBe(false);
    expect(await status(pin.getUvToken(PinPermission.mc, 'example.com'))).toBe(Status.CTAP2_ERR_NOT_ALLOWED);
    const b = await bio();
    expect(await b.sensorInfo()).toEqual({ fingerprintKind: 1, maxCaptureSamplesRequiredForEnroll: 4, maxTemplateFriendlyName: 64 });
    expect(await b.list()).toEqual([]);
    const samples: number[] = [];
    const id = await b.enroll({ name: 'left thumb', onSample: (s) => samples.push(s.remaining) });
    expect(samples).toEqual([3, 2, 1, 0]);
    expect(await b.list()).toEqual([{ templateId: id, name: 'left thumb' }]);
    info = await ctap.getInfo();
    expect(info.options.bioEnroll).toBe(true);
    expect(info.options.uv).toBe(true);
    await pin.getUvToken(PinPermission.mc, 'example.com');
  });

  it('the bio profile comes with "finger 1"; removing the last finger ends built-in UV', async () => {
    const { ctap, pin, bio } = await plug(new MemoryStore());
    const b = await bio();
    const [finger] = await b.list();
    expect(finger!.name).toBe('finger 1');
    await b.rename(finger!.templateId, 'right index');
    expect((await b.list())[0]!.name).toBe('right index');
    await b.remove(finger!.templateId);
    expect(await b.list()).toEqual([]);
    expect((await ctap.getInfo()).options.uv).toBe(false);
    expect(await status(pin.getUvToken(PinPermission.ga, 'example.com'))).toBe(Status.CTAP2_ERR_NOT_ALLOWED);
    expect(await status(b.remove(finger!.templateId))).toBe(Status.CTAP2_ERR_INVALID_OPTION);
  });

  it('a finger that does not match is a poor sample, not counted', async () => {
    const { key, bio } = await plug(new MemoryStore(), { fingerprints: [] });
    const b = await bio();
    key.setUserVerified(false);
    const first = await b.begin();
    expect(first).toMatchObject({ status: EnrollFeedback.fpPoorQuality, remaining: 4 });
    key.setUserVerified(true);
    expect(await b.next(first.templateId)).toEqual({ status: EnrollFeedback.fpGood, remaining: 3 });
    // Another template ID than the one in progress.
    expect(await status(b.next(new Uint8Array([first.templateId[0]! ^ 1, first.templateId[1]!])))).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
    await b.cancel();
    expect(await status(b.next(first.templateId))).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
  });

  it('no finger in time is USER_ACTION_TIMEOUT, within the host\'s timeoutMilliseconds', async () => {
    const { bio } = await plug(new MemoryStore(), { fingerprints: [], userVerification: 'timeout' });
    const b = await bio();
    expect(await status(b.begin(50))).toBe(Status.CTAP2_ERR_USER_ACTION_TIMEOUT);
  });

  it('five fingers fill the sensor: FP_DATABASE_FULL', async () => {
    const { bio } = await plug(new MemoryStore(), { fingerprints: ['a', 'b', 'c', 'd', 'e'] });
    const b = await bio();
    expect(await b.list()).toHaveLength(5);
    expect(await status(b.begin())).toBe(Status.CTAP2_ERR_FP_DATABASE_FULL);
  });

  it('needs a token with be: none, another permission, or a bad MAC is refused', async () => {
    const { ctap, pin } = await plug(new MemoryStore());
    expect(await status(new BioEnrollment(ctap, await pin.getPinToken('1234', PinPermission.cm)).list())).toBe(Status.CTAP2_ERR_PIN_AUTH_INVALID);
    // be only through the PIN: the sensor does not say uvBioEnroll.
    expect(await status(pin.getUvToken(PinPermission.be))).toBe(Status.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
    const raw = new Map<number, number>([[1, 1], [2, 4]]);
    expect(await status(ctap.send(Command.authenticatorBioEnrollment, raw))).toBe(Status.CTAP2_ERR_PUAT_REQUIRED);
    expect(await status(ctap.send(Command.authenticatorBioEnrollment, new Map([[1, 2], [2, 4]])))).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
    expect(await status(ctap.send(Command.authenticatorBioEnrollment, new Map([[1, 1], [2, 9]])))).toBe(Status.CTAP2_ERR_INVALID_SUBCOMMAND);
    expect(await ctap.send(Command.authenticatorBioEnrollment, new Map([[6, true]]))).toEqual(new Map([[1, 1]]));
  });

  it('reset forgets the fingers, also after a power cycle (not enrolled again as on a new key)', async () => {
    const store = new MemoryStore();
    const { key, ctap } = await plug(store);
    await key.reset();
    expect((await ctap.getInfo()).options.bioEnroll).toBe(false);
    const again = await plug(store, { pin: undefined });
    expect((await again.ctap.getInfo()).options).toMatchObject({ bioEnroll: false, uv: false });
  });

  it('a key without a sensor that enrolls does not know the command, and its getInfo says no bioEnroll', async () => {
    const { ctap } = await plug(new MemoryStore(), { profile: 'default', userVerification: 'match' });
    const info = await ctap.getInfo();
    expect(info.options.bioEnroll).toBeUndefined();
    expect(info.options.uv).toBe(true);
    expect(await status(ctap.send(Command.authenticatorBioEnrollment, new Map([[6, true]])))).toBe(Status.CTAP1_ERR_INVALID_COMMAND);
  });
});
