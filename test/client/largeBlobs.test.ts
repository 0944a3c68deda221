// Large blobs, largeBlobKey and credBlob through CTAPHID over loopback, with the host classes: the
// lbw-token paths, fragments on both sides, per-credential entries sealed with largeBlobKeys.
import { describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { gcm } from '@noble/ciphers/aes.js';
import { ClientPin, PinPermission, pinUvAuthParam } from '../../src/client/clientPin.js';
import { Ctap2Client } from '../../src/client/ctap2.js';
import { CredentialManagement } from '../../src/client/credentialManagement.js';
import { parseAuthData } from '../../src/client/authData.js';
import { encodeCbor, type CborMap } from '../../src/ctap/cbor.js';
import { CtapError, Status } from '../../src/ctap/status.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { LargeBlobs } from '../../src/node/clients.js';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { concatBytes, toHex, utf8 } from '../../src/util/bytes.js';
import { closeLater } from '../helpers/cleanup.js';


async function setup(pin?: string): Promise<{ ctap: Ctap2Client; cp: ClientPin }> {
  const key = new VirtualAuthenticator({ pin });
  closeLater(() => key.close());
  const hid = await CtapHidHost.open(key.connect());
  closeLater(() => void hid.close());
  const ctap = new Ctap2Client(hid);
  return { ctap, cp: new ClientPin(ctap, [2, 1]) };
}

/** A discoverable credential with a largeBlobKey (and a credBlob), made with a PIN token when `pin` is set. */
async function makeCredential(ctap: Ctap2Client, cp: ClientPin, user: string, pin?: string): Promise<{ id: Uint8Array; largeBlobKey: Uint8Array }> {
  const cdh = new Uint8Array(32).fill(3);
  const auth = pin ? await cp.getPinToken(pin, PinPermission.mc, 'example.com') : undefined;
  const res = await ctap.makeCredential({
    clientDataHash: cdh, rp: { id: 'example.com' }, user: { id: utf8(user), name: user },
    pubKeyCredParams: [{ alg: -7, type: 'public-key' }], options: { rk: true },
    extensions: { largeBlobKey: true, credBlob: utf8(`blob of ${user}`) },
    pinUvAuthParam: auth && pinUvAuthParam(auth, cdh), pinUvAuthProtocol: auth?.protocol.version,
  });
  expect(parseAuthData(res.authData).extensions?.get('credBlob')).toBe(true);
  return { id: parseAuthData(res.authData).attested!.credentialId, largeBlobKey: res.largeBlobKey! };
}

describe('LargeBlobs (python-fido2 fido2.ctap2.blob.LargeBlobs)', () => {
  it('puts, gets and deletes per-credential blobs with a lbw token; other entries stay', async () => {
    const { ctap, cp } = await setup('1234');
    const info = await ctap.getInfo();
    expect(info.maxSerializedLargeBlobArray).toBeGreaterThanOrEqual(1024);
    expect(info.maxCredBlobLength).toBe(32);
    const alice = await makeCredential(ctap, cp, 'alice', '1234');
    const bob = await makeCredential(ctap, cp, 'bob', '1234');
    const lb = new LargeBlobs(ctap, info, { token: await cp.getPinToken('1234', PinPermission.lbw) });
    expect(await lb.readBlobArray()).toEqual([]);
    await lb.putBlob(alice.largeBlobKey, utf8('alice '.repeat(100)));
    await lb.putBlob(bob.largeBlobKey, utf8('bob'));
    expect(await lb.getBlob(alice.largeBlobKey)).toEqual(utf8('alice '.repeat(100)));
    expect(await lb.getBlob(bob.largeBlobKey)).toEqual(utf8('bob'));
    await lb.putBlob(alice.largeBlobKey, utf8('replaced'));
    expect(await lb.readBlobArray()).toHaveLength(2);
    expect(await lb.getBlob(alice.largeBlobKey)).toEqual(utf8('replaced'));
    await lb.deleteBlob(bob.largeBlobKey);
    expect(await lb.getBlob(bob.largeBlobKey)).toBeUndefined();
    expect(await lb.readBlobArray()).toHaveLength(1);
    // The largeBlobKey comes back in getAssertion (0x07) and in credentialManagement (0x0B).
    const a = await ctap.getAssertion({ rpId: 'example.com', clientDataHash: new Uint8Array(32), allowList: [{ id: alice.id, type: 'public-key' }], extensions: { largeBlobKey: true, getCredBlob: true } });
    expect(a.largeBlobKey).toEqual(alice.largeBlobKey);
    expect(parseAuthData(a.authData).extensions?.get('credBlob')).toEqual(utf8('blob of alice'));
    const cm = new CredentialManagement(ctap, await cp.getPinToken('1234', PinPermission.cm));
    const [rp] = await cm.rps();
    const raw = await ctap.send(0x0a, new Map<number, never>([[1, 4 as never], [2, new Map([[1, rp!.rpIdHash]]) as never], [3, 2 as never],
      [4, pinUvAuthParam(await cp.getPinToken('1234', PinPermission.cm), concatBytes(new Uint8Array([4]), encodeCbor(new Map([[1, rp!.rpIdHash]])))) as never]]));
    expect((raw as CborMap).get(0x0b)).toHaveLength(32);
  });

  it('writes and reads in several fragments', async () => {
    const { ctap, cp } = await setup();
    const info = await ctap.getInfo();
    const alice = await makeCredential(ctap, cp, 'alice');
    // A host that believes in 600-byte messages sends 536-byte fragments; the key takes them as they come.
    const lb = new LargeBlobs(ctap, { ...info, maxMsgSize: 600 });
    const data = globalThis.crypto.getRandomValues(new Uint8Array(2500)); // incompressible: about 2.5 KB on the key
    await lb.putBlob(alice.largeBlobKey, data);
    expect((await lb.readSerialized()).length).toBeGreaterThan(2 * lb.maxFragmentLength);
    expect(await new LargeBlobs(ctap, info).getBlob(alice.largeBlobKey)).toEqual(data);
  });

  it('a key with a PIN wants a token with lbw to write (PUAT_REQUIRED, PIN_AUTH_INVALID), not to read', async () => {
    const { ctap, cp } = await setup('1234');
    const info = await ctap.getInfo();
    const key = new Uint8Array(32).fill(1);
    await expect(new LargeBlobs(ctap, info).putBlob(key, utf8('x'))).rejects.toEqual(new CtapError(Status.CTAP2_ERR_PUAT_REQUIRED));
    const noLbw = await cp.getPinToken('1234', PinPermission.cm);
    await expect(new LargeBlobs(ctap, info, { token: noLbw }).putBlob(key, utf8('x'))).rejects.toEqual(new CtapError(Status.CTAP2_ERR_PIN_AUTH_INVALID));
    expect(toHex(await new LargeBlobs(ctap, info).readSerialized())).toBe('8076be8b528d0075f7aae98d6fa57a6d3c');
    // lbw survives the ceremony that spends the token's other permissions.
    const both = await cp.getPinToken('1234', PinPermission.mc | PinPermission.lbw, 'example.com');
    const cdh = new Uint8Array(32);
    const made = await ctap.makeCredential({
      clientDataHash: cdh, rp: { id: 'example.com' }, user: { id: utf8('u') }, pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
      options: { rk: true }, extensions: { largeBlobKey: true }, pinUvAuthParam: pinUvAuthParam(both, cdh), pinUvAuthProtocol: both.protocol.version,
    });
    await new LargeBlobs(ctap, info, { token: both }).putBlob(made.largeBlobKey!, utf8('after mc'));
    expect(await new LargeBlobs(ctap, info).getBlob(made.largeBlobKey!)).toEqual(utf8('after mc'));
  });

  it('reads an entry compressed zlib-wrapped (as python-fido2 0.9.1 writes them) and skips foreign entries', async () => {
    const { ctap } = await setup();
    const info = await ctap.getInfo();
    const key = new Uint8Array(32).fill(7);
    const data = utf8('written by python-fido2 0.9.1');
    const nonce = new Uint8Array(12).fill(9);
    const ad = concatBytes(utf8('blob'), new Uint8Array([data.length, 0, 0, 0, 0, 0, 0, 0]));
    const entry = new Map<number, unknown>([[1, gcm(key, nonce, ad).encrypt(new Uint8Array(deflateSync(data)))], [2, nonce], [3, data.length]]);
    const lb = new LargeBlobs(ctap, info);
    await lb.writeBlobArray(['not a blob', new Map<number, unknown>([[1, new Uint8Array(20)], [2, nonce], [3, 1]]) as never, entry as never]);
    expect(await lb.getBlob(key)).toEqual(data);
    expect(await lb.getBlob(new Uint8Array(32))).toBeUndefined();
  });
});
