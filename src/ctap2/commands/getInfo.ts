// authenticatorGetInfo (CTAP 2.3 §6.4): what this key is and supports.
import type { CborEncodable } from '../../ctap/cbor.js';
import { CREDENTIAL_ID_LENGTH } from '../credentialId.js';
import { loadPin, type DeviceSettings } from '../pin/persistent.js';
import { pinIsSet } from '../pin/verification.js';
import type { CommandContext } from '../context.js';
import { GetInfoKey } from '../../ctap/keys.js';
import { CRED_BLOB, MAX_CRED_BLOB_LENGTH } from '../extensions/credBlob.js';
import { MAX_SERIALIZED_LARGE_BLOB_ARRAY } from './largeBlobs.js';
import { ctap1Versions } from '../ctap1/version.js';
import { encCredStoreState, encIdentifier } from '../pin/persistentToken.js';
import { CONFIG_COMMANDS } from './config.js';
import { MAX_PIN_CODE_POINTS } from '../pin/pinCheck.js';
import { Command } from '../../ctap/constants.js';
import { builtInUvReady, enrolledTemplates } from '../pin/fingerprints.js';
import { commandEnabled, credMgmtOptions, extensionsOf, infoLevel } from '../features.js';

const C = Command;

function options(ctx: CommandContext, settings: DeviceSettings): Record<string, boolean | undefined> {
  const { config } = ctx;
  const has = (command: number): boolean => commandEnabled(config, command);
  const authnrCfg = has(C.authenticatorConfig);
  const level = infoLevel(config);
  return {
    rk: config.residentKeys,
    up: true,
    plat: false,
    // A sensor says whether it can verify now (a finger enrolled); bioEnroll whether any finger is.
    uv: config.builtInUv ? builtInUvReady(ctx) : undefined,
    bioEnroll: config.builtInUv && config.bioEnrollment ? enrolledTemplates(ctx.env).length > 0 : undefined,
    clientPin: config.clientPin ? pinIsSet(ctx) : undefined,
    pinUvAuthToken: config.pinUvAuthToken || undefined,
    ...credMgmtOptions(config),
    // Both CTAP 2.1 (pinUvAuthToken is what a 2.1 key has): a 2.0 key says neither.
    makeCredUvNotRqd: config.pinUvAuthToken ? !settings.alwaysUv : undefined,
    alwaysUv: authnrCfg ? settings.alwaysUv : undefined,
    authnrCfg: authnrCfg || undefined,
    setMinPINLength: (authnrCfg && config.clientPin) || undefined,
    largeBlobs: (has(C.authenticatorLargeBlobs) && config.residentKeys) || undefined,
    ep: authnrCfg && config.enterpriseAttestation ? settings.enterpriseAttestation : undefined,
    perCredMgmtRO: (level === '2.3' && has(C.authenticatorCredentialManagement)) || undefined,
  };
}

type Members = [number, CborEncodable | undefined][];

/** CTAP 2.1's members (§6.4 0x09-0x14): left out of a FIDO 2.0 key's getInfo. */
function ctap21Members(ctx: CommandContext, settings: DeviceSettings): Members {
  const { config, env } = ctx;
  const uv = config.builtInUv;
  const extensions = extensionsOf(config);
  const authnrCfg = commandEnabled(config, C.authenticatorConfig);
  const largeBlobs = commandEnabled(config, C.authenticatorLargeBlobs) && config.residentKeys;
  return [
    [GetInfoKey.transports, ['usb']],
    [GetInfoKey.algorithms, config.algorithms.map((alg) => ({ alg, type: 'public-key' }))],
    [GetInfoKey.maxSerializedLargeBlobArray, largeBlobs ? MAX_SERIALIZED_LARGE_BLOB_ARRAY : undefined],
    [GetInfoKey.forcePINChange, config.clientPin ? loadPin(ctx)?.forceChange ?? false : undefined],
    [GetInfoKey.minPINLength, config.clientPin ? settings.minPinLength : undefined],
    [GetInfoKey.firmwareVersion, config.firmwareVersion],
    [GetInfoKey.maxCredBlobLength, extensions.includes(CRED_BLOB) ? MAX_CRED_BLOB_LENGTH : undefined],
    [GetInfoKey.maxRPIDsForSetMinPINLength, (authnrCfg && extensions.includes('minPinLength') && config.maxRpIdsForSetMinPinLength) || undefined],
    [GetInfoKey.preferredPlatformUvAttempts, uv ? 1 : undefined],
    [GetInfoKey.uvModality, uv ? 0x02 : undefined], // fingerprint (FIDO registry USER_VERIFY_FINGERPRINT)
    [
      GetInfoKey.remainingDiscoverableCredentials,
      config.residentKeys ? Math.max(0, config.maxDiscoverableCredentials - env.store.count()) : undefined,
    ],
  ];
}

/** CTAP 2.2/2.3's members (§6.4 0x16-0x1E): only a FIDO_2_3 key's getInfo has them. */
function ctap23Members(ctx: CommandContext, settings: DeviceSettings): Members {
  const uv = ctx.config.builtInUv;
  return [
    // "none" is implied, and left out (CTAP 2.2 §6.4).
    [GetInfoKey.attestationFormats, ['packed']],
    [GetInfoKey.uvCountSinceLastPinEntry, uv ? ctx.session.uvCount.last(ctx.env) : undefined],
    [GetInfoKey.longTouchForReset, settings.longTouchForReset],
    // Under the persistent token: only the host holding it reads them; a new IV each time.
    [GetInfoKey.encIdentifier, encIdentifier(ctx)],
    [GetInfoKey.transportsForReset, ['usb']],
    // No policy beyond the minimum length is enforced.
    [GetInfoKey.pinComplexityPolicy, false],
    [GetInfoKey.maxPINLength, MAX_PIN_CODE_POINTS],
    [GetInfoKey.encCredStoreState, encCredStoreState(ctx)],
    [GetInfoKey.authenticatorConfigCommands, commandEnabled(ctx.config, C.authenticatorConfig) ? [...CONFIG_COMMANDS] : undefined],
  ];
}

export function getInfo(ctx: CommandContext): Map<number, CborEncodable | undefined> {
  const { config } = ctx;
  const settings = ctx.settings();
  const level = infoLevel(config);
  // DESIGN.md getInfo rules: no duplicate versions, 16-byte aaguid, boolean options,
  // algorithms as {alg, type} maps, pinUvAuthProtocols with clientPin / pinUvAuthToken.
  return new Map<number, CborEncodable | undefined>([
    // CTAP 2.3 §6.4: there is no FIDO_2_2; a 2.3 key lists FIDO_2_3 after the versions it also speaks.
    [GetInfoKey.versions, [...ctap1Versions(settings), ...config.ctapVersions]],
    [GetInfoKey.extensions, [...extensionsOf(config)]],
    [GetInfoKey.aaguid, config.aaguid],
    [GetInfoKey.options, options(ctx, settings)],
    [GetInfoKey.maxMsgSize, config.maxMsgSize],
    [GetInfoKey.pinUvAuthProtocols, commandEnabled(config, C.authenticatorClientPIN) ? [...config.pinUvAuthProtocols] : undefined],
    [GetInfoKey.maxCredentialCountInList, config.maxCredentialCountInList],
    [GetInfoKey.maxCredentialIdLength, CREDENTIAL_ID_LENGTH],
    ...(level === '2.0' ? [] : ctap21Members(ctx, settings)),
    ...(level === '2.3' ? ctap23Members(ctx, settings) : []),
  ]);
}
