// The CLI's aligned table: rows kept as bytes in chunks, written aligned, the same as aligning the
// strings directly (multi-byte text and rows across chunk boundaries included).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { printTable, Table } from '../../src/cli/output.js';

function captured(fn: () => void): string {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return out;
}

/** Aligned by code points, two spaces apart, trailing space trimmed: what the table must print. */
function aligned(headers: string[], rows: string[][]): string {
  const len = (s: string): number => [...s].length;
  const widths = headers.map((h, i) => Math.max(len(h), ...rows.map((r) => len(r[i]!))));
  return [headers, ...rows].map((r) => r.map((c, i) => c + ' '.repeat(widths[i]! - len(c))).join('  ').trimEnd() + '\n').join('');
}

afterEach(() => vi.restoreAllMocks());

describe('Table', () => {
  it('prints what aligning the strings would, across many chunks and with multi-byte text', () => {
    const headers = ['RP ID', 'USER', 'N'];
    const rows = Array.from({ length: 30_000 }, (_, i) => [`rp${i % 7}.example`, i % 5 ? `user ${i}` : `ü€😀 ${'x'.repeat(i % 40)}`, String(i)]);
    rows.push(['', '', '']);
    const table = new Table(headers);
    for (const r of rows) table.add(r);
    expect(table.size).toBe(rows.length);
    expect(captured(() => table.print())).toBe(aligned(headers, rows));
  });

  it('keeps a row longer than a chunk whole', () => {
    const rows = [['a', 'b'], ['x'.repeat(3 << 20), 'é'], ['c', 'd']];
    expect(captured(() => printTable(['H1', 'H2'], rows))).toBe(aligned(['H1', 'H2'], rows));
  });

  it('refuses a row with the wrong number of cells', () => {
    expect(() => new Table(['a', 'b']).add(['only one'])).toThrow(/2/);
  });
});
