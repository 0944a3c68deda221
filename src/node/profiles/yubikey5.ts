// A YubiKey 5-like CTAP 2.1 key (firmware 5.7). Facts from a public getInfo dump: the example output
// of Get-YubikeyFIDO2 in Yubico's powershellYK documentation ("Yubikey 5.7 FIDO2 capabilities").
// The AAGUID is ctap-emu's own for this profile, never Yubico's, and the attestation is ctap-emu's:
// an RP's metadata check must not take this key for a YubiKey.
import { CoseAlg } from '../../ctap/cose.js';
import { uuid, type DeviceProfile } from './types.js';

export const yubikey5: DeviceProfile = {
  name: 'yubikey5',
  description: 'YubiKey 5-like (firmware 5.7): CTAP 2.1 with the 2.1 preview, PIN protocols 2 and 1, 100 passkeys',
  source: 'Get-YubikeyFIDO2 example output (Yubico powershellYK docs, "Yubikey 5.7 FIDO2 capabilities")',
  ctap2: true,
  config: {
    aaguid: uuid('5bc6dcea-7b43-4fe1-902d-621d0e701997'),
    ctapVersions: ['FIDO_2_0', 'FIDO_2_1_PRE', 'FIDO_2_1'],
    extensions: ['credProtect', 'hmac-secret', 'largeBlobKey', 'credBlob', 'minPinLength'],
    algorithms: [CoseAlg.ES256, CoseAlg.EdDSA, CoseAlg.ES384],
    maxMsgSize: 1280,
    maxCredentialCountInList: 8,
    firmwareVersion: 329473, // 0x050701: 5.7.1
    maxDiscoverableCredentials: 100,
    maxRpIdsForSetMinPinLength: 1,
    // Not listed (ep): enterprise attestation is for the enterprise editions only.
    enterpriseAttestation: false,
    // maxCredentialIdLength is this key's own (its IDs are shorter than the dump's 128).
  },
};
