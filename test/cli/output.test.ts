// The CLI's aligned table: rows kept as bytes in chunks, written aligned, the same as aligning the
// strings directly (multi-byte text and rows across chunk boundaries included).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { printJsonArray, printTable, Table } from '../../src/cli/output.js';

async function captured(fn: () => Promise<void>): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  try {
    await fn();
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
  it('prints what aligning the strings would, across many chunks and with multi-byte text', async () => {
    const headers = ['RP ID', 'USER', 'N'];
    const rows = Array.from({ length: 30_000 }, (_, i) => [`rp${i % 7}.example`, i % 5 ? `user ${i}` : `ü€😀 ${'x'.repeat(i % 40)}`, String(i)]);
    rows.push(['', '', '']);
    const table = new Table(headers);
    for (const r of rows) table.add(r);
    expect(table.size).toBe(rows.length);
    expect(await captured(() => table.print())).toBe(aligned(headers, rows));
  });

  it('keeps a row longer than a chunk whole', async () => {
    const rows = [['a', 'b'], ['x'.repeat(3 << 20), 'é'], ['c', 'd']];
    expect(await captured(() => printTable(['H1', 'H2'], rows))).toBe(aligned(['H1', 'H2'], rows));
  });

  it('refuses a row with the wrong number of cells', () => {
    expect(() => new Table(['a', 'b']).add(['only one'])).toThrow(/2/);
  });
});

describe('writing a long listing', () => {
  it('waits for drain when stdout is behind, instead of queuing the rest (table and JSON alike)', async () => {
    for (const print of [
      (): Promise<void> => printTable(['N'], Array.from({ length: 40_000 }, (_, i) => [String(i)])),
      (): Promise<void> => printJsonArray(Array.from({ length: 20_000 }, (_, i) => ({ i }))),
    ]) {
      let writes = 0;
      let inFlight = false;
      let out = '';
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        expect(inFlight).toBe(false); // no write before the last one drained
        out += String(chunk);
        writes++;
        inFlight = true;
        setImmediate(() => ((inFlight = false), process.stdout.emit('drain')));
        return false; // behind: as a pipe whose reader is slow
      });
      try {
        await print();
      } finally {
        spy.mockRestore();
      }
      expect(writes).toBeGreaterThan(2);
      expect(out.split('\n').length).toBeGreaterThan(20_000);
    }
  });
});
