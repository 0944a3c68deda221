// authenticatorCredentialManagement through CTAPHID over loopback.
import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { ClientPin, PinPermission } from '../../src/client/clientPin.js';
import { CredentialManagement } from '../../src/client/credentialManagement.js';
import { Ctap2Client } from '../../src/client/ctap2.js';
import { pinUvAuthParam } from '../../src/client/clientPin.js';
import { CtapError, Status } from '../../src/ctap/status.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { utf8 } from '../../src/util/bytes.js';
import { closeLater } from '../helpers/cleanup.js';


async function setup(): Promise<{ ctap: Ctap2Client; pin: ClientPin; key: VirtualAuthenticator }> {
  let t = 1_700_000_000_000;
  const key = new VirtualAuthenticator({ pin: '1234', now: () => (t += 10) });
  closeLater(() => key.close());
  const hid = await CtapHidHost.open(key.connect());
  closeLater(() => void hid.close());
  const ctap = new Ctap2Client(hid);
  const pin = new ClientPin(ctap, [2]);
  for (const [rp, user] of [['a.example', 'ann'], ['a.example', 'al'], ['b.example', 'bo']] as const) {
    const token = await pin.getPinToken('1234', PinPermission.mc, rp);
    const cdh = new Uint8Array(32);
    await ctap.makeCredential({
      clientDataHash: cdh, rp: { id: rp, name: rp.toUpperCase() }, user: { id: utf8(user), name: user, displayName: user.toUpperCase() },
      pubKeyCredParams: [{ alg: -8, type: 'public-key' }], options: { rk: true },
      pinUvAuthParam: pinUvAuthParam(token, cdh), pinUvAuthProtocol: 2,
    });
  }
  return { ctap, pin, key };
}

describe('credentialManagement', () => {
  it('reports metadata, RPs and credentials', async () => {
    const { ctap, pin } = await setup();
    const cm = new CredentialManagement(ctap, await pin.getPinToken('1234', PinPermission.cm));
    expect(await cm.metadata()).toEqual({ existing: 3, remaining: 253 });
    const rps = await cm.rps();
    expect(rps.map((r) => [r.id, r.name])).toEqual([['a.example', 'A.EXAMPLE'], ['b.example', 'B.EXAMPLE']]);
    expect(rps[0]!.rpIdHash).toEqual(sha256(utf8('a.example')));
    const creds = await cm.credentials(rps[0]!.rpIdHash);
    expect(creds.map((c) => c.user.name)).toEqual(['al', 'ann']);
    expect(creds[0]!.publicKey.get(3)).toBe(-8);
    expect(creds[0]!.credProtect).toBe(1);
  });

  it('deletes a credential and renames a user; getInfo counts the freed slot', async () => {
    const { ctap, pin } = await setup();
    const cm = new CredentialManagement(ctap, await pin.getPinToken('1234', PinPermission.cm));
    const [a] = await cm.rps();
    const [al, ann] = await cm.credentials(a!.rpIdHash);
    await cm.delete(al!.credentialId);
    await cm.updateUser(ann!.credentialId, { id: ann!.user.id, name: 'anne' });
    const left = await cm.credentials(a!.rpIdHash);
    expect(left.map((c) => [c.user.name, c.user.displayName])).toEqual([['anne', undefined]]);
    expect((await ctap.getInfo()).remainingDiscoverableCredentials).toBe(254);
    await expect(cm.delete(al!.credentialId)).rejects.toMatchObject({ status: Status.CTAP2_ERR_NO_CREDENTIALS });
    await expect(cm.updateUser(ann!.credentialId, { id: new Uint8Array([9]) })).rejects.toMatchObject({ status: Status.CTAP1_ERR_INVALID_PARAMETER });
  });

  it('needs a cm token, not bound to one RP for key-wide listing', async () => {
    const { ctap, pin } = await setup();
    const noCm = new CredentialManagement(ctap, await pin.getPinToken('1234', PinPermission.mc));
    await expect(noCm.metadata()).rejects.toMatchObject({ status: Status.CTAP2_ERR_PIN_AUTH_INVALID });
    const bound = new CredentialManagement(ctap, await pin.getPinToken('1234', PinPermission.cm, 'a.example'));
    await expect(bound.rps()).rejects.toMatchObject({ status: Status.CTAP2_ERR_PIN_AUTH_INVALID });
    expect((await bound.credentials(sha256(utf8('a.example')))).length).toBe(2);
    await expect(bound.credentials(sha256(utf8('b.example')))).rejects.toMatchObject({ status: Status.CTAP2_ERR_PIN_AUTH_INVALID });
    const err = await ctap.send(0x0a, new Map([[1, 1]])).catch((e: CtapError) => e);
    expect((err as CtapError).status).toBe(Status.CTAP2_ERR_PUAT_REQUIRED);
  });

  it('a token bound to an RP with no credentials (left) lists none: NO_CREDENTIALS, not PIN_AUTH_INVALID (CTAP 2.1 §6.8.4)', async () => {
    const { ctap, pin } = await setup();
    const boundB = new CredentialManagement(ctap, await pin.getPinToken('1234', PinPermission.cm, 'b.example'));
    const [bo] = await boundB.credentials(sha256(utf8('b.example')));
    await boundB.delete(bo!.credentialId);
    // libfido2's `fido2-token -L -k b.example` after `-D -i`: a token bound to the RP whose last credential went.
    const again = new CredentialManagement(ctap, await pin.getPinToken('1234', PinPermission.cm, 'b.example'));
    const err = await again.credentials(sha256(utf8('b.example'))).then(() => undefined, (e: CtapError) => e);
    expect(err).toBeUndefined(); // credentials() turns NO_CREDENTIALS into []
    await expect(again.credentials(sha256(utf8('c.example')))).rejects.toMatchObject({ status: Status.CTAP2_ERR_PIN_AUTH_INVALID }); // another RP
    // Deleting or renaming the credential that went: NO_CREDENTIALS too (§6.8.5, §6.8.6), not PIN_AUTH_INVALID.
    await expect(again.delete(bo!.credentialId)).rejects.toMatchObject({ status: Status.CTAP2_ERR_NO_CREDENTIALS });
    await expect(again.updateUser(bo!.credentialId, bo!.user)).rejects.toMatchObject({ status: Status.CTAP2_ERR_NO_CREDENTIALS });
  });

  it('ends a walk when another subcommand comes between (a deletion would change what was promised)', async () => {
    const { ctap, pin } = await setup();
    const token = await pin.getPinToken('1234', PinPermission.cm);
    const cm = new CredentialManagement(ctap, token);
    const [a] = await cm.rps();
    const begin = new Map<number, never>([[1, 4 as never], [2, new Map([[1, a!.rpIdHash]]) as never], [3, 2 as never],
      [4, pinUvAuthParam(token, new Uint8Array([4, 0xa1, 0x01, 0x58, 0x20, ...a!.rpIdHash])) as never]]);
    const first = await ctap.send(0x0a, begin);
    expect(first!.get(9)).toBe(2);
    await cm.metadata();
    await expect(ctap.send(0x0a, new Map([[1, 5]]))).rejects.toMatchObject({ status: Status.CTAP2_ERR_NOT_ALLOWED });
  });

  it('refuses GetNext without an enumeration, and after another command', async () => {
    const { ctap, pin } = await setup();
    await expect(ctap.send(0x0a, new Map([[1, 3]]))).rejects.toMatchObject({ status: Status.CTAP2_ERR_NOT_ALLOWED });
    const token = await pin.getPinToken('1234', PinPermission.cm);
    const req = new Map<number, never>([[1, 2 as never], [3, 2 as never], [4, pinUvAuthParam(token, new Uint8Array([2])) as never]]);
    await ctap.send(0x0a, req);
    await ctap.getInfo();
    await expect(ctap.send(0x0a, new Map([[1, 3]]))).rejects.toMatchObject({ status: Status.CTAP2_ERR_NOT_ALLOWED });
  });
});
