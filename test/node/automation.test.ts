// The WebAuthn Automation operations on VirtualAuthenticator: credentials imported in the
// WebAuthn.Credential JSON shape and used in ceremonies @simplewebauthn/server verifies, listed and
// exported (keys only when asked), removed, re-counted, renamed; the scripted user's presence and
// UV changed at run time; power cycle and reset.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { VirtualAuthenticator, type VirtualAuthenticatorOptions } from '../../src/node/virtual.js';
import { Ctap2Client, WebAuthnClient } from '../../src/node/clients.js';
import { ClientPin } from '../../src/client/clientPin.js';
import { CredentialManagement } from '../../src/client/credentialManagement.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { Permission } from '../../src/ctap/permissions.js';
import { Status } from '../../src/ctap/status.js';
import { closeLater } from '../helpers/cleanup.js';
import { origin, outsideCredential, pkcs8Key, rpID, signIn, type KeyType } from '../helpers/importedKeys.js';
import { toBase64url, utf8 } from '../../src/util/bytes.js';
import { fromPkcs8 } from '../../src/node/automation/pkcs8.js';

function key(options: VirtualAuthenticatorOptions = {}): VirtualAuthenticator {
  const k = new VirtualAuthenticator({ store: 'memory', ...options });
  closeLater(() => k.close());
  return k;
}

function client(k: VirtualAuthenticator, pin?: string): WebAuthnClient {
  const c = new WebAuthnClient(k, { origin, pin });
  closeLater(() => c.close());
  return c;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-automation-'));
  closeLater(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('addCredential, then a ceremony the RP verifies', () => {
  const types: [KeyType, VirtualAuthenticatorOptions][] = [['P-256', {}], ['Ed25519', {}], ['P-384', {}], ['RSA', { rs256: true }]];
  for (const [type, options] of types) {
    it(`signs with an imported ${type} key, discoverable and not`, async () => {
      const k = key(options);
      const c = client(k);
      const resident = outsideCredential(type, { signCount: 41 });
      const nonResident = outsideCredential(type, { isResidentCredential: false, userHandle: undefined, signCount: 7 });
      k.addCredential(resident.json);
      k.addCredential(nonResident.json);
      expect(await signIn(c, resident, 41)).toMatchObject({ verified: true, newCounter: 42, userHandle: resident.json.userHandle });
      expect(await signIn(c, nonResident, 7)).toMatchObject({ verified: true, newCounter: 8, userHandle: undefined });
      // Without an allowList only the discoverable one answers.
      expect(await signIn(c, resident, 42, true)).toMatchObject({ verified: true, newCounter: 43 });
    });
  }

  it('refuses an algorithm the key does not sign with, and a credential ID it has', () => {
    const k = key();
    expect(() => k.addCredential(outsideCredential('RSA').json)).toThrow(/does not sign with RS256/);
    const c = outsideCredential('P-256');
    k.addCredential(c.json);
    expect(() => k.addCredential(c.json)).toThrow(expect.objectContaining({ kind: 'conflict' }));
    expect(k.getCredentials()).toHaveLength(1);
  });

  it('refuses what is not a credential, saying which member is wrong', () => {
    const k = key();
    const good = outsideCredential('P-256').json;
    const bad: [unknown, RegExp][] = [
      [[], /JSON object/],
      [{ ...good, credentialId: '' }, /credentialId/],
      [{ ...good, credentialId: 'not base64!' }, /credentialId/],
      [{ ...good, isResidentCredential: 'yes' }, /isResidentCredential/],
      [{ ...good, rpId: 3 }, /rpId/],
      [{ ...good, privateKey: undefined }, /privateKey/],
      [{ ...good, privateKey: toBase64url(new Uint8Array([1, 2, 3])) }, /PKCS#8/],
      [{ ...good, userHandle: undefined }, /userHandle/],
      [{ ...good, signCount: -1 }, /signCount/],
      [{ ...good, signCount: 2 ** 32 }, /signCount/],
      [{ ...good, largeBlob: 'not base64!' }, /largeBlob must be a base64url string/],
      [{ ...good, isResidentCredential: false, largeBlob: 'AAAA' }, /largeBlob needs a resident/],
    ];
    for (const [json, message] of bad) {
      expect(() => k.addCredential(json as never), JSON.stringify(json)).toThrow(message);
    }
    expect(k.getCredentials()).toEqual([]);
  });
});

describe('getCredentials', () => {
  it('gives the private key only when asked, as the PKCS#8 that was imported', () => {
    const k = key();
    const c = outsideCredential('P-256', { userDisplayName: 'Alice' });
    k.addCredential(c.json);
    const [listed] = k.getCredentials();
    expect(listed).not.toHaveProperty('privateKey');
    const { privateKey: _, ...withoutKey } = c.json;
    expect(listed).toEqual(withoutKey);
    expect(k.getCredentials({ includePrivateKeys: true })[0]!.privateKey).toBe(c.json.privateKey);
    expect(k.getCredential(c.json.credentialId, { includePrivateKeys: true })).toEqual(c.json);
  });

  it('lists a passkey the key made, and its exported key signs elsewhere', async () => {
    const k = key();
    const reg = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'bob', authenticatorSelection: { residentKey: 'required' } });
    const r = await verifyRegistrationResponse({
      response: await client(k).create(reg), expectedChallenge: reg.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false,
    });
    const [exported] = k.getCredentials({ includePrivateKeys: true });
    expect(exported).toMatchObject({ credentialId: r.registrationInfo!.credential.id, isResidentCredential: true, rpId: rpID, userName: 'bob', signCount: 0 });
    // Moved to a second key, the same credential signs in where it was registered.
    const other = key();
    other.addCredential(exported!);
    const moved = { json: exported!, publicKey: r.registrationInfo!.credential.publicKey };
    expect(await signIn(client(other), moved, 0)).toMatchObject({ verified: true, newCounter: 1 });
  });
});

describe('largeBlob', () => {
  it("round trip: a blob an RP wrote is exported, imported into another key, and read there through the client's largeBlob extension", async () => {
    const a = key();
    const ca = client(a);
    const reg = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'bob', authenticatorSelection: { residentKey: 'required' } });
    const response = await ca.create({ ...reg, extensions: { largeBlob: { support: 'required' } } as never });
    const r = await verifyRegistrationResponse({ response, expectedChallenge: reg.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false });
    const made = { json: a.getCredential(r.registrationInfo!.credential.id), publicKey: r.registrationInfo!.credential.publicKey };
    expect(made.json).not.toHaveProperty('largeBlob');
    const blob = new Uint8Array(600).map((_, i) => (i * 7) & 0xff);
    expect((await signIn(ca, made, 0, false, { largeBlob: { write: toBase64url(blob) } })).extensions).toEqual({ largeBlob: { written: true } });

    const exported = a.getCredentials({ includePrivateKeys: true });
    expect(exported).toEqual([expect.objectContaining({ credentialId: made.json.credentialId, largeBlob: toBase64url(blob) })]);
    const b = key();
    expect(b.addCredential(exported[0]!)).toMatchObject({ largeBlob: toBase64url(blob) });
    const moved = { json: exported[0]!, publicKey: made.publicKey };
    expect(await signIn(client(b), moved, 1, false, { largeBlob: { read: true } })).toMatchObject({
      verified: true, extensions: { largeBlob: { blob: toBase64url(blob) } },
    });
    // Listed back with it, and the one-credential reads too.
    expect(b.getCredential(moved.json.credentialId).largeBlob).toBe(toBase64url(blob));
  });

  it('imports an outside credential with a blob (DevTools sends base64) beside the blobs already there', async () => {
    const k = key();
    const first = outsideCredential('P-256', { largeBlob: toBase64url(utf8('first')) });
    const second = outsideCredential('Ed25519', { largeBlob: Buffer.from('second blob').toString('base64') });
    k.addCredential(first.json);
    k.addCredential(second.json);
    const c = client(k);
    expect((await signIn(c, first, 0, false, { largeBlob: { read: true } })).extensions).toEqual({ largeBlob: { blob: toBase64url(utf8('first')) } });
    expect((await signIn(c, second, 0, false, { largeBlob: { read: true } })).extensions).toEqual({ largeBlob: { blob: toBase64url(utf8('second blob')) } });
  });

  it("refuses a blob that does not fit the key's array, or a key without one, and stores nothing", () => {
    const k = key();
    const random = new Uint8Array(5000).map(() => Math.floor(Math.random() * 256)); // does not compress
    const big = outsideCredential('P-256', { largeBlob: toBase64url(random) });
    expect(() => k.addCredential(big.json)).toThrow(expect.objectContaining({ kind: 'conflict', message: expect.stringMatching(/no room for this largeBlob/) }));
    expect(k.getCredentials()).toEqual([]);
    const noBlobs = key({ profile: 'fido20' });
    expect(() => noBlobs.addCredential(outsideCredential('P-256', { largeBlob: 'AAAA' }).json)).toThrow(/no large-blob storage/);
  });
});

describe('removing, counters and names', () => {
  it('removeCredential and removeAllCredentials: the key no longer finds them; the PIN stays', async () => {
    const k = key({ pin: '1234' });
    const a = outsideCredential('P-256');
    const b = outsideCredential('Ed25519', { isResidentCredential: false });
    const c = outsideCredential('P-256');
    for (const x of [a, b, c]) k.addCredential(x.json);
    k.removeCredential(a.json.credentialId);
    expect(() => k.getCredential(a.json.credentialId)).toThrow(expect.objectContaining({ kind: 'notFound' }));
    expect(() => k.removeCredential(a.json.credentialId)).toThrow(expect.objectContaining({ kind: 'notFound' }));
    await expect(signIn(client(k, '1234'), a, 0)).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(k.removeAllCredentials()).toBe(2);
    expect(k.getCredentials()).toEqual([]);
    await expect(signIn(client(k, '1234'), b, 0)).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(k.authenticator.hasPin()).toBe(true);
  });

  it('setSignCount moves the counter either way (a rollback the RP then sees)', async () => {
    const k = key();
    const c = client(k);
    const resident = outsideCredential('P-256', { signCount: 10 });
    const nonResident = outsideCredential('P-256', { isResidentCredential: false });
    k.addCredential(resident.json);
    k.addCredential(nonResident.json);
    expect(k.setSignCount(resident.json.credentialId, 100).signCount).toBe(100);
    expect(await signIn(c, resident, 10)).toMatchObject({ newCounter: 101 });
    k.setSignCount(resident.json.credentialId, 5);
    await expect(signIn(c, resident, 101)).rejects.toThrow(/counter/i);
    k.setSignCount(nonResident.json.credentialId, 9);
    expect(await signIn(c, nonResident, 0)).toMatchObject({ newCounter: 10 });
    expect(k.getCredential(nonResident.json.credentialId).signCount).toBe(10);
    expect(() => k.setSignCount(resident.json.credentialId, 1.5)).toThrow(/signCount/);
  });

  it('setUser replaces the names the key returns and lists', () => {
    const k = key();
    const c = outsideCredential('P-256', { userDisplayName: 'Old' });
    k.addCredential(c.json);
    expect(k.setUser(c.json.credentialId, { name: 'carol', displayName: 'Carol' })).toMatchObject({ userName: 'carol', userDisplayName: 'Carol' });
    expect(k.getCredential(c.json.credentialId)).toMatchObject({ userName: 'carol', userDisplayName: 'Carol', userHandle: c.json.userHandle });
    expect(() => k.setUser(c.json.credentialId, { name: 3 as never })).toThrow(/user.name/);
  });
});

describe('setCredentialProperties', () => {
  it('sets BE and BS in the assertions, which the RP reads as device type and backup state', async () => {
    const k = key();
    const c = client(k);
    const x = outsideCredential('P-256', { isResidentCredential: false });
    k.addCredential(x.json);
    const id = x.json.credentialId;
    expect(await signIn(c, x, 0)).toMatchObject({ verified: true, credentialDeviceType: 'singleDevice', credentialBackedUp: false });
    expect(k.setCredentialProperties(id, { backupEligibility: true })).toMatchObject({ backupEligibility: true, backupState: false });
    expect(await signIn(c, x, 1)).toMatchObject({ verified: true, credentialDeviceType: 'multiDevice', credentialBackedUp: false });
    k.setCredentialProperties(id, { backupState: true });
    expect(await signIn(c, x, 2)).toMatchObject({ verified: true, credentialDeviceType: 'multiDevice', credentialBackedUp: true });
    // BS without BE is no state a credential can be in: refused, nothing changed.
    expect(() => k.setCredentialProperties(id, { backupEligibility: false })).toThrow(/backupState true needs backupEligibility/);
    expect(() => k.setCredentialProperties(id, { backupState: 'yes' as never })).toThrow(/backupState must be true or false/);
    expect(() => k.setCredentialProperties(id, { backed: true } as never)).toThrow(/unknown credential property/);
    expect(() => k.setCredentialProperties('AAAA', {})).toThrow(expect.objectContaining({ kind: 'notFound' }));
    expect(k.getCredential(id)).toMatchObject({ backupEligibility: true, backupState: true, signCount: 3 });
    k.setCredentialProperties(id, { backupEligibility: false, backupState: false });
    expect(await signIn(c, x, 3)).toMatchObject({ credentialDeviceType: 'singleDevice', credentialBackedUp: false });
  });

  it('defaultBackupEligibility/defaultBackupState: what the key makes is backed up from registration, discoverable or not', async () => {
    const k = key({ defaultBackupEligibility: true, defaultBackupState: true });
    for (const residentKey of ['required', 'discouraged'] as const) {
      const reg = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: `u-${residentKey}`, authenticatorSelection: { residentKey } });
      const r = await verifyRegistrationResponse({
        response: await client(k).create(reg), expectedChallenge: reg.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false,
      });
      expect(r.registrationInfo).toMatchObject({ credentialDeviceType: 'multiDevice', credentialBackedUp: true });
      const a = await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: r.registrationInfo!.credential.id }] });
      const v = await verifyAuthenticationResponse({
        response: await client(k).get(a), expectedChallenge: a.challenge, expectedOrigin: origin, expectedRPID: rpID,
        credential: r.registrationInfo!.credential, requireUserVerification: false,
      });
      expect(v.authenticationInfo).toMatchObject({ credentialDeviceType: 'multiDevice', credentialBackedUp: true });
    }
    expect(() => key({ defaultBackupState: true })).toThrow(/defaultBackupState needs defaultBackupEligibility/);
  });

  it("a passkey the key made: single-device at registration, then backed up; the export carries the flags to another key", async () => {
    const k = key();
    const reg = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'bob', authenticatorSelection: { residentKey: 'required' } });
    const r = await verifyRegistrationResponse({
      response: await client(k).create(reg), expectedChallenge: reg.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false,
    });
    expect(r.registrationInfo).toMatchObject({ credentialDeviceType: 'singleDevice', credentialBackedUp: false });
    const id = r.registrationInfo!.credential.id;
    k.setCredentialProperties(id, { backupEligibility: true, backupState: true });
    const exported = k.getCredential(id, { includePrivateKeys: true });
    const moved = { json: exported, publicKey: r.registrationInfo!.credential.publicKey };
    // A discoverable sign-in (no allowList) takes the stored credential's flags too.
    expect(await signIn(client(k), moved, 0, true)).toMatchObject({ verified: true, credentialDeviceType: 'multiDevice', credentialBackedUp: true });
    const other = key();
    expect(other.addCredential(exported)).toMatchObject({ backupEligibility: true, backupState: true });
    expect(await signIn(client(other), moved, 0)).toMatchObject({ verified: true, credentialDeviceType: 'multiDevice', credentialBackedUp: true });
    expect(() => other.addCredential({ ...outsideCredential('P-256').json, backupState: true })).toThrow(/backupState true needs backupEligibility/);
  });

  it('the flags stay with a credential in a keystore file', async () => {
    const path = join(tempDir(), 'k.sqlite');
    const x = outsideCredential('P-256');
    const first = new VirtualAuthenticator({ store: path, passphrase: 'pass phrase' });
    first.addCredential(x.json);
    first.setCredentialProperties(x.json.credentialId, { backupEligibility: true, backupState: true });
    first.close();
    const again = key({ store: path, passphrase: 'pass phrase' });
    expect(await signIn(client(again), x, 0)).toMatchObject({ verified: true, credentialDeviceType: 'multiDevice', credentialBackedUp: true });
  });
});

describe('the scripted user at run time', () => {
  it('setPresence: deny, then approve again', async () => {
    const k = key();
    const c = outsideCredential('P-256');
    k.addCredential(c.json);
    k.setPresence('deny');
    expect(k.info().presence).toBe('deny');
    await expect(signIn(client(k), c, 0)).rejects.toMatchObject({ name: 'NotAllowedError' });
    k.setPresence({ approveAfterMs: 10 });
    expect(k.info().presence).toBe('delay:10');
    expect(await signIn(client(k), c, 0)).toMatchObject({ verified: true });
  });

  it('setUserVerified switches what the built-in UV answers; a key without it refuses', async () => {
    const k = key({ userVerification: 'match' });
    const c = client(k);
    const reg = async () => c.create(await generateRegistrationOptions({
      rpName: 'Example', rpID, userName: 'alice', authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    }));
    await expect(reg()).resolves.toBeDefined();
    k.setUserVerified(false);
    expect(k.info().userVerified).toBe(false);
    await expect(reg()).rejects.toMatchObject({ name: 'NotAllowedError', ctapStatus: Status.CTAP2_ERR_UV_INVALID });
    k.setUserVerified(true);
    await expect(reg()).resolves.toBeDefined();
    expect(() => key().setUserVerified(true)).toThrow(/no built-in user verification/);
  });
});

describe('powerCycle and reset', () => {
  async function ctap(k: VirtualAuthenticator): Promise<Ctap2Client> {
    const hid = await CtapHidHost.open(k.connect());
    closeLater(() => hid.close());
    return new Ctap2Client(hid);
  }

  it('powerCycle: a pinUvAuthToken stops working; credentials stay', async () => {
    const k = key({ pin: '1234' });
    k.addCredential(outsideCredential('P-256').json);
    const before = await ctap(k);
    const token = await new ClientPin(before, [2]).getPinToken('1234', Permission.cm);
    expect(await new CredentialManagement(before, token).metadata()).toMatchObject({ existing: 1 });
    k.powerCycle();
    await expect(new CredentialManagement(await ctap(k), token).metadata()).rejects.toMatchObject({ status: Status.CTAP2_ERR_PIN_AUTH_INVALID });
    expect(k.getCredentials()).toHaveLength(1);
  });

  it('reset wipes credentials (imported ones too) and the PIN, with no touch', async () => {
    const k = key({ pin: '1234', presence: 'deny', resetWindowMs: 0 });
    const c = outsideCredential('P-256', { isResidentCredential: false });
    k.addCredential(c.json);
    k.addCredential(outsideCredential('P-256').json);
    k.reset();
    expect(k.getCredentials()).toEqual([]);
    expect(k.authenticator.hasPin()).toBe(false);
    k.setPresence('approve');
    await expect(signIn(client(k), c, 0)).rejects.toMatchObject({ name: 'NotAllowedError' });
  });
});

describe('a keystore file', () => {
  it('keeps imported non-discoverable credentials, sealed in an encrypted store, across restarts', async () => {
    const path = join(tempDir(), 'k.sqlite');
    const c = outsideCredential('P-384', { isResidentCredential: false, signCount: 3 });
    const first = new VirtualAuthenticator({ store: path, passphrase: 'pass phrase' });
    first.addCredential(c.json);
    first.close();
    const again = key({ store: path, passphrase: 'pass phrase' });
    expect(await signIn(client(again), c, 3)).toMatchObject({ verified: true, newCounter: 4 });
    expect(again.getCredentials({ includePrivateKeys: true })).toEqual([{ ...c.json, signCount: 4 }]);
  });

  it('an imported private key is not in the file in the clear', () => {
    const path = join(tempDir(), 'k.sqlite');
    const pkcs8 = pkcs8Key('P-256');
    const k = new VirtualAuthenticator({ store: path, passphrase: 'pass phrase' });
    const c = outsideCredential('P-256', { isResidentCredential: false, privateKey: toBase64url(pkcs8) });
    k.addCredential(c.json);
    k.close();
    const scalar = Buffer.from(fromPkcs8(pkcs8).privateKey);
    for (const f of [path, `${path}-wal`]) if (existsSync(f)) expect(readFileSync(f).includes(scalar), f).toBe(false);
  });
});
