// CTAP2 canonical CBOR: an encoder that only writes canonical form, a strict decoder for requests.
//
// Written here rather than wrapped from a general library: CTAP needs definite lengths, no tags,
// canonical key order (major type, length, bytes) and exact failure statuses, which general encoders do not give by default.
import { CtapError, Status } from './status.js';

export type CborKey = number | string;

/**
 * A floating-point number as decoded. CTAP itself has no floats: keeping them apart from integers
 * means a float where an integer is required is CBOR_UNEXPECTED_TYPE (1.0 is not 1).
 */
export class CborFloat {
  constructor(readonly value: number) {}
}

/** What the decoder produces. */
export type CborValue = number | bigint | string | boolean | null | Uint8Array | CborFloat | CborValue[] | Map<CborKey, CborValue>;

/** What the encoder takes: decoded values, plus string-keyed objects; undefined members are left out. */
export type CborEncodable =
  | number
  | bigint
  | string
  | boolean
  | null
  | Uint8Array
  | CborFloat
  | readonly CborEncodable[]
  | ReadonlyMap<CborKey, CborEncodable | undefined>
  | { readonly [key: string]: CborEncodable | undefined };

export type CborMap = Map<CborKey, CborValue>;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });
/** Deeper requests than this are refused; CTAP's own structures nest at most 4 deep. */
const MAX_DEPTH = 8;

// ---------------------------------------------------------------- encoding

class Writer {
  private buf: Uint8Array;
  private len = 0;
  /** The furthest any byte was written (a rewind moves len back, not this): clear() wipes up to it. */
  private high = 0;
  constructor(size = 256) {
    this.buf = new Uint8Array(size);
  }
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf.fill(0);
    this.buf = next;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  /** A text string of ASCII characters, written directly (TextEncoder costs more than the copy); false if not ASCII. */
  ascii(v: string): boolean {
    for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) > 0x7f) return false;
    this.head(3, v.length);
    this.ensure(v.length);
    for (let i = 0; i < v.length; i++) this.buf[this.len++] = v.charCodeAt(i);
    return true;
  }
  /** Major type and argument in the shortest form (canonical rule 1). */
  head(major: number, arg: number | bigint): void {
    const m = major << 5;
    if (typeof arg === 'number') {
      // Plain numbers (every length and nearly every integer): no BigInt on the hot path.
      if (arg < 24) return this.byte(m | arg);
      if (arg < 0x100) return (this.byte(m | 24), this.byte(arg));
      if (arg < 0x10000) return (this.byte(m | 25), this.byte(arg >>> 8), this.byte(arg & 0xff));
      if (arg < 0x100000000) {
        this.byte(m | 26);
        for (let s = 24; s >= 0; s -= 8) this.byte((arg >>> s) & 0xff);
        return;
      }
    }
    const n = BigInt(arg);
    if (n < 24n) this.byte(m | Number(n));
    else if (n < 0x100n) (this.byte(m | 24), this.byte(Number(n)));
    else if (n < 0x10000n) (this.byte(m | 25), this.byte(Number(n >> 8n)), this.byte(Number(n & 0xffn)));
    else if (n < 0x100000000n) {
      this.byte(m | 26);
      for (let s = 24n; s >= 0n; s -= 8n) this.byte(Number((n >> s) & 0xffn));
    } else if (n < 0x10000000000000000n) {
      this.byte(m | 27);
      for (let s = 56n; s >= 0n; s -= 8n) this.byte(Number((n >> s) & 0xffn));
    } else throw new RangeError('CBOR integer out of range');
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
  get length(): number {
    return this.len;
  }
  /** Back to an earlier length (what was written after it is dropped, and wiped by clear()). */
  rewind(to: number): void {
    this.high = Math.max(this.high, this.len);
    this.len = to;
  }
  /**
   * Empty again, every byte written wiped (they may hold a key or a PIN hash): for reuse. A buffer
   * grown past `keep` bytes (a large blob's encoding) is let go for a new one of that size.
   */
  clear(keep: number): void {
    this.buf.fill(0, 0, Math.max(this.high, this.len));
    this.len = 0;
    this.high = 0;
    if (this.buf.length > keep) this.buf = new Uint8Array(keep);
  }
}

function compareKeys(a: Uint8Array, b: Uint8Array): number {
  // CTAP2 canonical order: lower major type first, then shorter encoding, then bytewise.
  if (a[0]! >> 5 !== b[0]! >> 5) return (a[0]! >> 5) - (b[0]! >> 5);
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function writeValue(w: Writer, v: CborEncodable): void {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new TypeError(`CBOR: only integers are encoded, got ${v}`);
    if (v >= 0) w.head(0, v);
    else w.head(1, -1 - v);
  } else if (typeof v === 'bigint') {
    if (v >= 0n) w.head(0, v);
    else w.head(1, -1n - v);
  } else if (typeof v === 'string') {
    if (!w.ascii(v)) {
      const b = textEncoder.encode(v);
      w.head(3, b.length);
      w.bytes(b);
    }
  } else if (typeof v === 'boolean') w.byte(v ? 0xf5 : 0xf4);
  else if (v === null) w.byte(0xf6);
  else if (v instanceof CborFloat) {
    w.byte(0xfb);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v.value);
    w.bytes(b);
  } else if (v instanceof Uint8Array) {
    w.head(2, v.length);
    w.bytes(v);
  } else if (isArray(v)) {
    w.head(4, v.length);
    for (const item of v) writeValue(w, item);
  } else if (!writeMapInOrder(w, v)) {
    // Keys encoded once each, then ordered by index (an insertion sort: maps are small): no entry
    // arrays copied per map.
    const keys: Uint8Array[] = [];
    const values: CborEncodable[] = [];
    const add = (k: CborKey, val: CborEncodable | undefined): void => {
      if (val === undefined) return;
      keys.push(encodeKey(k));
      values.push(val);
    };
    if (v instanceof Map) for (const [k, val] of v) add(k, val);
    else for (const k of Object.keys(v)) add(k, (v as { readonly [key: string]: CborEncodable | undefined })[k]);
    const order: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      let j = i;
      for (; j > 0 && compareKeys(keys[order[j - 1]!]!, keys[i]!) > 0; j--) order[j] = order[j - 1]!;
      order[j] = i;
    }
    w.head(5, keys.length);
    for (const i of order) {
      w.bytes(keys[i]!);
      writeValue(w, values[i]!);
    }
  }
}

type EncodableMap = ReadonlyMap<CborKey, CborEncodable | undefined> | { readonly [key: string]: CborEncodable | undefined };

/**
 * The usual case, a map whose entries already come in canonical order (the key builds its maps so):
 * written straight through. False, with nothing written, at the first key out of order.
 */
function writeMapInOrder(w: Writer, v: EncodableMap): boolean {
  const start = w.length;
  let prev: Uint8Array | undefined;
  const entry = (k: CborKey, val: CborEncodable | undefined): boolean => {
    if (val === undefined) return true;
    const key = encodeKey(k);
    if (prev !== undefined && compareKeys(prev, key) >= 0) return false;
    prev = key;
    w.bytes(key);
    writeValue(w, val);
    return true;
  };
  if (v instanceof Map) {
    let n = 0;
    for (const val of v.values()) if (val !== undefined) n++;
    w.head(5, n);
    for (const [k, val] of v) if (!entry(k, val)) return (w.rewind(start), false);
  } else {
    // Each member read once: a getter could answer differently on a second read.
    const entries = Object.entries(v as { readonly [key: string]: CborEncodable | undefined });
    let n = 0;
    for (const [, val] of entries) if (val !== undefined) n++;
    w.head(5, n);
    for (const [k, val] of entries) if (!entry(k, val)) return (w.rewind(start), false);
  }
  return true;
}

const SCRATCH_SIZE = 1024;
const scratch = new Writer(SCRATCH_SIZE);
let scratchBusy = false;

/** Map keys are mostly small integers: those are encoded once. */
const SMALL_INT_KEYS = Array.from({ length: 48 }, (_, i) => encodeCbor(i - 24));

/** Text keys are member names ('id', 'name', 'credProtect'...): a few hundred at most are kept encoded. */
const textKeys = new Map<string, Uint8Array>();
const TEXT_KEYS_KEPT = 512;

function encodeKey(k: CborKey): Uint8Array {
  if (typeof k === 'number' && Number.isInteger(k) && k >= -24 && k < 24) return SMALL_INT_KEYS[k + 24]!;
  const known = typeof k === 'string' ? textKeys.get(k) : undefined;
  if (known) return known;
  const w = new Writer(typeof k === 'string' ? k.length * 3 + 9 : 9);
  writeValue(w, k);
  const out = w.result();
  if (typeof k === 'string' && k.length <= 32 && textKeys.size < TEXT_KEYS_KEPT) textKeys.set(k, out);
  return out;
}

const isArray = (v: unknown): v is readonly CborEncodable[] => Array.isArray(v);

/** Encodes a value in CTAP2 canonical form. Map entries whose value is `undefined` are left out. */
export function encodeCbor(value: CborEncodable): Uint8Array {
  // One writer reused (wiped after each value), unless an encoding is already under way in it.
  if (scratchBusy) {
    const w = new Writer();
    writeValue(w, value);
    return w.result();
  }
  scratchBusy = true;
  try {
    writeValue(scratch, value);
    return scratch.result();
  } finally {
    scratch.clear(SCRATCH_SIZE);
    scratchBusy = false;
  }
}

// ---------------------------------------------------------------- decoding

/**
 * The bytes each map one level in came from (a command's subCommandParams), so a MAC is checked
 * over what the host sent. Only there: a WeakMap entry per map and array cost every request.
 */
const rawBytes = new WeakMap<object, Uint8Array>();

/** The bytes a decoded map one level into the top-level map was read from; undefined for any other value. */
export function rawCbor(value: CborValue): Uint8Array | undefined {
  return typeof value === 'object' && value !== null ? rawBytes.get(value) : undefined;
}

class Reader {
  pos = 0;
  constructor(private readonly data: Uint8Array) {}
  fail(why: string): never {
    throw new CtapError(Status.CTAP2_ERR_INVALID_CBOR, why);
  }
  take(n: number): Uint8Array {
    if (n > this.data.length - this.pos) this.fail('truncated');
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  byte(): number {
    if (this.pos >= this.data.length) this.fail('truncated');
    return this.data[this.pos++]!;
  }
  arg(info: number): number | bigint {
    if (info < 24) return info;
    if (info > 27) this.fail('indefinite length or reserved additional information');
    if (info < 27) {
      // 1, 2 or 4 bytes: a plain number (no BigInt on the hot path).
      const size = 1 << (info - 24);
      if (size > this.data.length - this.pos) this.fail('truncated');
      let n = 0;
      for (let i = 0; i < size; i++) n = n * 256 + this.data[this.pos++]!;
      return n;
    }
    const b = this.take(8);
    let n = 0n;
    for (const x of b) n = (n << 8n) | BigInt(x);
    return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  length(info: number): number {
    const n = this.arg(info);
    if (typeof n !== 'number' || n > this.data.length - this.pos) this.fail('length runs past the end');
    return n;
  }
  value(depth: number): CborValue {
    const start = this.pos;
    const v = this.item(depth);
    if (depth === 1 && v instanceof Map) rawBytes.set(v, this.data.subarray(start, this.pos));
    return v;
  }
  item(depth: number): CborValue {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    const initial = this.byte();
    const major = initial >> 5;
    const info = initial & 0x1f;
    switch (major) {
      case 0:
        return this.arg(info);
      case 1: {
        const n = this.arg(info);
        return typeof n === 'number' ? -1 - n : -1n - n;
      }
      case 2:
        return this.take(this.length(info)).slice();
      case 3: {
        const b = this.take(this.length(info));
        if (b.length <= 64 && isAscii(b)) return String.fromCharCode.apply(null, b as unknown as number[]); // no decoder needed
        try {
          return textDecoder.decode(b);
        } catch {
          return this.fail('text string is not UTF-8');
        }
      }
      case 4: {
        const n = this.length(info);
        const out: CborValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.value(depth + 1));
        return out;
      }
      case 5: {
        const n = this.length(info);
        const out: CborMap = new Map();
        for (let i = 0; i < n; i++) {
          const key = this.value(depth + 1);
          if (typeof key !== 'number' && typeof key !== 'string') this.fail('map key is not an integer or text');
          if (out.has(key)) this.fail(`duplicate map key ${String(key)}`);
          out.set(key, this.value(depth + 1));
        }
        return out;
      }
      case 6:
        return this.fail('tags are not used in CTAP');
      default:
        return this.simple(info);
    }
  }
  simple(info: number): CborValue {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    if (info >= 25 && info <= 27) {
      const b = this.take(1 << (info - 24));
      const view = new DataView(b.buffer, b.byteOffset, b.length);
      return new CborFloat(info === 25 ? halfToNumber(view.getUint16(0)) : info === 26 ? view.getFloat32(0) : view.getFloat64(0));
    }
    return this.fail(`unsupported simple value ${info}`);
  }
}

function halfToNumber(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (mant + 1024) * 2 ** (exp - 25);
}

function isAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! > 0x7f) return false;
  return true;
}

/** Decodes exactly one CBOR item; anything malformed, tagged, indefinite or trailing is INVALID_CBOR. */
export function decodeCbor(data: Uint8Array): CborValue {
  const r = new Reader(data);
  const v = r.value(0);
  if (r.pos !== data.length) r.fail('trailing bytes after the item');
  return v;
}

/** Decodes one item from the front of `data` and says where it ended (authenticator data needs it). */
export function decodeCborPrefix(data: Uint8Array): { value: CborValue; end: number } {
  const r = new Reader(data);
  const value = r.value(0);
  return { value, end: r.pos };
}
