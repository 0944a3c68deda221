// authenticatorReset (CTAP 2.1 §6.6): wipe every credential and the master secret.
import { requireUserPresence } from '../presence.js';
import { saveTemplates } from '../pin/fingerprints.js';
import type { CommandContext } from '../context.js';
import { CtapError, Status } from '../../ctap/status.js';

export async function reset(ctx: CommandContext): Promise<void> {
  // Only shortly after power-up, so malware cannot wipe a key that has been plugged in for long.
  const window = ctx.config.resetWindowMs;
  if (window !== null && ctx.env.now() - ctx.session.powerUpAt > window) {
    throw new CtapError(Status.CTAP2_ERR_NOT_ALLOWED, `reset is allowed only within ${window / 1000} s of power-up`);
  }
  await requireUserPresence(ctx, { command: 'reset', ...(ctx.settings().longTouchForReset ? { longTouch: true } : {}) });
  wipe(ctx);
}

/** What reset takes away, however it is asked for (the command, or the automation's reset). */
export function wipe(ctx: Pick<CommandContext, 'env' | 'config' | 'keys' | 'crypto' | 'session'>): void {
  ctx.env.store.wipe();
  // A sensor that enrolls fingers forgets them: recorded as none, not as never set up (fingerprints.ts).
  if (ctx.config.bioEnrollment) saveTemplates(ctx.env, []);
  // The master secret went with the store: the keys derived from it, and any key the crypto keeps, go too.
  ctx.keys.reset();
  ctx.crypto.forget?.();
  // As at power-up (§6.5.6 initialize()): new key agreement keys, a new token, no walks.
  ctx.session.afterReset();
}
