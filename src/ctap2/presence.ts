// Waiting on the user (a touch, a fingerprint): keepalive status meanwhile, cancel, and the
// deny and time-out statuses.
import { KeepaliveStatus } from '../ctap/constants.js';
import type { PresenceRequest, PresenceResult } from './env.js';
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

/**
 * The user's answer as the environment knows it now (userPresenceNow, userVerificationNow), unless
 * the host has cancelled; undefined: waitForUser. No wait, so no keepalive status to change.
 */
export function answerNow<T>(ctx: CommandContext, now: T | undefined): T | undefined {
  if (now !== undefined && (ctx.cancelled ?? ctx.signal.aborted)) throw cancelled();
  return now;
}

/**
 * Returns once the user approves; otherwise OPERATION_DENIED, USER_ACTION_TIMEOUT or KEEPALIVE_CANCEL.
 * A promise only when the key waits: an answer known at once settles it in this call (await either).
 */
export function requireUserPresence(ctx: CommandContext, request: PresenceRequest): void | Promise<void> {
  const now = answerNow(ctx, ctx.env.userPresenceNow?.(request));
  if (now !== undefined) return approvedOrThrow(now);
  return waitForUser(ctx, (signal) => ctx.env.userPresence(request, signal)).then(approvedOrThrow);
}

function approvedOrThrow(result: PresenceResult): void {
  if (result === 'denied') throw new CtapError(Status.CTAP2_ERR_OPERATION_DENIED, 'the user declined');
  if (result === 'timeout') throw new CtapError(Status.CTAP2_ERR_USER_ACTION_TIMEOUT, 'no touch in time');
}
