// A key with neither PIN nor built-in UV: getInfo has no clientPin, uv or pinUvAuthProtocols (CTAP 2.1
// §6.4: an absent option is an unsupported one) and clientPIN is an unknown command, so it can never
// verify the user: RPs that require UV must refuse it. Without clientPIN there is no hmac-secret (its
// key agreement is clientPIN's) and no token for credential management. No vendor's dump: the spec's
// key without user verification, otherwise ctap-emu's at CTAP 2.1. The AAGUID is ctap-emu's own.
import { Command } from '../../ctap/constants.js';
import { uuid, type DeviceProfile } from './types.js';

const C = Command;

export const noPin: DeviceProfile = {
  name: 'no-pin',
  description: 'no PIN and no UV: user presence only; rk, credProtect, credBlob; CTAP 2.1',
  source: 'CTAP 2.1 §6.4 (clientPin and uv absent); no vendor dump',
  ctap2: true,
  config: {
    aaguid: uuid('77745b5f-70f3-49ad-b82e-ce97ced8b130'),
    ctapVersions: ['FIDO_2_0', 'FIDO_2_1'],
    commands: [C.authenticatorMakeCredential, C.authenticatorGetAssertion, C.authenticatorGetInfo, C.authenticatorReset, C.authenticatorGetNextAssertion, C.authenticatorSelection],
    clientPin: false,
    pinUvAuthToken: false,
    extensions: ['credProtect', 'credBlob'],
  },
};
