// User presence as U2F keys give it (FIDO U2F Raw Message Formats §4.3, §5.1): a request that needs
// a touch is answered SW_CONDITIONS_NOT_SATISFIED at once while the key asks the user; the host
// polls, and once the user has approved, the next identical request goes through. A touch is spent
// by that one request, goes stale after a few seconds, and is bound to the request's bytes, so a
// touch given for one site never signs for another. State lives in this power cycle's session.
import type { CommandContext } from '../context.js';
import type { PresenceRequest } from '../env.js';
import { equalBytes } from '../../util/bytes.js';

/** How long an approval waits for the host's next poll (hardware keys keep a touch for a few seconds). */
export const TOUCH_VALID_MS = 10_000;

/** True when the user has approved this very request (the touch is spent); false: answer 6985. */
export function takePresence(ctx: CommandContext, request: Uint8Array, asking: PresenceRequest): boolean {
  const state = ctx.session.u2fPresence;
  const g = state.granted;
  if (g && equalBytes(g.request, request) && ctx.env.now() - g.at <= TOUCH_VALID_MS) {
    state.granted = undefined;
    return true;
  }
  if (state.pending && equalBytes(state.pending.request, request)) return false; // still asking
  // Another request takes the key's attention: the earlier question is withdrawn.
  state.pending?.abort.abort();
  const pending = { request: request.slice(), abort: new AbortController() };
  state.pending = pending;
  const settle = (approved: boolean): void => {
    if (state.pending !== pending) return;
    state.pending = undefined;
    if (approved) state.granted = { request: pending.request, at: ctx.env.now() };
  };
  ctx.env.userPresence(asking, pending.abort.signal).then((r) => settle(r === 'approved'), () => settle(false));
  return false;
}
