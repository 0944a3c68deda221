// The default profile: ctap-emu's own CTAP 2.3 key, as it is without a profile.
import type { DeviceProfile } from './types.js';

export const defaultProfile: DeviceProfile = {
  name: 'default',
  description: "ctap-emu's own CTAP 2.3 key: every command and extension it implements, PIN, rk, U2F",
  source: 'ctap-emu (README "What works")',
  ctap2: true,
  config: {},
};
