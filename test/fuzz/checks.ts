// What every CTAP2 answer must be, whatever was asked: a status the spec names, never the core's
// catch-all for a handler bug, small enough for one CTAPHID message, and on success a CTAP2
// canonical CBOR map (what Chromium, libfido2 and python-fido2 insist on).
import { decodeCbor, encodeCbor } from '../../src/ctap/cbor.js';
import { Status, statusName } from '../../src/ctap/status.js';
import { MAX_MESSAGE } from '../../src/hid/constants.js';
import { toHex } from '../../src/util/bytes.js';

const NAMED = new Set<number>(Object.values(Status));

/** Throws, saying why, unless `response` is a well-formed answer to any request. */
export function checkResponse(response: Uint8Array): void {
  if (response.length === 0) throw new Error('empty response');
  const status = response[0]!;
  if (!NAMED.has(status)) throw new Error(`status ${statusName(status)} is not one the spec names`);
  if (status === Status.CTAP1_ERR_OTHER) throw new Error('CTAP1_ERR_OTHER: a handler failed');
  if (response.length > MAX_MESSAGE) throw new Error(`response of ${response.length} bytes does not fit one CTAPHID message`);
  if (status !== Status.CTAP2_OK) {
    if (response.length !== 1) throw new Error(`error ${statusName(status)} with a body`);
    return;
  }
  if (response.length === 1) return;
  const body = response.subarray(1);
  const value = decodeCbor(body);
  if (!(value instanceof Map)) throw new Error('success body is not a map');
  const again = encodeCbor(value);
  if (toHex(again) !== toHex(body)) throw new Error(`success body is not canonical CBOR: ${toHex(body)}`);
}
