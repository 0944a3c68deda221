// The signature counter shared by non-discoverable credentials (they have no row of their own).
import type { AuthenticatorEnv } from './env.js';

const GLOBAL_COUNTER = 'globalSignCount';

/** The next value of the global counter, stored before it is used. */
export function nextGlobalCounter(env: AuthenticatorEnv): number {
  const raw = env.store.getMeta(GLOBAL_COUNTER);
  const next = ((raw ? new DataView(raw.buffer, raw.byteOffset).getUint32(0) : 0) + 1) >>> 0;
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, next);
  env.store.setMeta(GLOBAL_COUNTER, out);
  return next;
}
