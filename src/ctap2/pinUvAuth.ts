// pinUvAuthParam handling shared by makeCredential and getAssertion (CTAP 2.1 §6.1.2 steps 1-2,
// §6.2.2 steps 1-2). This key has no PIN yet, so a request carrying a pinUvAuthParam cannot be
// verified: the probe form (zero length) gets PIN_NOT_SET after a touch, as browsers expect.
import { requireUserPresence } from './presence.js';
import type { PresenceRequest } from './env.js';
import type { CommandContext } from './state.js';
import { CtapError, Status } from './status.js';

export const SUPPORTED_PIN_UV_AUTH_PROTOCOLS: readonly number[] = [];

export async function checkPinUvAuthParam(
  ctx: CommandContext,
  pinUvAuthParam: Uint8Array | undefined,
  pinUvAuthProtocol: number | undefined,
  request: PresenceRequest,
): Promise<void> {
  if (pinUvAuthParam === undefined) return;
  if (pinUvAuthParam.length === 0) {
    await requireUserPresence(ctx, { ...request, probe: true });
    throw new CtapError(Status.CTAP2_ERR_PIN_NOT_SET, 'zero-length pinUvAuthParam: no PIN is set');
  }
  if (pinUvAuthProtocol === undefined) throw new CtapError(Status.CTAP2_ERR_MISSING_PARAMETER, 'pinUvAuthProtocol');
  if (!SUPPORTED_PIN_UV_AUTH_PROTOCOLS.includes(pinUvAuthProtocol)) {
    throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, 'unsupported pinUvAuthProtocol');
  }
  throw new CtapError(Status.CTAP2_ERR_PIN_NOT_SET, 'no PIN is set');
}
