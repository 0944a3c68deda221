// A touch the environment answers at once (userPresenceNow, userVerificationNow): no wait and no
// keepalive, the same statuses as an answer that comes through userPresence, and a host's cancel
// still wins; an environment that does not know yet is asked the usual way.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Authenticator } from '../../src/ctap2/authenticator.js';
import type { AuthenticatorConfig, PresenceRequest, PresenceResult, RequestContext, VerificationResult } from '../../src/ctap2/env.js';
import { Command } from '../../src/ctap/constants.js';
import { encodeCbor } from '../../src/ctap/cbor.js';
import { Status } from '../../src/ctap/status.js';
import { MemoryStore } from '../../src/keystore/memory.js';
import { gaParams, mcParams } from '../helpers/core.js';

interface Scripted {
  now: PresenceResult | VerificationResult | undefined;
  waited: string[];
  keepalives: number[];
  send(command: number, params: Map<number, unknown>, rctx?: Partial<RequestContext>): Promise<number>;
}

/** A key whose user answers `now` at once (or, undefined, through the usual wait: approve, match). */
function scripted(config: Partial<AuthenticatorConfig> = {}): Scripted {
  const s: Scripted = {
    now: undefined,
    waited: [],
    keepalives: [],
    send: async (command, params, rctx = {}) => {
      const ctx: RequestContext = { channel: 1, signal: new AbortController().signal, keepalive: (k) => s.keepalives.push(k), ...rctx };
      const res = await auth.handle(new Uint8Array([command, ...encodeCbor(params as never)]), ctx);
      return res[0]!;
    },
  };
  const auth = new Authenticator({
    now: () => 1_700_000_000_000,
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
    userPresence: async (r: PresenceRequest) => (s.waited.push(`presence ${r.command}`), 'approved'),
    userPresenceNow: () => s.now as PresenceResult | undefined,
    userVerification: async (r: PresenceRequest) => (s.waited.push(`verification ${r.command}`), 'match'),
    userVerificationNow: () => s.now as VerificationResult | undefined,
    store: new MemoryStore(),
  }, config);
  return s;
}

describe('a touch answered at once', () => {
  it('approved: the command goes on with no wait and no keepalive status', async () => {
    const k = scripted();
    k.now = 'approved';
    expect(await k.send(Command.authenticatorMakeCredential, mcParams({ 7: { rk: true } }))).toBe(Status.CTAP2_OK);
    expect(await k.send(Command.authenticatorGetAssertion, gaParams())).toBe(Status.CTAP2_OK);
    expect([k.waited, k.keepalives]).toEqual([[], []]);
  });

  it('denied: OPERATION_DENIED, as through the wait', async () => {
    const k = scripted();
    expect(await k.send(Command.authenticatorMakeCredential, mcParams({ 7: { rk: true } }))).toBe(Status.CTAP2_OK);
    k.now = 'denied';
    expect(await k.send(Command.authenticatorGetAssertion, gaParams())).toBe(Status.CTAP2_ERR_OPERATION_DENIED);
    k.now = 'timeout';
    expect(await k.send(Command.authenticatorGetAssertion, gaParams())).toBe(Status.CTAP2_ERR_USER_ACTION_TIMEOUT);
    expect(k.waited).toEqual(['presence makeCredential']);
  });

  it('a host that cancelled before the touch gets KEEPALIVE_CANCEL, whether the transport says so by cancelled or by the signal', async () => {
    const k = scripted();
    k.now = 'approved';
    expect(await k.send(Command.authenticatorMakeCredential, mcParams(), { cancelled: true })).toBe(Status.CTAP2_ERR_KEEPALIVE_CANCEL);
    const aborted = new AbortController();
    aborted.abort();
    expect(await k.send(Command.authenticatorMakeCredential, mcParams(), { signal: aborted.signal })).toBe(Status.CTAP2_ERR_KEEPALIVE_CANCEL);
    expect(await k.send(Command.authenticatorMakeCredential, mcParams(), { cancelled: false })).toBe(Status.CTAP2_OK);
  });

  it('not known yet (undefined): the key waits through userPresence, with UPNEEDED meanwhile', async () => {
    const k = scripted();
    expect(await k.send(Command.authenticatorGetAssertion, gaParams())).toBe(Status.CTAP2_ERR_NO_CREDENTIALS);
    expect(k.waited).toEqual(['presence getAssertion']);
    expect(k.keepalives).toEqual([2, 1]); // UPNEEDED, then PROCESSING
  });

  it('built-in user verification: a match at once, a no-match at once costs a retry', async () => {
    const k = scripted({ builtInUv: true });
    k.now = 'match';
    const uv = mcParams({ 7: { uv: true } });
    expect(await k.send(Command.authenticatorMakeCredential, uv)).toBe(Status.CTAP2_OK);
    k.now = 'nomatch';
    expect(await k.send(Command.authenticatorMakeCredential, uv)).toBe(Status.CTAP2_ERR_UV_INVALID);
    expect(k.waited).toEqual([]);
  });
});
