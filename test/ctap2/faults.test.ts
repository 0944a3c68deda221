// The core's fault hook (env.faults, src/ctap2/faults.ts): asked once per signature with the command,
// RP and credential, its changes made to what is then signed; AT and ED stay truthful whatever it asks.
import { describe, expect, it } from 'vitest';
import { AuthDataFlag } from '../../src/ctap/constants.js';
import type { AuthenticatorEnv } from '../../src/ctap2/env.js';
import { faultedFlags, type SigningFault, type SigningTarget } from '../../src/ctap2/faults.js';
import { TestKey, gaParams, mcParams } from '../helpers/core.js';

const { UP, UV, BE, BS, AT, ED } = AuthDataFlag;

/** A key whose hook answers `fault(target)` and remembers each target. */
function keyWith(fault: (t: SigningTarget) => SigningFault | undefined): { key: TestKey; asked: SigningTarget[] } {
  const key = new TestKey();
  const asked: SigningTarget[] = [];
  (key.auth.env as AuthenticatorEnv).faults = { signing: (t) => (asked.push(t), fault(t)) };
  return { key, asked };
}

describe('faultedFlags', () => {
  it('sets, then clears, then flips UP, UV, BE and BS only', () => {
    expect(faultedFlags(UP | UV, { flags: { clear: UV } })).toBe(UP);
    expect(faultedFlags(UP, { flags: { set: BE | BS, flip: UP } })).toBe(BE | BS);
    expect(faultedFlags(UP | AT, { flags: { clear: AT | UP, set: ED } })).toBe(AT);
    expect(faultedFlags(UP | UV, undefined)).toBe(UP | UV);
  });
});

describe('env.faults in makeCredential and getAssertion', () => {
  it('makeCredential: flags and rpIdHash in the authenticator data; AT stays set', async () => {
    const other = new Uint8Array(32).fill(7);
    const { key, asked } = keyWith(() => ({ flags: { clear: UP | AT, set: BE }, rpIdHash: other }));
    const [status, res] = await key.call(0x01, mcParams());
    expect(status).toBe(0);
    const authData = res!.get(2) as Uint8Array;
    expect(authData.subarray(0, 32)).toEqual(other);
    expect(authData[32]).toBe(AT | BE);
    expect(asked).toEqual([{ command: 'makeCredential', rpId: 'example.com', credentialId: authData.subarray(55, 55 + authData[54]!) }]);
  });

  it('a discoverable walk: asked for getAssertion, then getNextAssertion, each credential on its own', async () => {
    const { key, asked } = keyWith((t) => (t.command === 'getAssertion' ? { user: 'omit' } : { user: { id: new Uint8Array([9]) }, flags: { flip: UP } }));
    for (const id of [1, 2]) expect((await key.call(0x01, mcParams({ 3: { id: new Uint8Array([id]), name: `u${id}` }, 7: { rk: true } })))[0]).toBe(0);
    asked.length = 0;
    const [, first] = await key.call(0x02, gaParams());
    const [, second] = await key.call(0x08);
    expect(first!.has(4)).toBe(false);
    expect(first!.get(5)).toBe(2);
    expect((first!.get(2) as Uint8Array)[32]).toBe(UP);
    expect(second!.get(4)).toEqual(new Map([['id', new Uint8Array([9])]]));
    expect((second!.get(2) as Uint8Array)[32]).toBe(0);
    expect(asked.map((t) => [t.command, t.rpId])).toEqual([['getAssertion', 'example.com'], ['getNextAssertion', 'example.com']]);
    expect(asked[0]!.credentialId).not.toEqual(asked[1]!.credentialId);
  });
});
