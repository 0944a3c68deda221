// DESIGN.md style rule 5: the host side names every CBOR member (src/ctap/keys.ts), never a bare number.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const OWN = ['src/client', 'src/cli'];
const NOT_OURS = new Set(['src/cli/serve.ts', 'src/cli/reset.ts', 'src/cli/prompt.ts', 'src/cli/describe.ts']);

/** Member access or map entries by a number literal: m.get(3), m.set(0x01, ...), new Map([[1, x]]), { 3: x }. */
const BARE = [/\.(get|set|has)\(\s*-?(0x[0-9a-f]+|\d+)\s*[,)]/gi, /\[\[\s*(0x[0-9a-f]+|\d+)\s*,/gi, /[{,]\s*(0x[0-9a-f]+|\d+)\s*:/gi];

describe('CBOR members by name', () => {
  it('src/client and the CLI use the tables of src/ctap/keys.ts', () => {
    const found: string[] = [];
    for (const dir of OWN) {
      for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts')).map((n) => join(dir, n))) {
        if (NOT_OURS.has(f)) continue;
        readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
          if (!/^\s*(\/\/|\*)/.test(line) && BARE.some((re) => (re.lastIndex = 0, re.test(line)))) found.push(`${f}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(found).toEqual([]);
  });
});
