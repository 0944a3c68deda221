// `ctap-emu bio info|list|enroll|rename|remove`: the fingers enrolled on a key whose sensor enrolls
// them over CTAP (authenticatorBioEnrollment, CTAP 2.1 §6.7), with a be token from the PIN: a
// `serve --profile bio` key (--udp), or a USB key such as a YubiKey Bio (--device).
import { BioEnrollment, supportsBioEnrollment, type SampleResult } from '../client/bioEnrollment.js';
import { ClientPin, PinPermission } from '../client/clientPin.js';
import { EnrollFeedback } from '../ctap/keys.js';
import { Status } from '../ctap/status.js';
import { fromHex, toHex } from '../util/bytes.js';
import { CliError, ctapErrorAsCli, ExitCode, PIN_MESSAGES, printJson, printTable, withKey, type KeyOptions } from './common.js';
import { pinOf } from './credsDevice.js';

export interface BioOptions extends KeyOptions {
  pin?: string;
  json?: boolean;
  name?: string;
  timeout?: string;
}

const BIO_MESSAGES: Readonly<Record<number, string>> = {
  ...PIN_MESSAGES,
  [Status.CTAP2_ERR_FP_DATABASE_FULL]: 'the sensor holds no more fingers: remove one first (`ctap-emu bio remove`)',
  [Status.CTAP2_ERR_USER_ACTION_TIMEOUT]: 'no finger on the sensor in time',
  [Status.CTAP2_ERR_KEEPALIVE_CANCEL]: 'cancelled',
  [Status.CTAP2_ERR_INVALID_OPTION]: 'no finger with this template ID is enrolled (`ctap-emu bio list`)',
  [Status.CTAP2_ERR_PIN_NOT_SET]: 'the key has no PIN: enrolling fingers needs one (`ctap-emu pin set`)',
};

/**
 * Opens the key, checks its sensor enrolls fingers, and runs `fn` with bio enrollment: with a be
 * token from the PIN (asked for when not given) unless `token` is false.
 */
function withBio<T>(o: BioOptions, token: boolean, fn: (bio: BioEnrollment) => Promise<T>): Promise<T> {
  return withKey(o, async (ctap) => {
    const info = await ctap.getInfo();
    if (!supportsBioEnrollment(info.options)) {
      const hint = o.udp === undefined && o.device === undefined ? ' (the keystore opens as a plain key: name a running one with --udp or --device)' : '';
      throw new CliError(`this key enrolls no fingers (getInfo has no bioEnroll option)${hint}`);
    }
    if (!token) return fn(new BioEnrollment(ctap));
    if (info.options.clientPin !== true) throw new CliError(BIO_MESSAGES[Status.CTAP2_ERR_PIN_NOT_SET]!);
    const pin = await pinOf(o);
    return fn(new BioEnrollment(ctap, await new ClientPin(ctap, info.pinUvAuthProtocols).getPinToken(pin, PinPermission.be)));
  }).catch((e: unknown) => ctapErrorAsCli(e, BIO_MESSAGES));
}

function templateId(text: string): Uint8Array {
  if (!/^([0-9a-f]{2})+$/i.test(text)) throw new CliError(`a template ID is hex (as \`ctap-emu bio list\` shows it), got "${text}"`, ExitCode.usage);
  return fromHex(text);
}

function timeoutMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const s = Number(text);
  if (!/^\d{1,4}(\.\d+)?$/.test(text) || s <= 0) throw new CliError(`--timeout is seconds, got "${text}"`, ExitCode.usage);
  return Math.round(s * 1000);
}

export async function bioInfo(o: BioOptions): Promise<void> {
  const s = await withBio(o, false, (bio) => bio.sensorInfo());
  if (o.json) return printJson(s);
  const kind = s.fingerprintKind === 1 ? 'touch' : s.fingerprintKind === 2 ? 'swipe' : `kind ${s.fingerprintKind}`;
  process.stdout.write(`fingerprint sensor: ${kind}; ${s.maxCaptureSamplesRequiredForEnroll} samples per finger` +
    `${s.maxTemplateFriendlyName === undefined ? '' : `; names up to ${s.maxTemplateFriendlyName} bytes`}\n`);
}

export async function bioList(o: BioOptions): Promise<void> {
  const fingers = await withBio(o, true, (bio) => bio.list());
  if (o.json) return printJson(fingers.map((f) => ({ templateId: toHex(f.templateId), name: f.name ?? null })));
  if (fingers.length === 0) {
    process.stdout.write('no finger is enrolled\n');
    return;
  }
  await printTable(['TEMPLATE ID', 'NAME'], fingers.map((f) => [toHex(f.templateId), f.name ?? '']));
}

/** Each sample as the user needs it: touch again, or the sensor's complaint. */
function sayingSample(s: SampleResult): void {
  const good = s.status === EnrollFeedback.fpGood;
  const how = good ? 'good sample' : `sample not taken (lastEnrollSampleStatus 0x${s.status.toString(16).padStart(2, '0')})`;
  process.stderr.write(`${how}; ${s.remaining === 0 ? 'done' : `${s.remaining} more: touch the sensor again`}\n`);
}

export async function bioEnroll(o: BioOptions): Promise<void> {
  const wait = timeoutMs(o.timeout);
  const id = await withBio(o, true, (bio) => {
    process.stderr.write('touch the sensor\n');
    return bio.enroll({ name: o.name, timeoutMs: wait, onSample: sayingSample });
  });
  if (o.json) return printJson({ templateId: toHex(id), name: o.name ?? null });
  process.stdout.write(`enrolled ${toHex(id)}${o.name === undefined ? '' : ` (${o.name})`}\n`);
}

export async function bioRename(id: string, name: string, o: BioOptions): Promise<void> {
  const template = templateId(id);
  await withBio(o, true, (bio) => bio.rename(template, name));
  process.stdout.write(`renamed ${toHex(template)}: ${name}\n`);
}

export async function bioRemove(id: string, o: BioOptions): Promise<void> {
  const template = templateId(id);
  await withBio(o, true, (bio) => bio.remove(template));
  process.stdout.write(`removed ${toHex(template)}\n`);
}
