// The layering rules of DESIGN.md, checked on the source text.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

const IO = /^(node:|fs$|net$|dgram$|os$|path$|child_process$|node-hid$|better-sqlite3$)/;

describe('layers', () => {
  it('the core (src/ctap2) imports no IO and nothing above it', () => {
    for (const f of files('src/ctap2')) {
      for (const i of imports(f)) {
        expect(IO.test(i), `${f} imports ${i}`).toBe(false);
        expect(/\/(hid|client|cli)\//.test(i) || /virtual/.test(i), `${f} imports ${i}`).toBe(false);
      }
    }
  });

  it('the CTAPHID framing and device are pure (only transports do IO)', () => {
    for (const f of ['src/hid/framing.ts', 'src/hid/device.ts', 'src/hid/host.ts', 'src/hid/constants.ts']) {
      for (const i of imports(f)) expect(IO.test(i), `${f} imports ${i}`).toBe(false);
    }
  });

  it('the host side never reaches into the authenticator', () => {
    for (const f of files('src/client')) {
      for (const i of imports(f)) expect(i, f).not.toMatch(/ctap2\/(authenticator|commands|state|presence)/);
    }
  });

  it('the core never reads the wall clock', () => {
    for (const f of files('src/ctap2')) expect(readFileSync(f, 'utf8'), f).not.toMatch(/Date\.now\(|new Date\(|Math\.random\(/);
  });
});
