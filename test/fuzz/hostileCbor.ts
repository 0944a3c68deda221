// A CBOR writer that can break every CTAP2 canonical rule on purpose (non-minimal heads, indefinite
// lengths, unsorted or duplicate keys, tags, floats, lying lengths): the key's decoder must refuse
// or tolerate each, never crash. The repo's encoder (src/ctap/cbor.ts) only writes canonical CBOR.
import { CborFloat, type CborValue } from '../../src/ctap/cbor.js';

/** How one node is written. Absent members mean "canonically". */
export interface Style {
  /** Head argument width: 0 = minimal, else 1, 2, 4 or 8 bytes even when shorter would do. */
  width?: 0 | 1 | 2 | 4 | 8;
  /** Arrays, maps and strings with an indefinite length (major type | 31 ... 0xff). */
  indefinite?: boolean;
  /** Map keys in reverse canonical order. */
  reverseKeys?: boolean;
  /** Write the first map entry twice. */
  duplicateKey?: boolean;
  /** A tag in front (CTAP uses none). */
  tag?: number;
  /** These bytes instead of the node (garbage). */
  raw?: Uint8Array;
  /** Instead of the node: this many nested one-element arrays or maps. */
  deep?: { depth: number; kind: 'array' | 'map' };
  /** Instead of the node: a string, array or map head declaring `length`, then `actual` bytes. */
  lie?: { major: 2 | 3 | 4 | 5; length: bigint; actual: number };
}

/** Style of the node with preorder index `i` (map keys count as nodes, before their values). */
export type StyleOf = (i: number, node: CborValue) => Style | undefined;

const te = new TextEncoder();

function head(out: number[], major: number, arg: bigint, width: Style['width'] = 0): void {
  const m = major << 5;
  const w = width || (arg < 24n ? -1 : arg < 0x100n ? 1 : arg < 0x10000n ? 2 : arg < 0x100000000n ? 4 : 8);
  // A forced width too narrow for the value falls back to the minimal one.
  const fits = w === -1 || arg < 1n << BigInt(8 * w);
  if (w === -1 || !fits) {
    if (arg < 24n) return void out.push(m | Number(arg));
    return head(out, major, arg, 0);
  }
  out.push(m | { 1: 24, 2: 25, 4: 26, 8: 27 }[w as 1 | 2 | 4 | 8]);
  for (let i = w - 1; i >= 0; i--) out.push(Number((arg >> BigInt(8 * i)) & 0xffn));
}

interface Walk {
  styleOf: StyleOf;
  next: number;
}

function bytesOf(v: CborValue, w: Walk): number[] {
  const out: number[] = [];
  write(out, v, w);
  return out;
}

/** Writes `v`, asking `styleOf` how to write each node. */
function write(out: number[], v: CborValue, w: Walk): void {
  const s = w.styleOf(w.next++, v) ?? {};
  if (s.raw) return void out.push(...s.raw);
  if (s.deep) return void out.push(...deepNesting(s.deep.depth, s.deep.kind));
  if (s.lie) return void out.push(...lyingLength(s.lie.major, s.lie.length, s.lie.actual));
  if (s.tag !== undefined) head(out, 6, BigInt(s.tag));
  if (typeof v === 'number' || typeof v === 'bigint') {
    const n = BigInt(v);
    return n >= 0n ? head(out, 0, n, s.width) : head(out, 1, -1n - n, s.width);
  }
  if (typeof v === 'boolean') return void out.push(v ? 0xf5 : 0xf4);
  if (v === null) return void out.push(0xf6);
  if (v instanceof CborFloat) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v.value);
    return void out.push(0xfb, ...b);
  }
  if (typeof v === 'string' || v instanceof Uint8Array) {
    const major = typeof v === 'string' ? 3 : 2;
    const b = typeof v === 'string' ? te.encode(v) : v;
    if (s.indefinite) {
      // Two chunks, split where it happens to fall (for text this may split a code point: also worth trying).
      out.push((major << 5) | 31);
      const mid = b.length >> 1;
      for (const chunk of [b.subarray(0, mid), b.subarray(mid)]) {
        head(out, major, BigInt(chunk.length));
        out.push(...chunk);
      }
      return void out.push(0xff);
    }
    head(out, major, BigInt(b.length), s.width);
    return void out.push(...b);
  }
  if (Array.isArray(v)) {
    if (s.indefinite) out.push(0x9f);
    else head(out, 4, BigInt(v.length), s.width);
    for (const item of v) write(out, item, w);
    if (s.indefinite) out.push(0xff);
    return;
  }
  // Keys and values are numbered in the order the canonical encoding writes them.
  const sorted = [...v.entries()].map(([k, val]) => [bytesOf(k, { styleOf: () => undefined, next: 0 }), k, val] as const);
  sorted.sort((a, b) => compareKeys(a[0], b[0]));
  const entries = sorted.map(([, k, val]) => [bytesOf(k, w), bytesOf(val, w)] as const);
  if (s.reverseKeys) entries.reverse();
  if (s.duplicateKey && entries.length) entries.push(entries[0]!);
  if (s.indefinite) out.push(0xbf);
  else head(out, 5, BigInt(entries.length), s.width);
  for (const [k, val] of entries) out.push(...k, ...val);
  if (s.indefinite) out.push(0xff);
}

function compareKeys(a: number[], b: number[]): number {
  if (a[0]! >> 5 !== b[0]! >> 5) return (a[0]! >> 5) - (b[0]! >> 5);
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** `v` written with `styleOf`, as bytes. */
export function hostileEncode(v: CborValue, styleOf: StyleOf = () => undefined): Uint8Array {
  return Uint8Array.from(bytesOf(v, { styleOf, next: 0 }));
}

/** `depth` nested one-element arrays (or maps) around an integer: thousands of levels in a few KB. */
export function deepNesting(depth: number, kind: 'array' | 'map'): Uint8Array {
  const out = new Uint8Array(kind === 'array' ? depth + 1 : depth * 2 + 1);
  let i = 0;
  for (let d = 0; d < depth; d++) {
    if (kind === 'array') out[i++] = 0x81;
    else (out[i++] = 0xa1), (out[i++] = 0x01);
  }
  out[i] = 0x00;
  return out;
}

/** A string, array or map head declaring `length` items, followed by only `actual` bytes of content. */
export function lyingLength(major: 2 | 3 | 4 | 5, length: bigint, actual: number): Uint8Array {
  const out: number[] = [];
  head(out, major, length);
  for (let i = 0; i < actual; i++) out.push(i & 0x7f);
  return Uint8Array.from(out);
}
