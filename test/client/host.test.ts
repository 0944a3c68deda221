// The host side over the in-process bus: keepalives while the "user" thinks, cancel, time-outs,
// CTAPHID errors surfacing as exceptions, and a file-backed key surviving a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { Ctap2Client, CtapError, CtapHidHost, Status, VirtualAuthenticator, WebAuthnClient } from '../../src/index.js';
import { HidCmd, HidError } from '../../src/hid/constants.js';
import { CtapHidError } from '../../src/hid/host.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  while (cleanup.length) cleanup.pop()!();
});

async function open(key: VirtualAuthenticator): Promise<Ctap2Client> {
  const hid = await CtapHidHost.open(key.connect());
  cleanup.push(() => void hid.close());
  return new Ctap2Client(hid);
}

const mc = {
  clientDataHash: new Uint8Array(32),
  rp: { id: 'example.com' },
  user: { id: new Uint8Array([1]), name: 'alice' },
  pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
};

describe('CTAPHID host over loopback', () => {
  it('hears UPNEEDED keepalives while the user is slow, then gets the answer', async () => {
    const key = new VirtualAuthenticator({ presence: () => new Promise((r) => setTimeout(() => r(true), 350)) });
    cleanup.push(() => key.close());
    const ctap = await open(key);
    const statuses: number[] = [];
    const att = await ctap.makeCredential(mc, { onKeepalive: (s) => statuses.push(s) });
    expect(att.fmt).toBe('packed');
    expect(statuses.length).toBeGreaterThanOrEqual(2);
    expect(statuses).toContain(2);
  });

  it('times out only on silence: keepalives past timeoutMs keep the request alive, a mute device fails it', async () => {
    const key = new VirtualAuthenticator({ presence: () => new Promise((r) => setTimeout(() => r(true), 450)) });
    cleanup.push(() => key.close());
    const hid = await CtapHidHost.open(key.connect());
    cleanup.push(() => void hid.close());
    // Keepalives every 100 ms: 450 ms of waiting is three times the 150 ms of silence allowed.
    const res = await hid.cbor(new Uint8Array([0x0b]), { timeoutMs: 150 }); // authenticatorSelection
    expect(res[0]).toBe(Status.CTAP2_OK);
    // A device that never answers: the exchange ends after the silence, with a CtapHidError.
    const mute = { write: () => undefined, onReport: () => () => undefined, close: () => undefined };
    const started = Date.now();
    await expect(CtapHidHost.open(mute, { timeoutMs: 120 })).rejects.toThrow(/no answer from the device in 120 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    // setTimeout cannot wait longer than 2^31 - 1 ms (it would fire after 1 ms): such a time-out is refused.
    await expect(hid.cbor(new Uint8Array([0x04]), { timeoutMs: 2 ** 31 })).rejects.toThrow(RangeError);
    await expect(hid.cbor(new Uint8Array([0x04]), { timeoutMs: 0 })).rejects.toThrow(RangeError);
  });

  it('cancels a request waiting for a touch: KEEPALIVE_CANCEL', async () => {
    let sawAbort = false;
    const key = new VirtualAuthenticator({
      presence: (_r, signal) => new Promise((resolve) => signal.addEventListener('abort', () => ((sawAbort = true), resolve(false)))),
    });
    cleanup.push(() => key.close());
    const ctap = await open(key);
    const err = await ctap.makeCredential(mc, { signal: AbortSignal.timeout(150) }).catch((e) => e);
    expect(err).toBeInstanceOf(CtapError);
    expect(err.status).toBe(Status.CTAP2_ERR_KEEPALIVE_CANCEL);
    expect(sawAbort).toBe(true);
    expect(key.store.count()).toBe(0);
  });

  it('turns a CTAPHID error into CtapHidError with its code', async () => {
    const key = new VirtualAuthenticator();
    cleanup.push(() => key.close());
    const hid = await CtapHidHost.open(key.connect());
    const err = await hid.transact(0x55, new Uint8Array(0)).catch((e) => e);
    expect(err).toBeInstanceOf(CtapHidError);
    expect(err.code).toBe(HidError.INVALID_CMD);
    expect(await hid.transact(HidCmd.PING, new Uint8Array([1, 2, 3]))).toEqual(new Uint8Array([1, 2, 3]));
    hid.close();
  });

  it('two hosts each get their own channel on one key', async () => {
    const key = new VirtualAuthenticator();
    cleanup.push(() => key.close());
    const a = await CtapHidHost.open(key.connect());
    const b = await CtapHidHost.open(key.connect());
    expect(a.cid).not.toBe(b.cid);
    const [pa, pb] = await Promise.all([a.ping(new Uint8Array([1])), b.ping(new Uint8Array([2]))]);
    expect([pa[0], pb[0]]).toEqual([1, 2]);
  });

  it('a key on a keystore file keeps its passkeys, counters and master secret across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'key.sqlite');
    const origin = 'https://example.com';

    const first = new VirtualAuthenticator({ store: path });
    const client1 = new WebAuthnClient(first, { origin });
    const reg = await generateRegistrationOptions({ rpName: 'Ex', rpID: 'example.com', userName: 'alice', supportedAlgorithmIDs: [-7] });
    const regResult = await verifyRegistrationResponse({
      response: await client1.create(reg), expectedChallenge: reg.challenge, expectedOrigin: origin, expectedRPID: 'example.com', requireUserVerification: false,
    });
    const credential = regResult.registrationInfo!.credential;
    const nonRk = await generateRegistrationOptions({
      rpName: 'Ex', rpID: 'example.com', userName: 'bob', supportedAlgorithmIDs: [-8], authenticatorSelection: { residentKey: 'discouraged' },
    });
    const nonRkResult = await verifyRegistrationResponse({
      response: await client1.create(nonRk), expectedChallenge: nonRk.challenge, expectedOrigin: origin, expectedRPID: 'example.com', requireUserVerification: false,
    });
    client1.close();
    first.close();

    const second = new VirtualAuthenticator({ store: path });
    cleanup.push(() => second.close());
    const client2 = new WebAuthnClient(second, { origin });
    for (const cred of [credential, nonRkResult.registrationInfo!.credential]) {
      const auth = await generateAuthenticationOptions({ rpID: 'example.com', allowCredentials: [{ id: cred.id }] });
      const result = await verifyAuthenticationResponse({
        response: await client2.get(auth), expectedChallenge: auth.challenge, expectedOrigin: origin,
        expectedRPID: 'example.com', credential: cred, requireUserVerification: false,
      });
      expect(result.verified).toBe(true);
    }
    client2.close();
  });
});
