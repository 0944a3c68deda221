// Device profiles: each one's getInfo through ctap-emu's own Ctap2Client (its facts, and only what
// works), and the behaviour switches the core then honours: rk refused, CTAP 2.1 commands refused on a
// FIDO 2.0 key, no CTAP2 at all on a U2F key, no PIN, a token from the built-in UV; and a ceremony
// @simplewebauthn/server verifies on each key that speaks CTAP2.
import { describe, expect, it } from 'vitest';
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { VirtualAuthenticator, type VirtualAuthenticatorOptions } from '../../src/node/virtual.js';
import { Ctap2Client, WebAuthnClient } from '../../src/node/clients.js';
import { ClientPin, pinUvAuthParam } from '../../src/client/clientPin.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { Capability, HidCmd, HidError } from '../../src/hid/constants.js';
import { Command } from '../../src/ctap/constants.js';
import { Permission } from '../../src/ctap/permissions.js';
import { Status } from '../../src/ctap/status.js';
import { PROFILES, profileNamed } from '../../src/node/profiles/index.js';
import { EXTENSIONS } from '../../src/ctap2/features.js';
import { formatUuid } from '../../src/util/bytes.js';
import { closeLater } from '../helpers/cleanup.js';
import { origin, rpID } from '../helpers/importedKeys.js';

function key(options: VirtualAuthenticatorOptions): VirtualAuthenticator {
  const k = new VirtualAuthenticator({ store: 'memory', ...options });
  closeLater(() => k.close());
  return k;
}

async function ctap(k: VirtualAuthenticator): Promise<{ hid: CtapHidHost; client: Ctap2Client }> {
  const hid = await CtapHidHost.open(k.connect());
  closeLater(() => hid.close());
  return { hid, client: new Ctap2Client(hid) };
}

const status = (p: Promise<unknown>): Promise<number> => p.then(() => Status.CTAP2_OK, (e: { status?: number }) => e.status ?? -1);
const mc = (rk: boolean) => ({
  clientDataHash: new Uint8Array(32).fill(7), rp: { id: rpID }, user: { id: new Uint8Array([1]), name: 'alice' },
  pubKeyCredParams: [{ alg: -7, type: 'public-key' }], options: { rk },
});

describe('each profile\'s getInfo (ctap-emu\'s Ctap2Client)', () => {
  for (const profile of PROFILES.filter((p) => p.ctap2)) {
    it(`${profile.name}: the profile's facts, and options only for what works`, async () => {
      const k = key({ profile: profile.name });
      const info = await (await ctap(k)).client.getInfo();
      const c = k.authenticator.config;
      expect(k.info().profile).toBe(profile.name);
      expect(info.versions).toEqual(['U2F_V2', ...c.ctapVersions]);
      expect(info.extensions).toEqual([...(c.extensions ?? EXTENSIONS)]);
      expect(formatUuid(info.aaguid)).toBe(k.info().aaguid);
      if (profile.name !== 'default') expect(formatUuid(info.aaguid)).not.toBe(key({}).info().aaguid);
      expect(info.maxMsgSize).toBe(c.maxMsgSize);
      expect(info.options.rk).toBe(c.residentKeys);
      expect('clientPin' in info.options).toBe(c.clientPin);
      expect(info.options.uv === true).toBe(c.builtInUv);
      const has = (cmd: number): boolean => c.commands === undefined || c.commands.includes(cmd);
      expect(info.options.credMgmt === true).toBe(has(Command.authenticatorCredentialManagement));
      expect(info.options.authnrCfg === true).toBe(has(Command.authenticatorConfig));
      expect(info.options.largeBlobs === true).toBe(has(Command.authenticatorLargeBlobs) && c.residentKeys);
      expect(info.options.pinUvAuthToken === true).toBe(c.pinUvAuthToken);
      expect(info.pinUvAuthProtocols).toEqual(has(Command.authenticatorClientPIN) ? c.pinUvAuthProtocols : []);
      if (c.ctapVersions.includes('FIDO_2_1') || c.ctapVersions.includes('FIDO_2_1_PRE')) {
        expect(info.algorithms.map((a) => a.alg)).toEqual(c.algorithms);
        expect(info.firmwareVersion).toBe(c.firmwareVersion);
      } else {
        expect(info.raw.has(0x0a)).toBe(false); // algorithms: a CTAP 2.1 member
      }
      // CTAP 2.2/2.3 members only on a FIDO_2_3 key.
      expect(info.raw.has(0x19)).toBe(c.ctapVersions.includes('FIDO_2_3'));
      // Every command getInfo implies is answered; every other one is unknown.
      for (const cmd of [Command.authenticatorCredentialManagement, Command.authenticatorSelection, Command.authenticatorLargeBlobs, Command.authenticatorConfig]) {
        const s = await status((await ctap(k)).client.send(cmd, new Map([[1, 1]])));
        if (!has(cmd)) expect(s, `command 0x${cmd.toString(16)}`).toBe(Status.CTAP1_ERR_INVALID_COMMAND);
        else expect(s, `command 0x${cmd.toString(16)}`).not.toBe(Status.CTAP1_ERR_INVALID_COMMAND);
      }
    });
  }

  it('refuses an unknown profile, naming those there are', () => {
    expect(() => key({ profile: 'yubikey4' })).toThrow(/unknown profile "yubikey4" \(default, yubikey5, solo, fido20, u2f, no-rk, no-pin, bio\)/);
  });

  it('each profile file says where its facts come from, and uses an AAGUID of its own', () => {
    const aaguids = PROFILES.map((p) => formatUuid(p.config.aaguid ?? new Uint8Array(16)));
    expect(new Set(aaguids).size).toBe(PROFILES.length);
    for (const p of PROFILES) expect(p.source.length).toBeGreaterThan(10);
  });
});

describe('behaviour switches', () => {
  it('no-rk: rk is CTAP2_ERR_UNSUPPORTED_OPTION; a non-discoverable credential is made and used', async () => {
    const { client } = await ctap(key({ profile: 'no-rk' }));
    expect(await status(client.makeCredential(mc(true)))).toBe(Status.CTAP2_ERR_UNSUPPORTED_OPTION);
    expect(await status(client.makeCredential(mc(false)))).toBe(Status.CTAP2_OK);
  });

  it('fido20: credMgmt, selection, largeBlobs, config and 2.1 clientPIN refused; protocol 1 getPinToken works', async () => {
    const k = key({ profile: 'fido20', pin: '1234' });
    const { client } = await ctap(k);
    for (const cmd of [0x0a, 0x0b, 0x0c, 0x0d, 0x41]) expect(await status(client.send(cmd, new Map([[1, 1]])))).toBe(Status.CTAP1_ERR_INVALID_COMMAND);
    expect(await status(new ClientPin(client, [2]).keyAgreement())).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
    const pin = new ClientPin(client, (await client.getInfo()).pinUvAuthProtocols);
    expect(pin.protocol.version).toBe(1);
    expect(await status(pin.getPinToken('1234', Permission.mc, rpID))).toBe(Status.CTAP2_ERR_INVALID_SUBCOMMAND);
    const token = await pin.getPinToken('1234');
    const p = mc(true);
    const made = await client.makeCredential({ ...p, pinUvAuthParam: pinUvAuthParam(token, p.clientDataHash), pinUvAuthProtocol: 1 });
    expect(made.authData.length).toBeGreaterThan(37);
  });

  it('u2f: INIT has no CBOR capability and CTAPHID_CBOR is an unknown command', async () => {
    const { hid } = await ctap(key({ profile: 'u2f' }));
    expect(hid.device.capabilities & Capability.CBOR).toBe(0);
    expect(hid.device.capabilities & Capability.NMSG).toBe(0);
    await expect(hid.transact(HidCmd.CBOR, new Uint8Array([0x04]))).rejects.toMatchObject({ code: HidError.INVALID_CMD });
  });

  it('no-pin: no clientPIN (unknown command), no PIN to set; sign-in with presence alone', async () => {
    const k = key({ profile: 'no-pin' });
    const { client } = await ctap(k);
    expect(await status(client.send(Command.authenticatorClientPIN, new Map([[1, 1], [2, 1]])))).toBe(Status.CTAP1_ERR_INVALID_COMMAND);
    expect(() => k.authenticator.provisionPin('1234')).toThrow(/takes no PIN/);
    expect(await status(client.makeCredential(mc(true)))).toBe(Status.CTAP2_OK);
  });

  it('bio: a pinUvAuthToken from the built-in UV, and a passkey the RP verifies with UV required', async () => {
    const k = key({ profile: 'bio' });
    const { client } = await ctap(k);
    const pin = new ClientPin(client, (await client.getInfo()).pinUvAuthProtocols);
    const token = await pin.getUvToken(Permission.mc, rpID);
    const p = mc(true);
    expect(await status(client.makeCredential({ ...p, pinUvAuthParam: pinUvAuthParam(token, p.clientDataHash), pinUvAuthProtocol: pin.protocol.version }))).toBe(Status.CTAP2_OK);
    k.setUserVerified(false);
    expect(await status(pin.getUvToken(Permission.mc, rpID))).toBe(Status.CTAP2_ERR_UV_INVALID);
  });
});

describe('a ceremony @simplewebauthn/server verifies, on each CTAP2 profile', () => {
  for (const profile of PROFILES.filter((p) => p.ctap2)) {
    it(profile.name, async () => {
      const k = key({ profile: profile.name, pin: profile.config.clientPin === false ? undefined : '1234' });
      const client = new WebAuthnClient(k, { origin, pin: '1234' });
      closeLater(() => client.close());
      const uv = profile.config.clientPin === false ? 'discouraged' : 'required';
      const residentKey = profile.config.residentKeys === false ? 'discouraged' : 'required';
      const opts = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'alice', authenticatorSelection: { residentKey, userVerification: uv } });
      const reg = await verifyRegistrationResponse({ response: await client.create(opts), expectedChallenge: opts.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: uv === 'required' });
      expect(reg.verified).toBe(true);
      const aopts = await generateAuthenticationOptions({ rpID, userVerification: uv, allowCredentials: [{ id: reg.registrationInfo!.credential.id }] });
      const auth = await verifyAuthenticationResponse({
        response: await client.get(aopts), expectedChallenge: aopts.challenge, expectedOrigin: origin, expectedRPID: rpID,
        credential: reg.registrationInfo!.credential, requireUserVerification: uv === 'required',
      });
      expect(auth.verified).toBe(true);
    });
  }
});

it('profileNamed gives the profile objects the README table lists', () => {
  expect(profileNamed('yubikey5').config.maxMsgSize).toBe(1280);
});
