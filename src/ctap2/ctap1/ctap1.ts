// CTAP1/U2F over CTAPHID_MSG (FIDO U2F Raw Message Formats v1.2): an APDU in, response data and a
// status word out. The dispatcher is a lookup table, one file per instruction. Never throws.
import type { CommandContext } from '../context.js';
import { Ctap1Error, Ins, parseApdu, response, StatusWord, type Apdu } from './apdu.js';
import { authenticate } from './authenticate.js';
import { register } from './register.js';
import { version } from './version.js';

const HANDLERS: Record<number, (ctx: CommandContext, apdu: Apdu) => Uint8Array> = {
  [Ins.REGISTER]: register,
  [Ins.AUTHENTICATE]: authenticate,
  [Ins.VERSION]: (_ctx, apdu) => version(apdu),
};

export function handleApdu(ctx: CommandContext, bytes: Uint8Array, onInternalError?: (e: unknown) => void): Uint8Array {
  try {
    // alwaysUv: U2F cannot verify the user, so it is off (getInfo no longer lists U2F_V2).
    if (ctx.settings().alwaysUv) throw new Ctap1Error(StatusWord.SW_COMMAND_NOT_ALLOWED, 'alwaysUv is on');
    const apdu = parseApdu(bytes);
    // §3: CLA is 0.
    if (apdu.cla !== 0) throw new Ctap1Error(StatusWord.SW_CLA_NOT_SUPPORTED, `CLA 0x${apdu.cla.toString(16)}`);
    const handler = HANDLERS[apdu.ins];
    if (!handler) throw new Ctap1Error(StatusWord.SW_INS_NOT_SUPPORTED, `INS 0x${apdu.ins.toString(16)}`);
    return response(StatusWord.SW_NO_ERROR, handler(ctx, apdu));
  } catch (e) {
    if (e instanceof Ctap1Error) return response(e.sw);
    onInternalError?.(e);
    return response(StatusWord.SW_UNKNOWN);
  }
}
