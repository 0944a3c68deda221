// U2F_VERSION (FIDO U2F Raw Message Formats §6): the protocol version string.
import { utf8 } from '../../util/bytes.js';
import { Ctap1Error, StatusWord, type Apdu } from './apdu.js';

export const U2F_VERSION = 'U2F_V2';

/**
 * What getInfo lists first (CTAP 2.1 §6.4 versions): U2F_V2, unless alwaysUv is on, which U2F
 * cannot honour (it has no user verification), so U2F is off meanwhile (as in OpenSK).
 */
export function ctap1Versions(settings: { alwaysUv: boolean }): string[] {
  return settings.alwaysUv ? [] : [U2F_VERSION];
}

export function version(apdu: Apdu): Uint8Array {
  if (apdu.data.length !== 0) throw new Ctap1Error(StatusWord.SW_WRONG_LENGTH, 'VERSION takes no data');
  return utf8(U2F_VERSION);
}
