// The order of RP IDs in every store: SQLite's BINARY collation of text.

/**
 * Code point order, i.e. UTF-8 byte order: how SQLite's BINARY collation orders RP IDs, so both
 * stores list RPs alike. UTF-16 order differs only where a surrogate (a code point above U+FFFF)
 * meets U+E000..U+FFFF: those are remapped so surrogates sort after.
 */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  const rank = (u: number): number => (u >= 0xe000 ? u - 0x800 : u >= 0xd800 ? u + 0x2000 : u);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}
