// A minimal DER encoder (X.690): just the types an X.509 certificate of this key needs.
import { concatBytes, toBase64url, utf8 } from '../../util/bytes.js';

/** Tag, definite length (short or long form), contents. */
export function tlv(tag: number, contents: Uint8Array): Uint8Array {
  const n = contents.length;
  let length: number[];
  if (n < 0x80) length = [n];
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    length = [0x80 | bytes.length, ...bytes];
  }
  return concatBytes(new Uint8Array([tag, ...length]), contents);
}

export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(0x30, concatBytes(...items));
export const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, concatBytes(...items));
export const octetString = (b: Uint8Array): Uint8Array => tlv(0x04, b);
/** A BIT STRING of whole bytes (no unused bits). */
export const bitString = (b: Uint8Array): Uint8Array => tlv(0x03, concatBytes(new Uint8Array([0]), b));
export const utf8String = (s: string): Uint8Array => tlv(0x0c, utf8(s));
export const printableString = (s: string): Uint8Array => tlv(0x13, utf8(s));
export const boolean = (v: boolean): Uint8Array => tlv(0x01, new Uint8Array([v ? 0xff : 0]));
/** [n] EXPLICIT. */
export const explicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 | n, inner);

/** A non-negative INTEGER from big-endian bytes: leading zeros dropped, a zero byte added where the top bit is set. */
export function unsignedInteger(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return tlv(0x02, v.length === 0 ? new Uint8Array([0]) : v[0]! & 0x80 ? concatBytes(new Uint8Array([0]), v) : v);
}

export const smallInteger = (n: number): Uint8Array => unsignedInteger(new Uint8Array([n]));

/** OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new RangeError(`bad OID ${dotted}`);
  const out: number[] = [];
  const first = [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)];
  for (const arc of first) {
    const groups: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) groups.unshift(0x80 | (v & 0x7f));
    out.push(...groups);
  }
  return tlv(0x06, new Uint8Array(out));
}

/** Year, month, day of a day count since 1970-01-01 (H. Hinnant's civil_from_days): no Date in the core. */
function civil(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime after (and before 1950); whole seconds, UTC. */
export function time(ms: number): Uint8Array {
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86400);
  const s = seconds - days * 86400;
  const [year, month, day] = civil(days);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const rest = `${p(month)}${p(day)}${p(Math.floor(s / 3600))}${p(Math.floor(s / 60) % 60)}${p(s % 60)}Z`;
  if (year >= 1950 && year < 2050) return tlv(0x17, utf8(`${p(year % 100)}${rest}`));
  return tlv(0x18, utf8(`${p(year, 4)}${rest}`));
}

/** RFC 5280 §4.1.2.5: "no well-defined expiration date", 99991231235959Z. */
export const NO_EXPIRY = tlv(0x18, utf8('99991231235959Z'));

/** Standard base64 with padding (RFC 4648 §4), as PEM and metadata statements carry DER. */
export function base64(b: Uint8Array): string {
  const s = toBase64url(b).replace(/-/g, '+').replace(/_/g, '/');
  return s + '='.repeat((4 - (s.length % 4)) % 4);
}

/** Wraps DER in PEM armour (RFC 7468). */
export function pem(label: string, der: Uint8Array): string {
  const lines = base64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
