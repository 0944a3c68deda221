// Several keys at once, as when two security keys are plugged in: N VirtualAuthenticators, each
// with its own store, presence policy, PIN and CTAPHID device (hosts reach each through connect()).
import { VirtualAuthenticator, type VirtualAuthenticatorOptions } from './virtual.js';

/** More keys than anyone plugs in at once; each serve key holds a store and a device or port. */
export const MAX_KEYS = 16;

/**
 * `n` independent keys. `options` is every key's, or a function of the key's index (0-based) for
 * keys that differ (a store file each, another presence policy). Default: memory stores.
 */
export function createKeys(
  n: number,
  options: VirtualAuthenticatorOptions | ((index: number) => VirtualAuthenticatorOptions) = {},
): VirtualAuthenticator[] {
  if (!Number.isInteger(n) || n < 1 || n > MAX_KEYS) throw new RangeError(`the number of keys must be 1-${MAX_KEYS}, got ${n}`);
  const keys: VirtualAuthenticator[] = [];
  const stores: unknown[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const o = typeof options === 'function' ? options(i) : options;
      // One store cannot back two keys: each would seal with the other's secrets.
      const store = o.store ?? 'memory';
      if (store !== 'memory' && stores.some((s) => s === store)) throw new RangeError(`key ${i}: each key needs a store of its own`);
      stores.push(store);
      keys.push(new VirtualAuthenticator(o));
    }
  } catch (e) {
    for (const k of keys) k.close();
    throw e;
  }
  return keys;
}
