// CBOR a canonical encoder refuses to write, for response faults: a top-level map with its
// entries out of order, with keys in longer-than-shortest form, or with a key given twice.
import { encodeCbor, type CborMap } from '../../ctap/cbor.js';
import { concatBytes } from '../../util/bytes.js';

export type MapForm = 'order' | 'integer' | 'duplicateKey';

/** A map head (major type 5) in shortest form. */
function mapHead(n: number): Uint8Array {
  if (n < 24) return new Uint8Array([0xa0 | n]);
  if (n < 0x100) return new Uint8Array([0xb8, n]);
  return new Uint8Array([0xb9, n >> 8, n & 0xff]);
}

/** An unsigned key below 24 in the two-byte form (0x18 k), which canonical CBOR forbids. */
function longKey(key: number | string): Uint8Array {
  return typeof key === 'number' && key >= 0 && key < 24 ? new Uint8Array([0x18, key]) : encodeCbor(key);
}

/**
 * `map` (entries in canonical order) written in `form`. 'order' reverses the entries (a one-entry
 * map has no order to break, so its key goes long instead); 'duplicateKey' repeats the first entry last.
 */
export function encodeMapAs(map: CborMap, form: MapForm): Uint8Array {
  const entries = [...map].map(([k, v]) => [k, encodeCbor(v)] as const);
  const pair = ([k, v]: readonly [number | string, Uint8Array], long = false): Uint8Array => concatBytes(long ? longKey(k) : encodeCbor(k), v);
  if (form === 'duplicateKey') return concatBytes(mapHead(entries.length + 1), ...entries.map((e) => pair(e)), pair(entries[0]!));
  if (form === 'order' && entries.length > 1) return concatBytes(mapHead(entries.length), ...entries.reverse().map((e) => pair(e)));
  return concatBytes(mapHead(entries.length), ...entries.map((e) => pair(e, true)));
}

/** The response: status byte, then `body`. */
export const withStatusByte = (status: number, body: Uint8Array): Uint8Array => concatBytes(new Uint8Array([status]), body);
