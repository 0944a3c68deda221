// authenticatorGetNextAssertion (CTAP 2.1 §6.3): the next credential of a discoverable walk.
import type { CborEncodable } from '../../ctap/cbor.js';
import { assertionResponse } from '../assertion.js';
import type { CommandContext } from '../context.js';
import { CtapError, Status } from '../../ctap/status.js';

export function getNextAssertion(ctx: CommandContext): Map<number, CborEncodable> {
  const st = ctx.session.nextAssertion;
  // Steps 1-3: there must be a walk in progress, not timed out, with credentials left.
  if (!st) throw new CtapError(Status.CTAP2_ERR_NOT_ALLOWED, 'no getAssertion to continue');
  const now = ctx.env.now();
  if (now - st.lastAt > ctx.config.nextAssertionTimeoutMs || st.index >= st.credentials.length) {
    ctx.session.nextAssertion = undefined;
    throw new CtapError(Status.CTAP2_ERR_NOT_ALLOWED, 'the getAssertion walk has ended');
  }
  const cred = st.credentials[st.index++]!;
  st.lastAt = now;
  if (st.index >= st.credentials.length) ctx.session.nextAssertion = undefined;
  return assertionResponse(ctx, cred, { rpIdHash: st.rpIdHash, clientDataHash: st.clientDataHash, flags: st.flags, hmacSecret: st.hmacSecret });
}
