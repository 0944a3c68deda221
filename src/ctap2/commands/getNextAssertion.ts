// authenticatorGetNextAssertion (CTAP 2.1 §6.3): the next credential of a discoverable walk.
import type { CborEncodable } from '../../ctap/cbor.js';
import { assertionResponse } from '../assertion.js';
import { nextDiscoverable } from '../credentials.js';
import type { CommandContext } from '../context.js';
import { CtapError, Status } from '../../ctap/status.js';

export function getNextAssertion(ctx: CommandContext): Map<number, CborEncodable> {
  const st = ctx.session.nextAssertion;
  // Steps 1-3: there must be a walk in progress, not timed out, with credentials left.
  if (!st) throw new CtapError(Status.CTAP2_ERR_NOT_ALLOWED, 'no getAssertion to continue');
  const now = ctx.env.now();
  // The next credential after the last one answered, from the store (one deleted meanwhile is skipped).
  const cred = now - st.lastAt > ctx.config.nextAssertionTimeoutMs || st.remaining <= 0
    ? undefined
    : nextDiscoverable(ctx, st.rpId, st.uv, st.after);
  if (!cred) {
    ctx.session.nextAssertion = undefined;
    throw new CtapError(Status.CTAP2_ERR_NOT_ALLOWED, 'the getAssertion walk has ended');
  }
  st.after = { createdAt: cred.stored!.createdAt, id: cred.id };
  st.lastAt = now;
  if (--st.remaining <= 0) ctx.session.nextAssertion = undefined;
  return assertionResponse(ctx, cred, { command: 'getNextAssertion', rpId: st.rpId, rpIdHash: st.rpIdHash, clientDataHash: st.clientDataHash,
    flags: st.flags, hmacSecret: st.hmacSecret, thirdPartyPayment: st.thirdPartyPayment, blobs: st.blobs });
}
