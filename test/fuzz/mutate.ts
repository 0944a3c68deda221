// Mutations of a valid CTAP2 request (command byte + CBOR): structural edits of the decoded tree,
// hostile re-encodings, then byte-level damage. Each is a plain value fast-check can shrink and
// print, applied deterministically, so a counterexample replays exactly.
import fc from 'fast-check';
import { CborFloat, decodeCbor, type CborKey, type CborValue } from '../../src/ctap/cbor.js';
import { hostileEncode, type Style } from './hostileCbor.js';

/** A replacement value of another type (or a hostile value of the same type). */
const REPLACEMENTS: readonly ((old: CborValue) => CborValue)[] = [
  () => 0,
  () => -1,
  () => 24,
  () => 0xffffffff,
  () => 2n ** 64n - 1n,
  () => -(2n ** 64n),
  (old) => new CborFloat(typeof old === 'number' ? old : 0), // 1.0 is not 1 in CTAP
  () => new CborFloat(NaN),
  () => new CborFloat(-0),
  () => '',
  () => 'public-key',
  () => 'x'.repeat(300),
  () => '\u{1F511}\u0000',
  () => new Uint8Array(0),
  () => new Uint8Array(16).fill(0xaa),
  () => new Uint8Array(32).fill(0x55),
  () => new Uint8Array(65).fill(0x04),
  () => new Uint8Array(1024).fill(0x33),
  () => [],
  (old) => [old],
  (old) => [old, old],
  () => new Map(),
  (old) => new Map<CborKey, CborValue>([[1, old]]),
  (old) => new Map<CborKey, CborValue>([['id', old], ['type', 'public-key']]),
  () => true,
  () => false,
  () => null,
];

const NEW_KEYS: readonly CborKey[] = [0, 1, 2, 3, 5, 9, 10, 11, 12, 15, 16, 255, 65536, -1, -2, -3, 'id', 'type', 'up', 'uv', 'rk', 'alg', 'hmac-secret', 'credProtect', ''];

export type TreeOp =
  | { kind: 'replace'; at: number; with: number }
  | { kind: 'remove'; at: number; entry: number }
  | { kind: 'add'; at: number; key: number; with: number };

export type StyleOp = { at: number; style: Style };

export type ByteOp =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'truncate'; at: number };

export interface Mutation {
  tree: TreeOp[];
  styles: StyleOp[];
  bytes: ByteOp[];
  /** Replaces the command byte. */
  command?: number;
}

const INTERESTING = [0x00, 0x01, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1f, 0x3f, 0x5f, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xd8, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xff];

const style: fc.Arbitrary<Style> = fc.oneof(
  fc.constantFrom<Style>({ width: 1 }, { width: 2 }, { width: 4 }, { width: 8 }, { indefinite: true }, { reverseKeys: true }, { duplicateKey: true }),
  fc.constantFrom(0, 1, 2, 24, 55799, 0xffffffff).map((tag): Style => ({ tag })),
  // Thousands of nesting levels: the decoder must stop at its depth limit, not at the stack's.
  fc.tuple(fc.integer({ min: 9, max: 3500 }), fc.constantFrom<'array' | 'map'>('array', 'map')).map(([depth, kind]): Style => ({ deep: { depth, kind } })),
  // A length far past the message: the decoder must not allocate it or read past the end.
  fc.tuple(fc.constantFrom<2 | 3 | 4 | 5>(2, 3, 4, 5), fc.constantFrom(23n, 7609n, 0xffffn, 0xffffffffn, 2n ** 64n - 1n), fc.nat(8))
    .map(([major, length, actual]): Style => ({ lie: { major, length, actual } })),
  fc.uint8Array({ minLength: 1, maxLength: 9 }).map((raw): Style => ({ raw })),
);

const treeOp: fc.Arbitrary<TreeOp> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), with: fc.nat(REPLACEMENTS.length - 1) }),
  fc.record({ kind: fc.constant('remove' as const), at: fc.nat(), entry: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: fc.nat(NEW_KEYS.length - 1), with: fc.nat(REPLACEMENTS.length - 1) }),
);

const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(...INTERESTING) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

const command = fc.oneof(fc.nat(0xff), fc.constantFrom(0x01, 0x02, 0x04, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x41));
const none = fc.constant([] as never[]);

/**
 * Mostly one kind of damage at a time, and little of it: most mutants are then near-valid and get
 * past the parser into the handlers (byte damage alone mostly ends at INVALID_CBOR).
 */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ tree: fc.array(treeOp, { minLength: 1, maxLength: 3 }), styles: none, bytes: none }), weight: 5 },
  { arbitrary: fc.record({ tree: none, styles: fc.array(fc.record({ at: fc.nat(), style }), { minLength: 1, maxLength: 2 }), bytes: none }), weight: 2 },
  { arbitrary: fc.record({ tree: none, styles: none, bytes: fc.array(byteOp, { minLength: 1, maxLength: 3 }) }), weight: 2 },
  { arbitrary: fc.record({ tree: fc.array(treeOp, { maxLength: 2 }), styles: fc.array(fc.record({ at: fc.nat(), style }), { maxLength: 1 }), bytes: fc.array(byteOp, { maxLength: 2 }) }), weight: 1 },
  { arbitrary: fc.record({ tree: none, styles: none, bytes: none, command }), weight: 1 },
  { arbitrary: fc.record({ tree: none, styles: none, bytes: none }), weight: 1 },
);

const isContainer = (v: CborValue): v is CborValue[] | Map<CborKey, CborValue> => Array.isArray(v) || v instanceof Map;

function count(v: CborValue): number {
  if (Array.isArray(v)) return 1 + v.reduce<number>((n, x) => n + count(x), 0);
  if (v instanceof Map) return 1 + [...v.values()].reduce<number>((n, x) => n + count(x), 0);
  return 1;
}

/** `v` with node number `target` (preorder over values) replaced by `edit(node)`. */
function rebuild(v: CborValue, target: number, edit: (node: CborValue) => CborValue): CborValue {
  let i = 0;
  const go = (node: CborValue): CborValue => {
    if (i++ === target) return edit(node);
    if (Array.isArray(node)) return node.map(go);
    if (node instanceof Map) return new Map([...node].map(([k, x]) => [k, go(x)]));
    return node;
  };
  return go(v);
}

function applyTree(v: CborValue, op: TreeOp): CborValue {
  const at = op.at % count(v);
  return rebuild(v, at, (node) => {
    if (op.kind === 'replace') return REPLACEMENTS[op.with]!(node);
    if (!isContainer(node)) return node;
    if (op.kind === 'add') {
      if (Array.isArray(node)) return [...node, REPLACEMENTS[op.with]!(null)];
      return new Map([...node, [NEW_KEYS[op.key]!, REPLACEMENTS[op.with]!(null)]]);
    }
    const entries = Array.isArray(node) ? [...node] : [...node];
    if (entries.length === 0) return node;
    entries.splice(op.entry % entries.length, 1);
    return Array.isArray(node) ? entries : new Map(entries as [CborKey, CborValue][]);
  });
}

function applyBytes(b: Uint8Array, op: ByteOp): Uint8Array {
  if (b.length === 0) return op.kind === 'insert' ? op.bytes : b;
  const at = op.at % b.length;
  switch (op.kind) {
    case 'flip': {
      const out = b.slice();
      out[at]! ^= 1 << op.bit;
      return out;
    }
    case 'set': {
      const out = b.slice();
      out[at] = op.value;
      return out;
    }
    case 'insert':
      return Uint8Array.from([...b.subarray(0, at), ...op.bytes, ...b.subarray(at)]);
    case 'delete':
      return Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + op.count)]);
    case 'truncate':
      return b.slice(0, at);
  }
}

/** The mutant of `request` (command byte + CBOR body, possibly empty). */
export function applyMutation(request: Uint8Array, m: Mutation): Uint8Array {
  let body = request.subarray(1);
  if (body.length && (m.tree.length || m.styles.length)) {
    let tree = decodeCbor(body);
    for (const op of m.tree) tree = applyTree(tree, op);
    const styles = new Map<number, Style>();
    const nodes = count(tree) * 2; // keys are numbered too: a loose upper bound is enough
    for (const s of m.styles) styles.set(s.at % nodes, s.style);
    body = hostileEncode(tree, (i) => styles.get(i));
  }
  for (const op of m.bytes) body = applyBytes(body, op);
  const out = new Uint8Array(body.length + 1);
  out[0] = m.command ?? request[0]!;
  out.set(body, 1);
  return out;
}
