// Asking the user for a touch: keepalive status while waiting, cancel, deny and time-out statuses.
import { KeepaliveStatus } from './constants.js';
import type { PresenceRequest } from './env.js';
import type { CommandContext } from './state.js';
import { CtapError, Status } from './status.js';

function cancelled(): CtapError {
  return new CtapError(Status.CTAP2_ERR_KEEPALIVE_CANCEL, 'cancelled by the host');
}

/**
 * Resolves once the user approves; otherwise throws OPERATION_DENIED, USER_ACTION_TIMEOUT, or
 * KEEPALIVE_CANCEL when the host sends CTAPHID_CANCEL (CTAP 2.1 §11.2.9.1.5).
 */
export async function requireUserPresence(ctx: CommandContext, request: PresenceRequest): Promise<void> {
  if (ctx.signal.aborted) throw cancelled();
  ctx.keepalive(KeepaliveStatus.UPNEEDED);
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(cancelled());
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const result = await Promise.race([ctx.env.userPresence(request, ctx.signal), aborted]);
    if (result === 'denied') throw new CtapError(Status.CTAP2_ERR_OPERATION_DENIED, 'the user declined');
    if (result === 'timeout') throw new CtapError(Status.CTAP2_ERR_USER_ACTION_TIMEOUT, 'no touch in time');
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    ctx.keepalive(KeepaliveStatus.PROCESSING);
  }
}
