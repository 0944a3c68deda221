// U2F_VERSION (FIDO U2F Raw Message Formats §6): the protocol version string.
import { utf8 } from '../../util/bytes.js';
import { Ctap1Error, StatusWord, type Apdu } from './apdu.js';

export const U2F_VERSION = 'U2F_V2';
/** getInfo lists U2F first (CTAP 2.1 §6.4 versions). */
export const CTAP1_VERSIONS = [U2F_VERSION] as const;

export function version(apdu: Apdu): Uint8Array {
  if (apdu.data.length !== 0) throw new Ctap1Error(StatusWord.SW_WRONG_LENGTH, 'VERSION takes no data');
  return utf8(U2F_VERSION);
}
