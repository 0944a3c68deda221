// authenticatorClientPIN (CTAP 2.1 §6.5.5): PIN set-up, change, retries, and pinUvAuthTokens.
import type { CborEncodable, CborMap, CborValue } from '../../ctap/cbor.js';
import { asBytes, asText, asUint, missing, optional, required } from '../../ctap/params.js';
import { checkPinHash, currentPin, decryptNewPin, sharedSecret } from '../pin/pinCheck.js';
import { loadPin, loadUvRetries, PIN_RETRIES_MAX, savePin } from '../pin/persistent.js';
import { keyAgreementCose, protocolFor, verifyMac, type PinUvAuthProtocol } from '../../ctap/pinUvAuthProtocol.js';
import { Permission } from '../../ctap/permissions.js';
import { performBuiltInUv } from '../pin/verification.js';
import { builtInUvReady } from '../pin/fingerprints.js';
import { endPersistentToken, persistentToken } from '../pin/persistentToken.js';
import type { CommandContext } from '../context.js';
import { CtapError, Status } from '../../ctap/status.js';
import { concatBytes, equalBytes } from '../../util/bytes.js';
import { ClientPinKey, ClientPinResponseKey, ClientPinSubCommand } from '../../ctap/keys.js';

export interface ClientPinRequest {
  subCommand: number;
  pinUvAuthProtocol?: number;
  keyAgreement?: CborValue;
  pinUvAuthParam?: Uint8Array;
  newPinEnc?: Uint8Array;
  pinHashEnc?: Uint8Array;
  permissions?: number;
  rpId?: string;
}

export function parseClientPin(p: CborMap): ClientPinRequest {
  const K = ClientPinKey;
  return {
    subCommand: required(p, K.subCommand, asUint, 'subCommand'),
    pinUvAuthProtocol: optional(p, K.pinUvAuthProtocol, asUint, 'pinUvAuthProtocol'),
    keyAgreement: p.get(K.keyAgreement),
    pinUvAuthParam: optional(p, K.pinUvAuthParam, asBytes, 'pinUvAuthParam'),
    newPinEnc: optional(p, K.newPinEnc, asBytes, 'newPinEnc'),
    pinHashEnc: optional(p, K.pinHashEnc, asBytes, 'pinHashEnc'),
    permissions: optional(p, K.permissions, asUint, 'permissions'),
    rpId: optional(p, K.rpId, asText, 'rpId'),
  };
}

type Response = Map<number, CborEncodable>;
const R = ClientPinResponseKey;

const need = <T>(v: T | undefined, what: string): T => v ?? missing(what);

function protocolOf(ctx: CommandContext, req: ClientPinRequest): PinUvAuthProtocol {
  const version = need(req.pinUvAuthProtocol, 'pinUvAuthProtocol');
  if (!ctx.config.pinUvAuthProtocols.includes(version)) throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, `pinUvAuthProtocol ${version} is not offered`);
  return protocolFor(version, ctx.crypto);
}

/** Subcommands a key without a PIN, or without CTAP 2.1 tokens (a device profile), does not have. */
function offered(ctx: CommandContext, sub: number): boolean {
  const S = ClientPinSubCommand;
  const pin = [S.setPIN, S.changePIN, S.getPinToken, S.getPinUvAuthTokenUsingPinWithPermissions] as number[];
  const ctap21 = [S.getPinUvAuthTokenUsingUvWithPermissions, S.getUVRetries, S.getPinUvAuthTokenUsingPinWithPermissions] as number[];
  return (ctx.config.clientPin || !pin.includes(sub)) && (ctx.config.pinUvAuthToken || !ctap21.includes(sub));
}

function getPinRetries(ctx: CommandContext): Response {
  return new Map<number, CborEncodable>([
    [R.pinRetries, loadPin(ctx)?.retries ?? PIN_RETRIES_MAX],
    [R.powerCycleState, ctx.session.pinAuthBlocked],
  ]);
}

function getKeyAgreement(ctx: CommandContext, req: ClientPinRequest): Response {
  const p = protocolOf(ctx, req);
  return new Map([[R.keyAgreement, keyAgreementCose(ctx.session.keyAgreement.get(p.version)!.publicKey)]]);
}

/** §6.5.5.5 */
function setPin(ctx: CommandContext, req: ClientPinRequest): void {
  const p = protocolOf(ctx, req);
  const keyAgreement = need(req.keyAgreement, 'keyAgreement');
  const newPinEnc = need(req.newPinEnc, 'newPinEnc');
  const param = need(req.pinUvAuthParam, 'pinUvAuthParam');
  if (loadPin(ctx)) throw new CtapError(Status.CTAP2_ERR_NOT_ALLOWED, 'a PIN is already set: use changePIN');
  const shared = sharedSecret(ctx, p, keyAgreement);
  if (!verifyMac(p, shared, newPinEnc, param)) throw new CtapError(Status.CTAP2_ERR_PIN_AUTH_INVALID);
  const pin = decryptNewPin(ctx, p, shared, newPinEnc, ctx.settings().minPinLength);
  savePin(ctx, { ...pin, retries: PIN_RETRIES_MAX, forceChange: false });
}

/** §6.5.5.6 */
function changePin(ctx: CommandContext, req: ClientPinRequest): void {
  const p = protocolOf(ctx, req);
  const keyAgreement = need(req.keyAgreement, 'keyAgreement');
  const pinHashEnc = need(req.pinHashEnc, 'pinHashEnc');
  const newPinEnc = need(req.newPinEnc, 'newPinEnc');
  const param = need(req.pinUvAuthParam, 'pinUvAuthParam');
  currentPin(ctx);
  const shared = sharedSecret(ctx, p, keyAgreement);
  if (!verifyMac(p, shared, concatBytes(newPinEnc, pinHashEnc), param)) throw new CtapError(Status.CTAP2_ERR_PIN_AUTH_INVALID);
  const old = checkPinHash(ctx, p, shared, pinHashEnc);
  const pin = decryptNewPin(ctx, p, shared, newPinEnc, ctx.settings().minPinLength);
  if (old.forceChange && equalBytes(pin.hash, old.hash)) {
    throw new CtapError(Status.CTAP2_ERR_PIN_POLICY_VIOLATION, 'the PIN must change');
  }
  savePin(ctx, { ...pin, retries: PIN_RETRIES_MAX, forceChange: false });
  ctx.session.resetToken();
  endPersistentToken(ctx);
}

/** The permissions any key of ours can grant; be (bio enrollment) only a sensor that enrolls fingers. */
const GRANTABLE = Permission.mc | Permission.ga | Permission.cm | Permission.lbw | Permission.acfg | Permission.pcmr;

function checkPermissions(ctx: CommandContext, req: ClientPinRequest, viaPin: boolean): number {
  const permissions = need(req.permissions, 'permissions');
  if (permissions === 0) throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, 'no permissions asked for');
  // be through a PIN only: this sensor does not say uvBioEnroll (§6.5.5.7.3 step 4).
  const grantable = GRANTABLE | (ctx.config.bioEnrollment && viaPin ? Permission.be : 0);
  if (permissions & ~grantable) throw new CtapError(Status.CTAP2_ERR_UNAUTHORIZED_PERMISSION, 'permission for a feature this key lacks');
  // The persistent token is read-only and stands alone: pcmr comes with no other permission.
  if (permissions & Permission.pcmr && permissions !== Permission.pcmr) {
    throw new CtapError(Status.CTAP2_ERR_UNAUTHORIZED_PERMISSION, 'pcmr cannot be combined with other permissions');
  }
  return permissions;
}

function issueToken(ctx: CommandContext, p: PinUvAuthProtocol, shared: Uint8Array, permissions: number, rpId: string | undefined, userIsPresent: boolean): Response {
  // pcmr: the persistent token, the same until a PIN change or reset; the ordinary token is left as it is.
  if (permissions === Permission.pcmr) {
    return new Map([[R.pinUvAuthToken, p.encrypt(shared, persistentToken(ctx), ctx.env.randomBytes(16))]]);
  }
  ctx.session.resetToken();
  ctx.session.token.begin(ctx.env.now(), p.version, permissions, rpId, userIsPresent);
  return new Map([[R.pinUvAuthToken, p.encrypt(shared, ctx.session.token.value, ctx.env.randomBytes(16))]]);
}

/** §6.5.5.7.1 (getPinToken, the CTAP 2.0 form: mc and ga, any RP) and §6.5.5.7.2 (with permissions). */
function getPinToken(ctx: CommandContext, req: ClientPinRequest, withPermissions: boolean): Response {
  const p = protocolOf(ctx, req);
  const keyAgreement = need(req.keyAgreement, 'keyAgreement');
  const pinHashEnc = need(req.pinHashEnc, 'pinHashEnc');
  // A key without CTAP 2.1 tokens (a FIDO 2.0 or 2.1-preview profile) gives a token that may do anything.
  let permissions = ctx.config.pinUvAuthToken ? Permission.mc | Permission.ga : GRANTABLE & ~Permission.pcmr;
  if (withPermissions) permissions = checkPermissions(ctx, req, true);
  else if (req.permissions !== undefined || req.rpId !== undefined) {
    throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, 'getPinToken takes no permissions');
  }
  currentPin(ctx);
  const shared = sharedSecret(ctx, p, keyAgreement);
  const pin = checkPinHash(ctx, p, shared, pinHashEnc);
  // §6.5.5.7.2 step 11: a PIN that must be changed first gets no token.
  if (pin.forceChange) throw new CtapError(Status.CTAP2_ERR_PIN_INVALID, 'the PIN must be changed first');
  return issueToken(ctx, p, shared, permissions, req.rpId, false);
}

/** §6.5.5.7.3: a token for a finger on the built-in sensor. */
async function getUvToken(ctx: CommandContext, req: ClientPinRequest): Promise<Response> {
  const p = protocolOf(ctx, req);
  const keyAgreement = need(req.keyAgreement, 'keyAgreement');
  const permissions = checkPermissions(ctx, req, false);
  if (!builtInUvReady(ctx)) throw new CtapError(Status.CTAP2_ERR_NOT_ALLOWED, 'no built-in user verification, or no finger enrolled');
  const shared = sharedSecret(ctx, p, keyAgreement);
  await performBuiltInUv(ctx, { command: 'clientPIN', rpId: req.rpId });
  return issueToken(ctx, p, shared, permissions, req.rpId, true);
}

function getUvRetries(ctx: CommandContext): Response {
  if (!ctx.config.builtInUv) throw new CtapError(Status.CTAP2_ERR_NOT_ALLOWED, 'no built-in user verification');
  return new Map([[R.uvRetries, loadUvRetries(ctx.env, ctx.config.maxUvRetries)]]);
}

export async function clientPin(ctx: CommandContext, req: ClientPinRequest): Promise<Response | void> {
  const S = ClientPinSubCommand;
  if (!offered(ctx, req.subCommand)) throw new CtapError(Status.CTAP2_ERR_INVALID_SUBCOMMAND, `clientPIN subcommand ${req.subCommand} is not offered`);
  switch (req.subCommand) {
    case S.getPINRetries:
      return getPinRetries(ctx);
    case S.getKeyAgreement:
      return getKeyAgreement(ctx, req);
    case S.setPIN:
      return setPin(ctx, req);
    case S.changePIN:
      return changePin(ctx, req);
    case S.getPinToken:
      return getPinToken(ctx, req, false);
    case S.getPinUvAuthTokenUsingPinWithPermissions:
      return getPinToken(ctx, req, true);
    case S.getPinUvAuthTokenUsingUvWithPermissions:
      return getUvToken(ctx, req);
    case S.getUVRetries:
      return getUvRetries(ctx);
    default:
      throw new CtapError(Status.CTAP2_ERR_INVALID_SUBCOMMAND, `clientPIN subcommand ${req.subCommand}`);
  }
}
