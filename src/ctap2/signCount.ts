// The signature counter for one use of a credential (an assertion, a U2F authentication, a
// non-discoverable registration), under the counter model the environment picks for it.
import type { CommandContext } from './context.js';
import { countUnder, PER_CREDENTIAL } from './counterModel.js';

/**
 * The value to sign with, stored before it is returned; undefined when a stored credential is gone
 * (deleted while the user was being asked). Stored credentials keep the last value they gave;
 * the key's own non-discoverable ones share the key's global counter.
 */
export function nextSignCount(ctx: CommandContext, id: Uint8Array, stored: boolean): number | undefined {
  const { env, session } = ctx;
  const model = env.counterModel?.(id) ?? PER_CREDENTIAL;
  // The default: the store's per-credential counter, reserved ahead (keystore/reservedCounters.ts).
  if (model.name === 'per-credential') return stored ? env.store.nextSignCount(id) : session.globalCounter.next(env);
  if (model.name === 'global') {
    if (stored && !env.store.get(id)) return undefined;
    const value = session.globalCounter.next(env);
    if (stored) env.store.setSignCount(id, value);
    return value;
  }
  // The key's global counter is shared: 'zero' leaves it where it was.
  if (!stored) return model.name === 'zero' ? 0 : session.globalCounter.moveTo(env, countUnder(model, session.globalCounter.last(env)));
  const credential = env.store.get(id);
  if (!credential) return undefined;
  const value = countUnder(model, credential.signCount);
  env.store.setSignCount(id, value);
  return value;
}
