// The layering rules of DESIGN.md, checked on the source text.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

/** The project files a file imports (type-only imports included: they tie the modules as much). */
function localImports(file: string): string[] {
  return imports(file)
    .filter((i) => i.startsWith('.'))
    .map((i) => normalize(join(dirname(file), i)).replace(/\.js$/, '.ts'));
}

const IO = /^(node:|fs$|net$|dgram$|os$|path$|child_process$|node-hid$|better-sqlite3$)/;

describe('layers', () => {
  it('the shared vocabulary (src/ctap) imports no IO and nothing but itself and util', () => {
    for (const f of files('src/ctap')) {
      for (const i of imports(f)) {
        expect(IO.test(i), `${f} imports ${i}`).toBe(false);
        if (i.startsWith('.')) expect(localImports(f).every((p) => /^src\/(ctap|util)\//.test(p)), `${f} imports ${i}`).toBe(true);
      }
    }
  });

  it('the core (src/ctap2) imports no IO and nothing above it', () => {
    for (const f of files('src/ctap2')) {
      for (const i of imports(f)) {
        expect(IO.test(i), `${f} imports ${i}`).toBe(false);
        expect(/\/(hid|client|cli|node)\//.test(i), `${f} imports ${i}`).toBe(false);
      }
    }
  });

  it('the CTAPHID framing and device are pure (only transports do IO)', () => {
    for (const f of ['src/hid/framing.ts', 'src/hid/device.ts', 'src/hid/host.ts', 'src/hid/constants.ts']) {
      for (const i of imports(f)) expect(IO.test(i), `${f} imports ${i}`).toBe(false);
    }
  });

  it('the host side never imports the authenticator: it shares only src/ctap', () => {
    for (const f of files('src/client')) {
      for (const p of localImports(f)) expect(p, f).not.toMatch(/^src\/(ctap2|node|cli|keystore)\//);
    }
  });

  it('no import cycles', () => {
    const graph = new Map(files('src').map((f) => [f, localImports(f)]));
    const done = new Set<string>();
    const visit = (f: string, path: string[]): void => {
      const at = path.indexOf(f);
      expect(at, `import cycle: ${[...path.slice(at), f].join(' -> ')}`).toBe(-1);
      if (done.has(f)) return;
      for (const next of graph.get(f) ?? []) visit(next, [...path, f]);
      done.add(f);
    };
    for (const f of graph.keys()) visit(f, []);
  });

  it('the core never reads the wall clock', () => {
    for (const f of [...files('src/ctap2'), ...files('src/ctap')]) {
      expect(readFileSync(f, 'utf8'), f).not.toMatch(/Date\.now\(|new Date\(|Math\.random\(/);
    }
  });
});
