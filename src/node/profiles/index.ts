// The device profiles by name (serve --profile, new VirtualAuthenticator({ profile })).
import { bio } from './bio.js';
import { defaultProfile } from './default.js';
import { fido20 } from './fido20.js';
import { noPin } from './no-pin.js';
import { noRk } from './no-rk.js';
import { solo } from './solo.js';
import type { DeviceProfile } from './types.js';
import { u2f } from './u2f.js';
import { yubikey5 } from './yubikey5.js';

export type { DeviceProfile } from './types.js';

export const PROFILES: readonly DeviceProfile[] = [defaultProfile, yubikey5, solo, fido20, u2f, noRk, noPin, bio];

/** The profile of that name; RangeError naming those there are otherwise. */
export function profileNamed(name: string): DeviceProfile {
  const p = PROFILES.find((x) => x.name === name);
  if (!p) throw new RangeError(`unknown profile "${name}" (${PROFILES.map((x) => x.name).join(', ')})`);
  return p;
}
