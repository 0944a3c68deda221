// A FIDO 2.0-only key: no pinUvAuthToken, credMgmt, authnrCfg or largeBlobs (those commands answer
// CTAP1_ERR_INVALID_COMMAND), PIN protocol 1, hmac-secret only. Facts: google/CTAP2-test-tool's report
// on TOKEN2's "FIDO2 Security Key" (versions U2F_V2, FIDO_2_0; options rk, up, clientPin; extension
// hmac-secret) and the NEOWAVE Winkeo FIDO2 getInfo dump (FIDO_2_0, pinProtocols [1], maxMsgSize 2048)
// in bibi21000/PyCoffer docs/dev/adaptaters.rst. The AAGUID is ctap-emu's own; so is the attestation.
import { CoseAlg } from '../../ctap/cose.js';
import { CTAP20_COMMANDS, uuid, type DeviceProfile } from './types.js';

export const fido20: DeviceProfile = {
  name: 'fido20',
  description: 'FIDO 2.0 only: makeCredential, getAssertion, clientPIN (protocol 1, getPinToken), reset; hmac-secret',
  source: 'google/CTAP2-test-tool report "FIDO2 Security Key" (TOKEN2); NEOWAVE Winkeo FIDO2 dump (bibi21000/PyCoffer)',
  ctap2: true,
  config: {
    aaguid: uuid('b618570c-f5e8-40a8-a062-5750e28041a0'),
    ctapVersions: ['FIDO_2_0'],
    commands: CTAP20_COMMANDS,
    extensions: ['hmac-secret'],
    algorithms: [CoseAlg.ES256],
    pinUvAuthToken: false,
    pinUvAuthProtocols: [1],
    maxMsgSize: 2048,
    maxCredentialCountInList: 8,
    maxDiscoverableCredentials: 25,
  },
};
