// The host side of authenticatorBioEnrollment (CTAP 2.1 §6.7; python-fido2's FPBioEnrollment,
// libfido2's fido_bio_dev_*): the fingerprint sensor's facts, enrolling a finger sample by sample,
// listing, renaming and removing enrolled fingers.
import type { CborEncodable, CborMap } from '../ctap/cbor.js';
import { encodeCbor } from '../ctap/cbor.js';
import { Command } from '../ctap/constants.js';
import {
  BioEnrollmentKey, BioEnrollmentParamKey, BioEnrollmentResponseKey as R, BioEnrollmentSubCommand as Sub, BioModality, EnrollFeedback, TemplateInfoKey,
} from '../ctap/keys.js';
import { Status } from '../ctap/status.js';
import { concatBytes } from '../util/bytes.js';
import { pinUvAuthParam, type PinUvAuthToken } from './clientPin.js';
import { request, type Ctap2Client } from './ctap2.js';

export interface SensorInfo {
  /** The sensor kind: touch (1) or swipe (2). */
  fingerprintKind: number;
  maxCaptureSamplesRequiredForEnroll: number;
  /** Bytes of a friendly name the key keeps (CTAP 2.1; absent from older keys). */
  maxTemplateFriendlyName?: number;
}

export interface EnrolledFinger {
  templateId: Uint8Array;
  name?: string;
}

/** One sample's outcome: its lastEnrollSampleStatus (0 is a good one) and the good samples still wanted. */
export interface SampleResult {
  status: number;
  remaining: number;
}

type SubCommandParams = Partial<Record<keyof typeof BioEnrollmentParamKey, CborEncodable>>;

/** Whether the key enrolls fingers over CTAP (getInfo bioEnroll present, true or false). */
export function supportsBioEnrollment(options: Record<string, boolean>): boolean {
  return 'bioEnroll' in options;
}

export class BioEnrollment {
  /** `token` needs the be permission (sensorInfo and cancel need none). */
  constructor(
    private readonly ctap: Ctap2Client,
    private readonly token?: PinUvAuthToken,
  ) {}

  /** pinUvAuthParam = authenticate(token, modality || subCommand || subCommandParams). */
  private async call(subCommand: number, params?: SubCommandParams, auth = true): Promise<CborMap> {
    const subCommandParams = params && request(BioEnrollmentParamKey, params);
    let protocol: number | undefined;
    let param: Uint8Array | undefined;
    if (auth) {
      if (!this.token) throw new Error('bio enrollment needs a pinUvAuthToken with the be permission');
      const message = concatBytes(new Uint8Array([BioModality.fingerprint, subCommand]), subCommandParams ? encodeCbor(subCommandParams) : new Uint8Array(0));
      protocol = this.token.protocol.version;
      param = pinUvAuthParam(this.token, message);
    }
    const req = request(BioEnrollmentKey, { modality: BioModality.fingerprint, subCommand, subCommandParams, pinUvAuthProtocol: protocol, pinUvAuthParam: param });
    return (await this.ctap.send(Command.authenticatorBioEnrollment, req)) ?? new Map();
  }

  async sensorInfo(): Promise<SensorInfo> {
    const m = await this.call(Sub.getFingerprintSensorInfo, undefined, false);
    return {
      fingerprintKind: m.get(R.fingerprintKind) as number,
      maxCaptureSamplesRequiredForEnroll: m.get(R.maxCaptureSamplesRequiredForEnroll) as number,
      maxTemplateFriendlyName: m.get(R.maxTemplateFriendlyName) as number | undefined,
    };
  }

  /** The first sample of a new finger: its template ID, and how that sample went. */
  async begin(timeoutMs?: number): Promise<SampleResult & { templateId: Uint8Array }> {
    const m = await this.call(Sub.enrollBegin, timeoutMs === undefined ? undefined : { timeoutMilliseconds: timeoutMs });
    return { templateId: m.get(R.templateId) as Uint8Array, ...sampleOf(m) };
  }

  async next(templateId: Uint8Array, timeoutMs?: number): Promise<SampleResult> {
    return sampleOf(await this.call(Sub.enrollCaptureNextSample, { templateId, timeoutMilliseconds: timeoutMs }));
  }

  async cancel(): Promise<void> {
    await this.call(Sub.cancelCurrentEnrollment, undefined, false);
  }

  /**
   * Enrolls a finger: samples until none is wanted (`onSample` hears each, poor ones too), then names
   * it when a name is given. Its template ID back.
   */
  async enroll(options: { name?: string; timeoutMs?: number; onSample?(s: SampleResult): void } = {}): Promise<Uint8Array> {
    const first = await this.begin(options.timeoutMs);
    options.onSample?.(first);
    let remaining = first.remaining;
    while (remaining > 0) {
      const s = await this.next(first.templateId, options.timeoutMs);
      options.onSample?.(s);
      remaining = s.remaining;
    }
    if (options.name !== undefined) await this.rename(first.templateId, options.name);
    return first.templateId;
  }

  /** Enrolled fingers (none: the key's INVALID_OPTION, returned as []). */
  async list(): Promise<EnrolledFinger[]> {
    let m: CborMap;
    try {
      m = await this.call(Sub.enumerateEnrollments);
    } catch (e) {
      if ((e as { status?: number }).status === Status.CTAP2_ERR_INVALID_OPTION) return [];
      throw e;
    }
    return (m.get(R.templateInfos) as CborMap[]).map((t) => ({
      templateId: t.get(TemplateInfoKey.templateId) as Uint8Array,
      name: t.get(TemplateInfoKey.templateFriendlyName) as string | undefined,
    }));
  }

  async rename(templateId: Uint8Array, name: string): Promise<void> {
    await this.call(Sub.setFriendlyName, { templateId, templateFriendlyName: name });
  }

  async remove(templateId: Uint8Array): Promise<void> {
    await this.call(Sub.removeEnrollment, { templateId });
  }
}

function sampleOf(m: CborMap): SampleResult {
  return { status: (m.get(R.lastEnrollSampleStatus) as number | undefined) ?? EnrollFeedback.fpGood, remaining: m.get(R.remainingSamples) as number };
}
