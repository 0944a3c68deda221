// Whether and how the key verifies its user: PIN set, built-in UV enrolled, device settings, and
// performBuiltInUv() with its retry counter (CTAP 2.1 §6.5.5.7.3).
import type { AuthenticatorConfig, AuthenticatorEnv, PresenceRequest } from '../env.js';
import { answerNow, waitForUser } from '../presence.js';
import type { CommandContext } from '../context.js';
import { CtapError, Status } from '../../ctap/status.js';
import { builtInUvReady } from './fingerprints.js';
import { loadPin, loadSettings, loadUvRetries, saveUvRetries, type DeviceSettings } from './persistent.js';

/** The persistent settings, or their defaults from the configuration. */
export function deviceSettings(ctx: { env: AuthenticatorEnv; config: AuthenticatorConfig }): DeviceSettings {
  return loadSettings(ctx.env, {
    alwaysUv: false,
    minPinLength: ctx.config.minPinLength,
    minPinLengthRpIds: [],
    enterpriseAttestation: false,
    longTouchForReset: false,
  });
}

export function pinIsSet(ctx: CommandContext): boolean {
  return loadPin(ctx) !== undefined;
}

/** "Protected by some form of user verification" in the spec's words: a PIN, or enrolled UV. */
export function isProtected(ctx: CommandContext): boolean {
  return builtInUvReady(ctx) || pinIsSet(ctx);
}

/**
 * performBuiltInUv(): a match resets the retries and counts as a touch too (a finger on the
 * sensor); no match costs a retry (UV_INVALID, then UV_BLOCKED at zero).
 */
export async function performBuiltInUv(ctx: CommandContext, request: PresenceRequest): Promise<void> {
  const retries = loadUvRetries(ctx.env, ctx.config.maxUvRetries);
  if (retries === 0) throw new CtapError(Status.CTAP2_ERR_UV_BLOCKED, 'built-in user verification is blocked');
  const verify = ctx.env.userVerification;
  const result = !verify ? 'match' : answerNow(ctx, ctx.env.userVerificationNow?.(request)) ?? await waitForUser(ctx, (signal) => verify(request, signal));
  if (result === 'timeout') throw new CtapError(Status.CTAP2_ERR_USER_ACTION_TIMEOUT, 'no finger in time');
  ctx.session.uvCount.next(ctx.env); // a store write once per UV_COUNT_RESERVATION verifications
  if (result === 'match') {
    if (retries !== ctx.config.maxUvRetries) saveUvRetries(ctx.env, ctx.config.maxUvRetries);
    return;
  }
  saveUvRetries(ctx.env, retries - 1);
  if (retries - 1 === 0) throw new CtapError(Status.CTAP2_ERR_UV_BLOCKED, 'built-in user verification is now blocked');
  throw new CtapError(Status.CTAP2_ERR_UV_INVALID, 'user verification failed');
}
