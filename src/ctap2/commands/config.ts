// authenticatorConfig (CTAP 2.1 §6.11): enterprise attestation, alwaysUv, minimum PIN length, and
// (CTAP 2.3) a long touch for reset.
import type { CborMap } from '../../ctap/cbor.js';
import { asArray, asBool, asBytes, asMap, asText, asUint, optional, required } from '../../ctap/params.js';
import { loadPin, savePin, saveSettings } from '../pin/persistent.js';
import { Permission } from '../../ctap/permissions.js';
import { isProtected } from '../pin/verification.js';
import { endPersistentToken } from '../pin/persistentToken.js';
import { paramBytes, requireTokenMac } from '../pinUvAuth.js';
import type { CommandContext } from '../context.js';
import { CtapError, Status } from '../../ctap/status.js';
import { concatBytes } from '../../util/bytes.js';
import { ConfigKey, SetMinPinLengthKey, ConfigSubCommand } from '../../ctap/keys.js';

export interface ConfigRequest {
  subCommand: number;
  subCommandParams?: CborMap;
  pinUvAuthProtocol?: number;
  pinUvAuthParam?: Uint8Array;
}

export function parseConfig(p: CborMap): ConfigRequest {
  const K = ConfigKey;
  return {
    subCommand: required(p, K.subCommand, asUint, 'subCommand'),
    subCommandParams: optional(p, K.subCommandParams, asMap, 'subCommandParams'),
    pinUvAuthProtocol: optional(p, K.pinUvAuthProtocol, asUint, 'pinUvAuthProtocol'),
    pinUvAuthParam: optional(p, K.pinUvAuthParam, asBytes, 'pinUvAuthParam'),
  };
}

/** Step 3: a protected key (or one with alwaysUv) wants a token with the acfg permission. */
function authorize(ctx: CommandContext, req: ConfigRequest): void {
  if (!isProtected(ctx) && !ctx.settings().alwaysUv) return;
  // The MAC covers 32 x 0xff || 0x0d || subCommand || subCommandParams.
  const message = concatBytes(
    new Uint8Array(32).fill(0xff),
    new Uint8Array([0x0d, req.subCommand]),
    paramBytes(req.subCommandParams),
  );
  requireTokenMac(ctx, req, message, Permission.acfg);
}

function setMinPinLength(ctx: CommandContext, params: CborMap | undefined): void {
  const K = SetMinPinLengthKey;
  const m = params ?? new Map();
  const settings = ctx.settings();
  const newMin = optional(m, K.newMinPINLength, asUint, 'newMinPINLength') ?? settings.minPinLength;
  const rpIds = optional(m, K.minPinLengthRPIDs, (v, w) => asArray(v, w).map((x, i) => asText(x, `${w}[${i}]`)), 'minPinLengthRPIDs');
  const force = optional(m, K.forceChangePin, asBool, 'forceChangePin') ?? false;
  // §6.11.4: the minimum only rises (reset brings it back down).
  if (newMin < settings.minPinLength) throw new CtapError(Status.CTAP2_ERR_PIN_POLICY_VIOLATION, 'the minimum PIN length cannot go down');
  if (newMin > 63) throw new CtapError(Status.CTAP2_ERR_PIN_POLICY_VIOLATION, 'a PIN is at most 63 bytes');
  if (rpIds && rpIds.length > ctx.config.maxRpIdsForSetMinPinLength) {
    throw new CtapError(Status.CTAP2_ERR_PIN_POLICY_VIOLATION, 'too many minPinLengthRPIDs');
  }
  const pin = loadPin(ctx);
  if (force && !pin) throw new CtapError(Status.CTAP2_ERR_PIN_NOT_SET, 'forceChangePin without a PIN');
  saveSettings(ctx.env, {
    ...settings,
    minPinLength: newMin,
    minPinLengthRpIds: rpIds ? [...new Set([...settings.minPinLengthRpIds, ...rpIds])] : settings.minPinLengthRpIds,
  });
  if (pin && (force || pin.codePoints < newMin)) {
    savePin(ctx, { ...pin, forceChange: true });
    // The PIN must change, and with it goes the persistent token (CTAP 2.2).
    endPersistentToken(ctx);
  }
}

/** The subcommands this key has, as getInfo lists them (authenticatorConfigCommands, CTAP 2.3). */
export const CONFIG_COMMANDS: readonly number[] = [
  ConfigSubCommand.enableEnterpriseAttestation,
  ConfigSubCommand.toggleAlwaysUv,
  ConfigSubCommand.setMinPINLength,
  ConfigSubCommand.enableLongTouchForReset,
];

export function config(ctx: CommandContext, req: ConfigRequest): void {
  const S = ConfigSubCommand;
  if (!CONFIG_COMMANDS.includes(req.subCommand)) {
    throw new CtapError(Status.CTAP2_ERR_INVALID_SUBCOMMAND, `authenticatorConfig subcommand ${req.subCommand}`);
  }
  authorize(ctx, req);
  const settings = ctx.settings();
  switch (req.subCommand) {
    case S.enableEnterpriseAttestation:
      if (!ctx.config.enterpriseAttestation) throw new CtapError(Status.CTAP2_ERR_UNSUPPORTED_OPTION, 'not enterprise attestation capable');
      return saveSettings(ctx.env, { ...settings, enterpriseAttestation: true });
    case S.toggleAlwaysUv:
      return saveSettings(ctx.env, { ...settings, alwaysUv: !settings.alwaysUv });
    case S.enableLongTouchForReset:
      return saveSettings(ctx.env, { ...settings, longTouchForReset: true });
    default:
      return setMinPinLength(ctx, req.subCommandParams);
  }
}
