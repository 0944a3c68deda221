// authenticatorReset (CTAP 2.1 §6.6): wipe every credential and the master secret.
import { requireUserPresence } from '../presence.js';
import type { CommandContext } from '../state.js';
import { CtapError, Status } from '../../ctap/status.js';

export async function reset(ctx: CommandContext): Promise<void> {
  // Only shortly after power-up, so malware cannot wipe a key that has been plugged in for long.
  const window = ctx.config.resetWindowMs;
  if (window !== null && ctx.env.now() - ctx.state.powerUpAt > window) {
    throw new CtapError(Status.CTAP2_ERR_NOT_ALLOWED, `reset is allowed only within ${window / 1000} s of power-up`);
  }
  await requireUserPresence(ctx, { command: 'reset' });
  ctx.env.store.wipe();
  ctx.state.nextAssertion = undefined;
  ctx.state.resetToken();
  ctx.state.pinMismatches = 0;
}
