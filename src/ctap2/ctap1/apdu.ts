// ISO 7816-4 command APDUs as FIDO U2F Raw Message Formats v1.2 §3 carries them (short and
// extended length), the status words U2F answers with, and the one error type that carries them.

/** FIDO U2F Raw Message Formats §3.3 and ISO 7816-4 status words. */
export const StatusWord = {
  SW_NO_ERROR: 0x9000,
  SW_CONDITIONS_NOT_SATISFIED: 0x6985,
  /** ISO 7816-4 "command not allowed": U2F is off while alwaysUv is on. */
  SW_COMMAND_NOT_ALLOWED: 0x6986,
  SW_WRONG_DATA: 0x6a80,
  SW_WRONG_LENGTH: 0x6700,
  SW_INCORRECT_P1P2: 0x6a86,
  SW_CLA_NOT_SUPPORTED: 0x6e00,
  SW_INS_NOT_SUPPORTED: 0x6d00,
  /** "No precise diagnosis": a bug inside the key, never a protocol answer. */
  SW_UNKNOWN: 0x6f00,
} as const;
export type StatusWordCode = (typeof StatusWord)[keyof typeof StatusWord];

/** U2F instructions (§3.1). */
export const Ins = { REGISTER: 0x01, AUTHENTICATE: 0x02, VERSION: 0x03 } as const;

export class Ctap1Error extends Error {
  constructor(
    readonly sw: StatusWordCode,
    detail: string,
  ) {
    super(`SW ${sw.toString(16)}: ${detail}`);
  }
}

export interface Apdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  /** Expected response length, when the APDU carries Le (0 = the maximum). */
  le?: number;
}

const wrongLength = (why: string): Ctap1Error => new Ctap1Error(StatusWord.SW_WRONG_LENGTH, why);

/**
 * ISO 7816-4 §5.1 cases 1-4, short and extended. Extended: a zero byte, then Lc in two bytes, the
 * data, and optionally Le in two bytes (what U2F §3 specifies); or a zero byte and Le alone.
 */
export function parseApdu(b: Uint8Array): Apdu {
  if (!(b instanceof Uint8Array)) throw new TypeError('an APDU is a Uint8Array');
  if (b.length < 4) throw wrongLength('an APDU header is 4 bytes');
  const head = { cla: b[0]!, ins: b[1]!, p1: b[2]!, p2: b[3]! };
  const body = b.subarray(4);
  const none = new Uint8Array(0);
  if (body.length === 0) return { ...head, data: none }; // case 1
  if (body.length === 1) return { ...head, data: none, le: body[0]! }; // case 2S
  if (body[0] === 0 && body.length >= 3) {
    const n = (body[1]! << 8) | body[2]!;
    if (body.length === 3) return { ...head, data: none, le: n }; // case 2E
    // Lc may be 0 with Le after it: python-fido2 and others send VERSION so (00 0000 0000).
    const rest = body.length - 3 - n;
    if (rest === 0) return { ...head, data: body.slice(3) }; // case 3E
    if (rest === 2) return { ...head, data: body.slice(3, 3 + n), le: (body[3 + n]! << 8) | body[4 + n]! }; // case 4E
    throw wrongLength('extended Lc does not match the data');
  }
  const n = body[0]!;
  if (n === 0) throw wrongLength('short Lc of 0');
  const rest = body.length - 1 - n;
  if (rest === 0) return { ...head, data: body.slice(1) }; // case 3S
  if (rest === 1) return { ...head, data: body.slice(1, 1 + n), le: body[1 + n]! }; // case 4S
  throw wrongLength('short Lc does not match the data');
}

/** Response data followed by SW1 SW2. */
export function response(sw: StatusWordCode, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data, 0);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}
