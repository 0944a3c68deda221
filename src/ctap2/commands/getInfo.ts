// authenticatorGetInfo (CTAP 2.3 §6.4): what this key is and supports.
import type { CborEncodable } from '../../ctap/cbor.js';
import { CREDENTIAL_ID_LENGTH } from '../credentialId.js';
import { loadPin, type DeviceSettings } from '../pin/persistent.js';
import { pinIsSet } from '../pin/verification.js';
import type { CommandContext } from '../context.js';
import { GetInfoKey } from '../../ctap/keys.js';
import { CRED_BLOB, MAX_CRED_BLOB_LENGTH } from '../extensions/credBlob.js';
import { LARGE_BLOB_KEY } from '../extensions/largeBlobKey.js';
import { MAX_SERIALIZED_LARGE_BLOB_ARRAY } from './largeBlobs.js';
import { ctap1Versions } from '../ctap1/version.js';
import { encCredStoreState, encIdentifier } from '../pin/persistentToken.js';
import { loadUvCount } from '../pin/persistent.js';
import { CONFIG_COMMANDS } from './config.js';
import { MAX_PIN_CODE_POINTS } from '../pin/pinCheck.js';

/** Extensions this key implements, as getInfo lists them. */
export const EXTENSIONS = ['credProtect', 'hmac-secret', CRED_BLOB, LARGE_BLOB_KEY, 'minPinLength', 'hmac-secret-mc', 'thirdPartyPayment'] as const;

function options(ctx: CommandContext, settings: DeviceSettings): Record<string, boolean | undefined> {
  return {
    rk: true,
    up: true,
    plat: false,
    uv: ctx.config.builtInUv ? true : undefined,
    clientPin: pinIsSet(ctx),
    pinUvAuthToken: true,
    credMgmt: true,
    makeCredUvNotRqd: !settings.alwaysUv,
    alwaysUv: settings.alwaysUv,
    authnrCfg: true,
    setMinPINLength: true,
    largeBlobs: true,
    ep: ctx.config.enterpriseAttestation ? settings.enterpriseAttestation : undefined,
    perCredMgmtRO: true,
  };
}

export function getInfo(ctx: CommandContext): Map<number, CborEncodable | undefined> {
  const { config, env } = ctx;
  const uv = config.builtInUv;
  const settings = ctx.settings();
  // DESIGN.md getInfo rules: no duplicate versions, 16-byte aaguid, boolean options,
  // algorithms as {alg, type} maps, pinUvAuthProtocols with clientPin / pinUvAuthToken.
  return new Map<number, CborEncodable | undefined>([
    // CTAP 2.3 §6.4: there is no FIDO_2_2; a 2.3 key lists FIDO_2_3 after the versions it also speaks.
    [GetInfoKey.versions, [...ctap1Versions(settings), 'FIDO_2_0', 'FIDO_2_1', 'FIDO_2_3']],
    [GetInfoKey.extensions, [...EXTENSIONS]],
    [GetInfoKey.aaguid, config.aaguid],
    [GetInfoKey.options, options(ctx, settings)],
    [GetInfoKey.maxMsgSize, config.maxMsgSize],
    [GetInfoKey.pinUvAuthProtocols, [2, 1]],
    [GetInfoKey.maxCredentialCountInList, config.maxCredentialCountInList],
    [GetInfoKey.maxCredentialIdLength, CREDENTIAL_ID_LENGTH],
    [GetInfoKey.transports, ['usb']],
    [GetInfoKey.algorithms, config.algorithms.map((alg) => ({ alg, type: 'public-key' }))],
    [GetInfoKey.maxSerializedLargeBlobArray, MAX_SERIALIZED_LARGE_BLOB_ARRAY],
    [GetInfoKey.forcePINChange, loadPin(ctx)?.forceChange ?? false],
    [GetInfoKey.minPINLength, settings.minPinLength],
    [GetInfoKey.firmwareVersion, config.firmwareVersion],
    [GetInfoKey.maxCredBlobLength, MAX_CRED_BLOB_LENGTH],
    [GetInfoKey.maxRPIDsForSetMinPINLength, config.maxRpIdsForSetMinPinLength || undefined],
    [GetInfoKey.preferredPlatformUvAttempts, uv ? 1 : undefined],
    [GetInfoKey.uvModality, uv ? 0x02 : undefined], // fingerprint (FIDO registry USER_VERIFY_FINGERPRINT)
    [
      GetInfoKey.remainingDiscoverableCredentials,
      Math.max(0, config.maxDiscoverableCredentials - env.store.count()),
    ],
    // "none" is implied, and left out (CTAP 2.2 §6.4).
    [GetInfoKey.attestationFormats, ['packed']],
    [GetInfoKey.uvCountSinceLastPinEntry, uv ? loadUvCount(env) : undefined],
    [GetInfoKey.longTouchForReset, settings.longTouchForReset],
    // Under the persistent token: only the host holding it reads them; a new IV each time.
    [GetInfoKey.encIdentifier, encIdentifier(ctx)],
    [GetInfoKey.transportsForReset, ['usb']],
    // No policy beyond the minimum length is enforced.
    [GetInfoKey.pinComplexityPolicy, false],
    [GetInfoKey.maxPINLength, MAX_PIN_CODE_POINTS],
    [GetInfoKey.encCredStoreState, encCredStoreState(ctx)],
    [GetInfoKey.authenticatorConfigCommands, [...CONFIG_COMMANDS]],
  ]);
}
