// CLI output: JSON for programs, aligned tables for people.

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A JSON array as printJson prints it, written an element at a time (a listing of any length). */
export function printJsonArray(items: Iterable<unknown>): void {
  let chunk = '';
  let first = true;
  for (const item of items) {
    chunk += `${first ? '[\n' : ',\n'}${JSON.stringify(item, null, 2).replace(/^/gm, '  ')}`;
    first = false;
    if (chunk.length > 1 << 16) {
      process.stdout.write(chunk);
      chunk = '';
    }
  }
  process.stdout.write(first ? '[]\n' : `${chunk}\n]\n`);
}

/** Code points, as a terminal counts the width of plain text. */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** A plain text table: a header row, aligned columns; written in chunks (no limit on rows). */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h) => width(h));
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i]!, width(c))));
  const line = (cells: string[]): string => cells.map((c, i) => c + ' '.repeat(widths[i]! - width(c))).join('  ').trimEnd();
  let chunk = `${line(headers)}\n`;
  for (const r of rows) {
    chunk += `${line(r)}\n`;
    if (chunk.length > 1 << 16) {
      process.stdout.write(chunk);
      chunk = '';
    }
  }
  process.stdout.write(chunk);
}
