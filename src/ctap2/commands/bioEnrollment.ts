// authenticatorBioEnrollment (CTAP 2.1 §6.7): enroll fingers on the built-in sensor, list, rename and
// remove them. A sample is a finger on the emulated sensor: the key's verification policy answers
// (a match is a good sample, no match a poor one, no finger a time-out).
import type { CborEncodable, CborMap } from '../../ctap/cbor.js';
import { asBool, asBytes, asMap, asText, asUint, missing, optional, required, truncateUtf8 } from '../../ctap/params.js';
import { Permission } from '../../ctap/permissions.js';
import { paramBytes, requireTokenMac } from '../pinUvAuth.js';
import { waitForUser } from '../presence.js';
import type { CommandContext } from '../context.js';
import { CtapError, Status } from '../../ctap/status.js';
import { concatBytes, equalBytes } from '../../util/bytes.js';
import {
  BioEnrollmentKey, BioEnrollmentParamKey, BioEnrollmentResponseKey, BioEnrollmentSubCommand, BioModality, EnrollFeedback, TemplateInfoKey,
} from '../../ctap/keys.js';
import { enrolledTemplates, roomForFinger, saveTemplates, type FingerprintTemplate } from '../pin/fingerprints.js';

export interface BioEnrollmentRequest {
  modality?: number;
  subCommand?: number;
  params?: CborMap;
  pinUvAuthProtocol?: number;
  pinUvAuthParam?: Uint8Array;
  getModality: boolean;
}

export function parseBioEnrollment(p: CborMap): BioEnrollmentRequest {
  const K = BioEnrollmentKey;
  return {
    modality: optional(p, K.modality, asUint, 'modality'),
    subCommand: optional(p, K.subCommand, asUint, 'subCommand'),
    params: optional(p, K.subCommandParams, asMap, 'subCommandParams'),
    pinUvAuthProtocol: optional(p, K.pinUvAuthProtocol, asUint, 'pinUvAuthProtocol'),
    pinUvAuthParam: optional(p, K.pinUvAuthParam, asBytes, 'pinUvAuthParam'),
    getModality: optional(p, K.getModality, asBool, 'getModality') ?? false,
  };
}

/** Good samples one enrollment takes (getFingerprintSensorInfo's maxCaptureSamplesRequiredForEnroll). */
export const SAMPLES_PER_ENROLLMENT = 4;
/** Bytes of a friendly name kept (maxTemplateFriendlyName); a longer one is cut at a character boundary. */
const MAX_FRIENDLY_NAME = 64;
/** A touch sensor, not a swipe one. */
const TOUCH_SENSOR = 1;

type Response = Map<number, CborEncodable>;
const R = BioEnrollmentResponseKey;
const S = BioEnrollmentSubCommand;
const P = BioEnrollmentParamKey;

/** §6.7.2: a token with be, its MAC over modality || subCommand || subCommandParams (any RP). */
function authorize(ctx: CommandContext, req: BioEnrollmentRequest, subCommand: number): void {
  const message = concatBytes(new Uint8Array([BioModality.fingerprint, subCommand]), paramBytes(req.params));
  requireTokenMac(ctx, req, message, Permission.be);
}

function sensorInfo(): Response {
  return new Map([
    [R.modality, BioModality.fingerprint],
    [R.fingerprintKind, TOUCH_SENSOR],
    [R.maxCaptureSamplesRequiredForEnroll, SAMPLES_PER_ENROLLMENT],
    [R.maxTemplateFriendlyName, MAX_FRIENDLY_NAME],
  ]);
}

function timeoutOf(params: CborMap | undefined): number | undefined {
  return params === undefined ? undefined : optional(params, P.timeoutMilliseconds, asUint, 'timeoutMilliseconds');
}

/** One finger on the sensor: a good sample on a match, a poor one otherwise; no finger in time is USER_ACTION_TIMEOUT. */
async function captureSample(ctx: CommandContext, timeoutMs: number | undefined): Promise<number> {
  const verify = ctx.env.userVerification;
  const request = { command: 'bioEnrollment' as const, ...(timeoutMs === undefined ? {} : { timeoutMs }) };
  const result = verify ? await waitForUser(ctx, (signal) => verify(request, signal)) : 'match';
  if (result === 'timeout') throw new CtapError(Status.CTAP2_ERR_USER_ACTION_TIMEOUT, 'no finger on the sensor in time');
  return result === 'match' ? EnrollFeedback.fpGood : EnrollFeedback.fpPoorQuality;
}

/** Counts a sample towards the enrollment in progress; the last good one stores the template. */
async function sample(ctx: CommandContext, templateId: Uint8Array, timeoutMs: number | undefined): Promise<Response> {
  const state = ctx.session.bioEnrollment!;
  const feedback = await captureSample(ctx, timeoutMs);
  if (feedback === EnrollFeedback.fpGood) state.remaining--;
  if (state.remaining === 0) {
    ctx.session.bioEnrollment = undefined;
    saveTemplates(ctx.env, [...enrolledTemplates(ctx.env), { id: templateId }]);
  }
  return new Map([
    [R.lastEnrollSampleStatus, feedback],
    [R.remainingSamples, state.remaining],
  ]);
}

/** §6.7.4: a new template; the first sample is taken at once. */
async function enrollBegin(ctx: CommandContext, req: BioEnrollmentRequest): Promise<Response> {
  ctx.session.bioEnrollment = undefined; // an unfinished enrollment is cancelled
  const { id: templateId } = roomForFinger(ctx.env);
  ctx.session.bioEnrollment = { templateId, remaining: SAMPLES_PER_ENROLLMENT };
  try {
    const response = await sample(ctx, templateId, timeoutOf(req.params));
    response.set(R.templateId, templateId);
    return response;
  } catch (e) {
    // The host never learnt the template ID: nothing to continue.
    ctx.session.bioEnrollment = undefined;
    throw e;
  }
}

/** §6.7.5: the next sample of the enrollment in progress (kept after a time-out, for another try). */
async function enrollCaptureNextSample(ctx: CommandContext, req: BioEnrollmentRequest): Promise<Response> {
  const params = req.params ?? new Map();
  const templateId = required(params, P.templateId, asBytes, 'templateId');
  const state = ctx.session.bioEnrollment;
  if (!state || !equalBytes(state.templateId, templateId)) {
    throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, 'no enrollment of this template is in progress');
  }
  return sample(ctx, templateId, timeoutOf(params));
}

function templateNamed(ctx: CommandContext, params: CborMap | undefined): { templates: FingerprintTemplate[]; index: number } {
  const templateId = required(params ?? new Map(), P.templateId, asBytes, 'templateId');
  const templates = enrolledTemplates(ctx.env);
  const index = templates.findIndex((t) => equalBytes(t.id, templateId));
  if (index < 0) throw new CtapError(Status.CTAP2_ERR_INVALID_OPTION, 'no such template');
  return { templates, index };
}

/** §6.7.7: every template's ID and name; none enrolled is INVALID_OPTION. */
function enumerateEnrollments(ctx: CommandContext): Response {
  const templates = enrolledTemplates(ctx.env);
  if (templates.length === 0) throw new CtapError(Status.CTAP2_ERR_INVALID_OPTION, 'no finger is enrolled');
  const infos = templates.map((t) => new Map<number, CborEncodable>([
    [TemplateInfoKey.templateId, t.id],
    ...(t.name === undefined ? [] : [[TemplateInfoKey.templateFriendlyName, t.name] as [number, string]]),
  ]));
  return new Map([[R.templateInfos, infos]]);
}

function setFriendlyName(ctx: CommandContext, req: BioEnrollmentRequest): void {
  const name = required(req.params ?? new Map(), P.templateFriendlyName, asText, 'templateFriendlyName');
  const { templates, index } = templateNamed(ctx, req.params);
  templates[index] = { ...templates[index]!, name: truncateUtf8(name, MAX_FRIENDLY_NAME) };
  saveTemplates(ctx.env, templates);
}

function removeEnrollment(ctx: CommandContext, req: BioEnrollmentRequest): void {
  const { templates, index } = templateNamed(ctx, req.params);
  templates.splice(index, 1);
  saveTemplates(ctx.env, templates);
}

export async function bioEnrollment(ctx: CommandContext, req: BioEnrollmentRequest): Promise<Response | void> {
  if (req.getModality) return new Map([[R.modality, BioModality.fingerprint]]);
  const modality = req.modality ?? missing('modality');
  if (modality !== BioModality.fingerprint) throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, `modality ${modality}: only fingerprint`);
  const subCommand = req.subCommand ?? missing('subCommand');
  switch (subCommand) {
    case S.getFingerprintSensorInfo:
      return sensorInfo();
    case S.cancelCurrentEnrollment:
      ctx.session.bioEnrollment = undefined;
      return;
    case S.enrollBegin:
    case S.enrollCaptureNextSample:
    case S.enumerateEnrollments:
    case S.setFriendlyName:
    case S.removeEnrollment:
      break;
    default:
      throw new CtapError(Status.CTAP2_ERR_INVALID_SUBCOMMAND, `bioEnrollment subcommand ${subCommand}`);
  }
  authorize(ctx, req, subCommand);
  switch (subCommand) {
    case S.enrollBegin:
      return enrollBegin(ctx, req);
    case S.enrollCaptureNextSample:
      return enrollCaptureNextSample(ctx, req);
    case S.enumerateEnrollments:
      return enumerateEnrollments(ctx);
    case S.setFriendlyName:
      return setFriendlyName(ctx, req);
    default:
      return removeEnrollment(ctx, req);
  }
}
