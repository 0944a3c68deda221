// A key without resident keys (discoverable credentials): getInfo says rk false and makeCredential
// with rk answers CTAP2_ERR_UNSUPPORTED_OPTION (CTAP 2.1 §6.1.2 step 5; §6.4 "rk"), as first-generation
// FIDO2 keys with no credential storage did. Without storage there is no credential management, no
// large blobs, no credBlob or largeBlobKey. No vendor's dump: the spec's rk=false key, otherwise
// ctap-emu's at CTAP 2.1. The AAGUID is ctap-emu's own.
import { Command } from '../../ctap/constants.js';
import { CTAP20_COMMANDS, uuid, type DeviceProfile } from './types.js';

export const noRk: DeviceProfile = {
  name: 'no-rk',
  description: 'no resident keys: rk false (refused), server-side credentials only; PIN, CTAP 2.1',
  source: 'CTAP 2.1 §6.4 (rk false) and §6.1.2 step 5; no vendor dump',
  ctap2: true,
  config: {
    aaguid: uuid('a65145a0-2719-4509-95fb-d4a4db9f8d4b'),
    ctapVersions: ['FIDO_2_0', 'FIDO_2_1'],
    commands: [...CTAP20_COMMANDS, Command.authenticatorSelection, Command.authenticatorConfig],
    residentKeys: false,
    extensions: ['credProtect', 'hmac-secret', 'minPinLength'],
    maxDiscoverableCredentials: 0,
  },
};
