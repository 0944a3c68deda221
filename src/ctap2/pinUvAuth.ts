// User verification for makeCredential and getAssertion: the pinUvAuthParam checks, the uv
// option and alwaysUv (CTAP 2.1 §6.1.2 steps 1-2, 5-6, 11, 14; §6.2.2 steps 1-2, 3-6, 9).
import { encodeCbor, rawCbor, type CborMap } from '../ctap/cbor.js';
import type { PresenceRequest } from './env.js';
import { protocolFor, verifyMac } from '../ctap/pinUvAuthProtocol.js';
import { performBuiltInUv, pinIsSet } from './pin/verification.js';
import { builtInUvReady } from './pin/fingerprints.js';
import { requireUserPresence } from './presence.js';
import type { CommandContext } from './context.js';
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
 * subCommandParams as the MAC covers them: the bytes the host sent (a host's valid non-canonical
 * encoding, or a float the parser refuses later, must not change what is authenticated).
 */
export function paramBytes(params: CborMap | undefined): Uint8Array {
  return params === undefined ? new Uint8Array(0) : (rawCbor(params) ?? encodeCbor(params));
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
  if (!verifyMac(protocolFor(req.pinUvAuthProtocol, ctx.crypto), ctx.session.token.value, message, req.pinUvAuthParam)) {
    throw new CtapError(Status.CTAP2_ERR_PIN_AUTH_INVALID, 'pinUvAuthParam does not verify');
  }
  ctx.session.token.authorize(ctx.env.now(), req.pinUvAuthProtocol, permission, rpId, bindRpId);
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
  protocolFor(input.pinUvAuthProtocol, ctx.crypto);
}

/** How the user will be verified: with the pinUvAuthToken, the built-in method, or not at all. */
export type UvMethod = 'token' | 'builtIn' | 'none';

/**
 * makeCredential steps 5-6, getAssertion steps 3-4: the uv option and alwaysUv. alwaysUv applies
 * only when user presence is asked for (getAssertion with up=false is a silent probe, §6.2.2 step 4).
 */
export function chooseUvMethod(ctx: CommandContext, input: UvInput, up: boolean): UvMethod {
  if (input.pinUvAuthParam !== undefined) return 'token'; // the uv option is then ignored
  let builtIn = input.uvOption;
  // No sensor, or one with no finger enrolled yet (§6.1.2 step 5: both INVALID_OPTION).
  if (builtIn && !builtInUvReady(ctx)) {
    throw new CtapError(Status.CTAP2_ERR_INVALID_OPTION, 'uv: no built-in user verification ready');
  }
  if (!builtIn && up && ctx.settings().alwaysUv) {
    if (!builtInUvReady(ctx)) throw new CtapError(Status.CTAP2_ERR_PUAT_REQUIRED, 'alwaysUv is on');
    builtIn = true;
  }
  return builtIn ? 'builtIn' : 'none';
}

/** makeCredential step 11, getAssertion step 6: check the token, or perform built-in verification. */
export async function verifyUser(ctx: CommandContext, input: UvInput, method: UvMethod): Promise<UvOutcome> {
  if (method === 'token') {
    // The token's MAC over clientDataHash, then its permissions; binds the RP ID on first use.
    requireTokenMac(ctx, input, input.clientDataHash, input.permission, input.rpId, true);
    return { uv: true, tokenUsed: true, userPresent: ctx.session.token.userPresentFlag };
  }
  if (method === 'builtIn') {
    await performBuiltInUv(ctx, input.presence);
    return { uv: true, tokenUsed: false, userPresent: true };
  }
  return { uv: false, tokenUsed: false, userPresent: false };
}

/** makeCredential steps 13-14, getAssertion step 9: a touch unless one was already had; then a used token's flags are spent. */
export async function collectPresence(ctx: CommandContext, outcome: UvOutcome, presence: PresenceRequest): Promise<void> {
  if (!outcome.userPresent) {
    const touch = requireUserPresence(ctx, presence);
    if (touch) await touch; // an answer given at once costs no wait
  }
  if (outcome.tokenUsed) ctx.session.token.consume();
}
