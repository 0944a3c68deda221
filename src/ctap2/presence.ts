// Waiting on the user (a touch, a fingerprint): keepalive status meanwhile, cancel, and the
// deny and time-out statuses.
import { KeepaliveStatus } from '../ctap/constants.js';
import type { PresenceRequest } from './env.js';
import type { CommandContext } from './context.js';
import { CtapError, Status } from '../ctap/status.js';

function cancelled(): CtapError {
  return new CtapError(Status.CTAP2_ERR_KEEPALIVE_CANCEL, 'cancelled by the host');
}

/**
 * Runs `ask` with keepalive status UPNEEDED; rejects with KEEPALIVE_CANCEL as soon as the host
 * sends CTAPHID_CANCEL (CTAP 2.1 §11.2.9.1.5), whether or not `ask` has settled.
 */
export async function waitForUser<T>(ctx: CommandContext, ask: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (ctx.signal.aborted) throw cancelled();
  ctx.keepalive(KeepaliveStatus.UPNEEDED);
  // One promise settled by whichever comes first, the answer or the cancel (no race of two).
  let onAbort = (): void => {};
  try {
    return await new Promise<T>((resolve, reject) => {
      onAbort = () => reject(cancelled());
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      ask(ctx.signal).then(resolve, reject);
    });
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    ctx.keepalive(KeepaliveStatus.PROCESSING);
  }
}

/** Resolves once the user approves; otherwise OPERATION_DENIED, USER_ACTION_TIMEOUT or KEEPALIVE_CANCEL. */
export async function requireUserPresence(ctx: CommandContext, request: PresenceRequest): Promise<void> {
  const result = await waitForUser(ctx, (signal) => ctx.env.userPresence(request, signal));
  if (result === 'denied') throw new CtapError(Status.CTAP2_ERR_OPERATION_DENIED, 'the user declined');
  if (result === 'timeout') throw new CtapError(Status.CTAP2_ERR_USER_ACTION_TIMEOUT, 'no touch in time');
}
