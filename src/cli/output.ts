// CLI output: JSON for programs, aligned tables for people.
import { once } from 'node:events';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes to stdout, waiting while a pipe's reader is behind: otherwise a long listing queues whole
 * in memory (a closed pipe ends the process: see cli.ts).
 */
async function write(chunk: string): Promise<void> {
  if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
}

/** A JSON array as printJson prints it, written an element at a time (a listing of any length). */
export async function printJsonArray(items: Iterable<unknown>): Promise<void> {
  let chunk = '';
  let first = true;
  for (const item of items) {
    chunk += `${first ? '[\n' : ',\n'}${JSON.stringify(item, null, 2).replace(/^/gm, '  ')}`;
    first = false;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(first ? '[]\n' : `${chunk}\n]\n`);
}

/** Code points, as a terminal counts the width of plain text. */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Ends each cell of a stored row: a byte UTF-8 never uses. */
const END = 0xff;
/** The rows are stored in buffers of this size (one grows no copy of the rows before it). */
const CHUNK = 1 << 20;

/**
 * A plain text table built a row at a time. The rows are kept as UTF-8, each cell ended by a byte
 * UTF-8 never uses, in buffers of CHUNK bytes (a 100,000-row listing holds a few MB off the heap,
 * not 800,000 strings), and the columns are aligned when it is written.
 */
export class Table {
  private readonly widths: number[];
  private readonly chunks: { bytes: Buffer; used: number }[] = [];
  private rows = 0;

  constructor(private readonly headers: string[]) {
    this.widths = headers.map((h) => width(h));
  }

  get size(): number {
    return this.rows;
  }

  add(cells: string[]): void {
    if (cells.length !== this.headers.length) throw new Error(`a table row has ${cells.length} cells, not ${this.headers.length}`);
    const room = cells.reduce((n, c) => n + Buffer.byteLength(c) + 1, 0);
    let last = this.chunks[this.chunks.length - 1];
    if (!last || last.used + room > last.bytes.length) this.chunks.push((last = { bytes: Buffer.allocUnsafe(Math.max(CHUNK, room)), used: 0 }));
    cells.forEach((c, i) => {
      this.widths[i] = Math.max(this.widths[i]!, width(c));
      last.used += last.bytes.write(c, last.used);
      last.bytes[last.used++] = END;
    });
    this.rows++;
  }

  /** Header row, then every row, aligned; written in chunks (no limit on rows). */
  async print(): Promise<void> {
    const line = (cells: string[]): string => cells.map((c, i) => c + ' '.repeat(this.widths[i]! - width(c))).join('  ').trimEnd();
    let out = `${line(this.headers)}\n`;
    const row: string[] = new Array<string>(this.headers.length);
    for (const { bytes, used } of this.chunks) {
      for (let from = 0; from < used;) {
        for (let i = 0; i < row.length; i++) {
          const to = bytes.indexOf(END, from);
          row[i] = bytes.toString('utf8', from, to);
          from = to + 1;
        }
        out += `${line(row)}\n`;
        if (out.length > 1 << 16) {
          await write(out);
          out = '';
        }
      }
    }
    await write(out);
  }
}

/** A plain text table: a header row, aligned columns. */
export function printTable(headers: string[], rows: string[][]): Promise<void> {
  const table = new Table(headers);
  for (const r of rows) table.add(r);
  return table.print();
}
