// Counter models on VirtualAuthenticator: each model's sequence of signature counters, per key and
// per credential, switched at run time; @simplewebauthn/server's counter check seeing a rollback
// and a wrap as a possible clone and accepting a key that always sends 0.
import { describe, expect, it } from 'vitest';
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { VirtualAuthenticator, type VirtualAuthenticatorOptions } from '../../src/node/virtual.js';
import { WebAuthnClient } from '../../src/node/clients.js';
import { parseAuthData } from '../../src/client/authData.js';
import { fromBase64url } from '../../src/util/bytes.js';
import { closeLater } from '../helpers/cleanup.js';
import { origin, rpID } from '../helpers/importedKeys.js';
import { seededSteps } from '../../src/ctap2/counterModel.js';

interface Registered {
  id: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
}

function setUp(options: VirtualAuthenticatorOptions = {}) {
  const key = new VirtualAuthenticator({ store: 'memory', ...options });
  const client = new WebAuthnClient(key, { origin });
  closeLater(() => key.close(), () => client.close());
  let user = 0;
  return {
    key,
    async register(residentKey: 'required' | 'discouraged' = 'required'): Promise<Registered> {
      const opts = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: `user${user++}`, authenticatorSelection: { residentKey, userVerification: 'discouraged' } });
      const r = await verifyRegistrationResponse({ response: await client.create(opts), expectedChallenge: opts.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false });
      const c = r.registrationInfo!.credential;
      return { id: c.id, publicKey: c.publicKey, counter: c.counter };
    },
    /** One sign-in: the counter the key sent, and whether the RP (holding `stored`) accepts it. */
    async signIn(c: Registered, stored = 0): Promise<{ counter: number; verified: boolean; error?: string }> {
      const opts = await generateAuthenticationOptions({ rpID, userVerification: 'discouraged', allowCredentials: [{ id: c.id }] });
      const response = await client.get(opts);
      const counter = parseAuthData(fromBase64url(response.response.authenticatorData)).signCount;
      try {
        const v = await verifyAuthenticationResponse({
          response, expectedChallenge: opts.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false,
          credential: { id: c.id, publicKey: c.publicKey, counter: stored },
        });
        return { counter, verified: v.verified };
      } catch (e) {
        return { counter, verified: false, error: (e as Error).message };
      }
    },
  };
}

async function counters(k: ReturnType<typeof setUp>, c: Registered, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await k.signIn(c)).counter);
  return out;
}

describe('counter models: the sequences', () => {
  it('per-credential (the default): each credential counts its own uses from 1', async () => {
    const k = setUp();
    const [a, b] = [await k.register(), await k.register()];
    expect(await counters(k, a, 3)).toEqual([1, 2, 3]);
    expect(await counters(k, b, 2)).toEqual([1, 2]);
    expect(k.key.info()).toMatchObject({ counterModel: 'per-credential', credentialCounterModels: {} });
  });

  it('global: one counter for every credential, discoverable or not', async () => {
    const k = setUp({ counterModel: 'global' });
    const [a, b, c] = [await k.register(), await k.register(), await k.register('discouraged')];
    const seen = [(await k.signIn(a)).counter, (await k.signIn(b)).counter, (await k.signIn(c)).counter, (await k.signIn(a)).counter];
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBe(seen[i - 1]! + 1);
    // The credential keeps the value it last gave: back on per-credential it counts on from there.
    k.key.setCounterModel('per-credential');
    expect((await k.signIn(b)).counter).toBe(seen[1]! + 1);
  });

  it('zero: registration and every assertion say 0, and the RP accepts it', async () => {
    const k = setUp({ counterModel: { model: 'zero' } });
    const [a, n] = [await k.register(), await k.register('discouraged')];
    expect([a.counter, n.counter]).toEqual([0, 0]);
    for (const c of [a, n, a]) expect(await k.signIn(c, 0)).toEqual({ counter: 0, verified: true });
  });

  it('random-step: increments of 1..MAX from the seed, the same on another key with the same seed', async () => {
    const run = async (): Promise<number[]> => {
      const k = setUp({ counterModel: 'random-step:5:42' });
      return counters(k, await k.register(), 20);
    };
    const first = await run();
    const steps = first.map((v, i) => v - (i === 0 ? 0 : first[i - 1]!));
    const expected = seededSteps(42, 5);
    expect(steps).toEqual(steps.map(() => expected()));
    expect(Math.min(...steps)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...steps)).toBeLessThanOrEqual(5);
    expect(new Set(steps).size).toBeGreaterThan(1);
    expect(await run()).toEqual(first);
  });

  it('wrap: from 2^32 - 1 to 0, which the RP takes for a clone; per-credential stays at 2^32 - 1', async () => {
    const k = setUp();
    const c = await k.register();
    k.key.setSignCount(c.id, 0xfffffffe);
    expect(await counters(k, c, 2)).toEqual([0xffffffff, 0xffffffff]);
    k.key.setCounterModel('wrap', c.id);
    expect(k.key.info().credentialCounterModels).toEqual({ [c.id]: 'wrap' });
    expect(await k.signIn(c, 0xffffffff)).toMatchObject({ counter: 0, verified: false, error: expect.stringMatching(/counter/i) });
    expect(await counters(k, c, 2)).toEqual([1, 2]);
  });

  it('rollback: each assertion answers below the last; the RP counter check fails', async () => {
    const k = setUp();
    const c = await k.register();
    expect(await counters(k, c, 3)).toEqual([1, 2, 3]);
    k.key.setCounterModel('rollback');
    const r = await k.signIn(c, 3);
    expect(r).toMatchObject({ counter: 2, verified: false, error: expect.stringMatching(/counter/i) });
    expect((await k.signIn(c)).counter).toBe(1);
    k.key.setCounterModel('per-credential');
    expect(await k.signIn(c, 1)).toEqual({ counter: 2, verified: true });
  });

  it('a credential model of its own beats the key model; clearing it goes back to the key model', async () => {
    const k = setUp({ counterModel: 'zero' });
    const [a, b] = [await k.register(), await k.register()];
    k.key.setCounterModel('per-credential', a.id);
    expect(await counters(k, a, 2)).toEqual([1, 2]);
    expect(await counters(k, b, 2)).toEqual([0, 0]);
    k.key.clearCounterModel(a.id);
    expect(await counters(k, a, 1)).toEqual([0]);
  });

  it('non-discoverable credentials count on the key global counter under rollback; zero leaves it alone', async () => {
    const k = setUp();
    const c = await k.register('discouraged');
    const [x] = await counters(k, c, 1);
    k.key.setCounterModel('rollback');
    expect(await counters(k, c, 1)).toEqual([x! - 1]);
    k.key.setCounterModel('zero');
    expect(await counters(k, c, 2)).toEqual([0, 0]);
    k.key.setCounterModel('per-credential');
    expect(await counters(k, c, 1)).toEqual([x!]);
  });

  it('refuses unknown models, bad steps and unknown credentials', () => {
    const k = setUp();
    expect(() => k.key.setCounterModel('sometimes')).toThrow(expect.objectContaining({ kind: 'invalid' }));
    expect(() => k.key.setCounterModel('random-step:0')).toThrow(/maxStep/);
    expect(() => k.key.setCounterModel('zero:3')).toThrow(/counter model/);
    expect(() => k.key.setCounterModel({ model: 'wrap', seed: 3 })).toThrow(/random-step only/);
    expect(() => k.key.setCounterModel('zero', 'AAAA')).toThrow(expect.objectContaining({ kind: 'notFound' }));
    expect(k.key.info().counterModel).toBe('per-credential');
  });
});

describe('counter models on a keystore file', () => {
  it('keep the last value given across a clean close (rollback, wrap), and per-credential stays crash-safe', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-counters-'));
    closeLater(() => rmSync(dir, { recursive: true, force: true }));
    const store = join(dir, 'k.sqlite');
    const first = setUp({ store });
    const c = await first.register();
    expect(await counters(first, c, 3)).toEqual([1, 2, 3]);
    first.key.setCounterModel('rollback', c.id);
    expect(await counters(first, c, 1)).toEqual([2]);
    first.key.close();
    const second = setUp({ store });
    expect(second.key.getCredential(c.id).signCount).toBe(2);
    expect(await counters(second, c, 1)).toEqual([3]);
  });
});
