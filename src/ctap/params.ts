// Typed readers for CBOR request maps: the single place where wrong types and missing members
// become CBOR_UNEXPECTED_TYPE and MISSING_PARAMETER, so handlers only ever see checked values.
import type { CborKey, CborMap, CborValue } from './cbor.js';
import { CtapError, Status } from './status.js';

function unexpected(what: string, expected: string): never {
  throw new CtapError(Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE, `${what} must be ${expected}`);
}

export function missing(what: string): never {
  throw new CtapError(Status.CTAP2_ERR_MISSING_PARAMETER, what);
}

export function asMap(v: CborValue, what: string): CborMap {
  return v instanceof Map ? v : unexpected(what, 'a map');
}
export function asBytes(v: CborValue, what: string): Uint8Array {
  return v instanceof Uint8Array ? v : unexpected(what, 'a byte string');
}
export function asText(v: CborValue, what: string): string {
  return typeof v === 'string' ? v : unexpected(what, 'a text string');
}
export function asInt(v: CborValue, what: string): number {
  return typeof v === 'number' && Number.isInteger(v) ? v : unexpected(what, 'an integer');
}
export function asUint(v: CborValue, what: string): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : unexpected(what, 'an unsigned integer');
}
/** A clientDataHash: SHA-256, so exactly 32 bytes (CTAP1_ERR_INVALID_LENGTH otherwise). */
export function asClientDataHash(v: CborValue, what: string): Uint8Array {
  const b = asBytes(v, what);
  if (b.length !== 32) throw new CtapError(Status.CTAP1_ERR_INVALID_LENGTH, `${what} must be 32 bytes`);
  return b;
}
export function asBool(v: CborValue, what: string): boolean {
  return typeof v === 'boolean' ? v : unexpected(what, 'a boolean');
}
export function asArray(v: CborValue, what: string): CborValue[] {
  return Array.isArray(v) ? v : unexpected(what, 'an array');
}

type Reader<T> = (v: CborValue, what: string) => T;

/** Reads member `key` of `map` with `read`; undefined when absent. */
export function optional<T>(map: CborMap, key: CborKey, read: Reader<T>, what: string): T | undefined {
  const v = map.get(key);
  return v === undefined ? undefined : read(v, what);
}

/** Reads member `key` of `map` with `read`; MISSING_PARAMETER when absent. */
export function required<T>(map: CborMap, key: CborKey, read: Reader<T>, what: string): T {
  const v = map.get(key);
  return v === undefined ? missing(what) : read(v, what);
}

/** A PublicKeyCredentialDescriptor ({type, id, transports?}) as makeCredential and getAssertion take it. */
export interface CredentialDescriptor {
  type: string;
  id: Uint8Array;
}

export function asDescriptor(v: CborValue, what: string): CredentialDescriptor {
  const m = asMap(v, what);
  return {
    type: required(m, 'type', asText, `${what}.type`),
    id: required(m, 'id', asBytes, `${what}.id`),
  };
}

export function asDescriptorList(v: CborValue, what: string): CredentialDescriptor[] {
  return asArray(v, what).map((d, i) => asDescriptor(d, `${what}[${i}]`));
}

/** The options map (rk, up, uv, ...): every present value must be a boolean. */
export function asOptions(v: CborValue, what: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const [k, val] of asMap(v, what)) {
    if (typeof k === 'string') out.set(k, asBool(val, `${what}.${k}`));
  }
  return out;
}

/** WebAuthn §6.4.1: authenticators keep at least 64 bytes of a name and may cut it there. */
export const MAX_NAME_BYTES = 64;

/** `s` cut to at most `max` bytes of UTF-8, at a character boundary (never half a character). */
export function truncateUtf8(s: string, max = MAX_NAME_BYTES): string {
  const bytes = new TextEncoder().encode(s);
  if (bytes.length <= max) return s;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // back off continuation bytes
  return new TextDecoder().decode(bytes.subarray(0, end));
}

/** An optional name member (rp.name, user.name, user.displayName), cut to 64 bytes. */
export function optionalName(map: CborMap, key: string, what = key): string | undefined {
  const v = optional(map, key, asText, what);
  return v === undefined ? undefined : truncateUtf8(v);
}
