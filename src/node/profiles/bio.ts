// A biometric key with built-in UV (a fingerprint), YubiKey Bio-like: CTAP 2.1, PIN as the fallback,
// tokens from the sensor (getPinUvAuthTokenUsingUvWithPermissions). Facts: the getInfo dump of a
// YubiKey Bio in gebogebogebo/ctap-hid-fido2's README_Get_Info.md (versions U2F_V2, FIDO_2_0,
// FIDO_2_1_PRE, FIDO_2_1; uv, pinUvAuthToken; maxMsgSize 1200; protocols [2, 1]; ES256, EdDSA;
// uvModality 2, fingerprint; firmware 328966; bioEnroll). Fingers are enrolled over CTAP
// (authenticatorBioEnrollment); the key starts with one enrolled, "finger 1", as its owner would have
// set it up (the fingerprints option: [] for a key out of its box), and with alwaysUv off.
// The AAGUID is ctap-emu's own for this profile, never Yubico's; so is the attestation.
import { CoseAlg } from '../../ctap/cose.js';
import { uuid, type DeviceProfile } from './types.js';

export const bio: DeviceProfile = {
  name: 'bio',
  description: 'YubiKey Bio-like: built-in fingerprint UV (tokens from the sensor), PIN fallback, CTAP 2.1',
  source: 'YubiKey Bio getInfo dump in gebogebogebo/ctap-hid-fido2 README_Get_Info.md',
  ctap2: true,
  builtInUv: true,
  config: {
    aaguid: uuid('4d3d5da1-b9cc-46f8-a63e-34414dd5b777'),
    ctapVersions: ['FIDO_2_0', 'FIDO_2_1_PRE', 'FIDO_2_1'],
    extensions: ['credProtect', 'hmac-secret', 'largeBlobKey', 'credBlob', 'minPinLength'],
    algorithms: [CoseAlg.ES256, CoseAlg.EdDSA],
    builtInUv: true,
    bioEnrollment: true,
    maxMsgSize: 1200,
    maxCredentialCountInList: 8,
    firmwareVersion: 328966, // 0x050506: 5.5.6
    maxDiscoverableCredentials: 25,
    maxRpIdsForSetMinPinLength: 1,
    enterpriseAttestation: false,
  },
};
