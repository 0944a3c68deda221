// The core's feature switches (AuthenticatorConfig; ctap2/features.ts), driven directly: commands a
// key does not offer are unknown ones, rk without resident keys, extensions it does not list are
// ignored, PIN/UV protocols and CTAP 2.1 clientPIN subcommands it does not offer are refused.
import { describe, expect, it } from 'vitest';
import { parseAuthData } from '../../src/client/authData.js';
import { Command } from '../../src/ctap/constants.js';
import { Status } from '../../src/ctap/status.js';
import { TestKey, mcParams } from '../helpers/core.js';

const C = Command;

describe('feature switches', () => {
  it('a command outside config.commands answers CTAP1_ERR_INVALID_COMMAND, and getInfo drops its options', async () => {
    const key = new TestKey({ commands: [C.authenticatorMakeCredential, C.authenticatorGetInfo] });
    expect((await key.call(C.authenticatorSelection))[0]).toBe(Status.CTAP1_ERR_INVALID_COMMAND);
    expect((await key.call(C.authenticatorClientPIN, new Map([[1, 1], [2, 1]])))[0]).toBe(Status.CTAP1_ERR_INVALID_COMMAND);
    const [, info] = await key.call(C.authenticatorGetInfo);
    const options = info!.get(4) as Map<string, boolean>;
    for (const o of ['credMgmt', 'authnrCfg', 'largeBlobs', 'setMinPINLength', 'perCredMgmtRO']) expect(options.has(o), o).toBe(false);
    expect(info!.has(6)).toBe(false); // pinUvAuthProtocols: no clientPIN
  });

  it('rk without resident keys is CTAP2_ERR_UNSUPPORTED_OPTION; getInfo says rk false', async () => {
    const key = new TestKey({ residentKeys: false });
    expect((await key.call(C.authenticatorMakeCredential, mcParams({ 7: { rk: true } })))[0]).toBe(Status.CTAP2_ERR_UNSUPPORTED_OPTION);
    expect((await key.call(C.authenticatorMakeCredential, mcParams({ 7: { rk: false } })))[0]).toBe(Status.CTAP2_OK);
    expect(((await key.call(C.authenticatorGetInfo))[1]!.get(4) as Map<string, boolean>).get('rk')).toBe(false);
  });

  it('an extension the key does not list is ignored, as an unknown one', async () => {
    const key = new TestKey({ extensions: ['hmac-secret'] });
    const [status, res] = await key.call(C.authenticatorMakeCredential, mcParams({ 6: { credProtect: 2, 'hmac-secret': true } }));
    expect(status).toBe(Status.CTAP2_OK);
    expect(parseAuthData(res!.get(2) as Uint8Array).extensions).toEqual(new Map([['hmac-secret', true]]));
    expect((await key.call(C.authenticatorGetInfo))[1]!.get(2)).toEqual(['hmac-secret']);
  });

  it('a PIN/UV protocol not offered, and the 2.1 token subcommands on a key without them, are refused', async () => {
    const key = new TestKey({ pinUvAuthProtocols: [1], pinUvAuthToken: false });
    expect((await key.call(C.authenticatorClientPIN, new Map([[1, 2], [2, 2]])))[0]).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
    expect((await key.call(C.authenticatorClientPIN, new Map([[1, 1], [2, 2]])))[0]).toBe(Status.CTAP2_OK);
    for (const sub of [0x06, 0x07, 0x09]) expect((await key.call(C.authenticatorClientPIN, new Map([[1, 1], [2, sub]])))[0]).toBe(Status.CTAP2_ERR_INVALID_SUBCOMMAND);
    const options = (await key.call(C.authenticatorGetInfo))[1]!.get(4) as Map<string, boolean>;
    expect(options.has('pinUvAuthToken')).toBe(false);
    expect(options.has('makeCredUvNotRqd')).toBe(false);
  });

  it('a key without makeCredUvNotRqd (no pinUvAuthToken) wants the PIN for any credential once one is set', async () => {
    const key = new TestKey({ pinUvAuthToken: false });
    expect((await key.call(C.authenticatorMakeCredential, mcParams()))[0]).toBe(Status.CTAP2_OK);
    key.auth.provisionPin('1234');
    expect((await key.call(C.authenticatorMakeCredential, mcParams()))[0]).toBe(Status.CTAP2_ERR_PUAT_REQUIRED);
  });

  it('a FIDO 2.0 key lists neither the 2.1 nor the 2.3 getInfo members', async () => {
    const key = new TestKey({ ctapVersions: ['FIDO_2_0'] });
    const [, info] = await key.call(C.authenticatorGetInfo);
    expect(info!.get(1)).toEqual(['U2F_V2', 'FIDO_2_0']);
    expect([...info!.keys()].filter((k) => (k as number) > 8)).toEqual([]);
  });
});
