// A Solo-like key (SoloKeys Solo, firmware 4.0): FIDO 2.0 with the 2.1 preview's credential
// management, PIN protocol 1 only. Facts: google/CTAP2-test-tool's report on "Solo 4.0.0"
// (versions FIDO_2_0, FIDO_2_1_PRE, U2F_V2; options rk, up, credMgmt, clientPin; extensions
// hmac-secret, credProtect) and the solo1 firmware's getInfo (maxMsgSize 1200, pinProtocols [1]).
// The AAGUID is ctap-emu's own for this profile, never SoloKeys'; the attestation is ctap-emu's.
import { Command } from '../../ctap/constants.js';
import { CoseAlg } from '../../ctap/cose.js';
import { CTAP20_COMMANDS, uuid, type DeviceProfile } from './types.js';

export const solo: DeviceProfile = {
  name: 'solo',
  description: 'Solo-like (firmware 4.0): FIDO 2.0 + 2.1 preview credential management, PIN protocol 1, hmac-secret and credProtect',
  source: 'google/CTAP2-test-tool report "Solo 4.0.0"; solokeys/solo firmware getInfo',
  ctap2: true,
  config: {
    aaguid: uuid('34c6d54c-87ac-4001-a18b-437068ed8bff'),
    ctapVersions: ['FIDO_2_0', 'FIDO_2_1_PRE'],
    commands: [...CTAP20_COMMANDS, Command.authenticatorCredentialManagement, Command.authenticatorCredentialManagementPreview],
    extensions: ['hmac-secret', 'credProtect'],
    algorithms: [CoseAlg.ES256, CoseAlg.EdDSA],
    pinUvAuthToken: false,
    pinUvAuthProtocols: [1],
    maxMsgSize: 1200,
    maxCredentialCountInList: 20,
    maxDiscoverableCredentials: 50,
    firmwareVersion: 0x04000000,
    // getInfo also says credentialMgmtPreview: this key answers the preview number (0x41), which
    // libfido2 sends, besides 0x0A; the report lists credMgmt alone.
  },
};
