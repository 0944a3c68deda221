// User verification for makeCredential and getAssertion: the pinUvAuthParam checks, the uv
// option and alwaysUv (CTAP 2.1 §6.1.2 steps 1-2, 5-6, 11; §6.2.2 steps 1-2, 5-6).
import type { PresenceRequest } from './env.js';
import { protocolFor, verifyMac } from '../ctap/pinUvAuthProtocol.js';
import { deviceSettings, performBuiltInUv, pinIsSet } from './pin/verification.js';
import { requireUserPresence } from './presence.js';
import type { CommandContext } from './state.js';
import { CtapError, Status } from '../ctap/status.js';

export interface UvInput {
  /** The token permission the command needs (mc or ga). */
  permission: number;
  rpId: string;
  clientDataHash: Uint8Array;
  pinUvAuthParam?: Uint8Array;
  pinUvAuthProtocol?: number;
  /** The request's "uv" option. */
  uvOption: boolean;
  presence: PresenceRequest;
}

/** The UvInput of a makeCredential or getAssertion request. */
export function uvInputOf(
  permission: number,
  rpId: string,
  presence: PresenceRequest,
  req: { clientDataHash: Uint8Array; pinUvAuthParam?: Uint8Array; pinUvAuthProtocol?: number; options: Map<string, boolean> },
): UvInput {
  return {
    permission,
    rpId,
    clientDataHash: req.clientDataHash,
    pinUvAuthParam: req.pinUvAuthParam,
    pinUvAuthProtocol: req.pinUvAuthProtocol,
    uvOption: req.options.get('uv') === true,
    presence,
  };
}

/**
 * For commands other than makeCredential and getAssertion (credentialManagement §6.8.2,
 * authenticatorConfig §6.11.1): a pinUvAuthParam is required, its MAC over `message` must verify
 * with the token, and the token must have `permission` (and fit `rpId` when given).
 */
export function requireTokenMac(
  ctx: CommandContext,
  req: { pinUvAuthParam?: Uint8Array; pinUvAuthProtocol?: number },
  message: Uint8Array,
  permission: number,
  rpId?: string,
  bindRpId = false,
): void {
  if (req.pinUvAuthParam === undefined) throw new CtapError(Status.CTAP2_ERR_PUAT_REQUIRED, 'this command needs a pinUvAuthToken');
  if (req.pinUvAuthProtocol === undefined) throw new CtapError(Status.CTAP2_ERR_MISSING_PARAMETER, 'pinUvAuthProtocol');
  if (!verifyMac(protocolFor(req.pinUvAuthProtocol), ctx.state.token.value, message, req.pinUvAuthParam)) {
    throw new CtapError(Status.CTAP2_ERR_PIN_AUTH_INVALID, 'pinUvAuthParam does not verify');
  }
  ctx.state.token.authorize(ctx.env.now(), permission, rpId, bindRpId);
}

export interface UvOutcome {
  /** The user was verified: the UV flag goes into the authenticator data. */
  uv: boolean;
  /** A pinUvAuthToken was used: its flags and permissions are spent once presence is collected. */
  tokenUsed: boolean;
  /** Presence is already established (a finger on the sensor, or the token's userPresent flag). */
  userPresent: boolean;
}

/** Steps 1-2, before anything else is checked: the probe, and the protocol of a real pinUvAuthParam. */
export async function pinUvAuthPreamble(ctx: CommandContext, input: UvInput): Promise<void> {
  const param = input.pinUvAuthParam;
  if (param === undefined) return;
  // Step 1: the zero-length pinUvAuthParam is the browsers' "touch the key" probe.
  if (param.length === 0) {
    await requireUserPresence(ctx, { ...input.presence, probe: true });
    throw pinIsSet(ctx)
      ? new CtapError(Status.CTAP2_ERR_PIN_INVALID, 'zero-length pinUvAuthParam')
      : new CtapError(Status.CTAP2_ERR_PIN_NOT_SET, 'zero-length pinUvAuthParam: no PIN is set');
  }
  // Step 2: the protocol must be named and supported.
  if (input.pinUvAuthProtocol === undefined) throw new CtapError(Status.CTAP2_ERR_MISSING_PARAMETER, 'pinUvAuthProtocol');
  protocolFor(input.pinUvAuthProtocol);
}

/** Steps 5-6 and 11, after the request's own checks; call pinUvAuthPreamble first. */
export async function establishUserVerification(ctx: CommandContext, input: UvInput): Promise<UvOutcome> {
  if (input.pinUvAuthParam !== undefined) {
    // Step 11.1: the token's MAC over clientDataHash, then its permissions; binds the RP ID on first use.
    requireTokenMac(ctx, input, input.clientDataHash, input.permission, input.rpId, true);
    return { uv: true, tokenUsed: true, userPresent: ctx.state.token.userPresentFlag };
  }
  // Step 5: the uv option asks for built-in verification (ignored when a pinUvAuthParam came).
  let builtIn = input.uvOption;
  if (builtIn && !ctx.config.builtInUv) {
    throw new CtapError(Status.CTAP2_ERR_INVALID_OPTION, 'uv: no built-in user verification');
  }
  // Step 6: alwaysUv turns every request into a verified one.
  if (!builtIn && deviceSettings(ctx).alwaysUv) {
    if (!ctx.config.builtInUv) throw new CtapError(Status.CTAP2_ERR_PUAT_REQUIRED, 'alwaysUv is on');
    builtIn = true;
  }
  if (builtIn) {
    await performBuiltInUv(ctx, input.presence);
    return { uv: true, tokenUsed: false, userPresent: true };
  }
  return { uv: false, tokenUsed: false, userPresent: false };
}

/** Steps 14/9: a touch unless one was already had; then a used token's flags are spent. */
export async function collectPresence(ctx: CommandContext, outcome: UvOutcome, presence: PresenceRequest): Promise<void> {
  if (!outcome.userPresent) await requireUserPresence(ctx, presence);
  if (outcome.tokenUsed) ctx.state.token.consume();
}
