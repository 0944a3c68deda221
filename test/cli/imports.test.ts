// The installed package has only its production dependencies: every module the CLI or the
// library entry point can reach must import nothing else (a devDependency there breaks
// `npx ctap-emu --help` for every user).
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

/** An optional peer (node-hid, better-sqlite3) may be reached, but only through import() at the point of use. */
const optionalPeer = (name: string): boolean => pkg.peerDependenciesMeta?.[name]?.optional === true;

/** Specifiers a module loads at run time: static imports and re-exports (not type-only), and import('x'). */
function runtimeSpecifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const statics = [...text.matchAll(/^\s*(import|export)(\s+type\b)?[^'";]*?from\s+['"]([^'"]+)['"]/gm)]
    .filter((m) => !m[2]).map((m) => m[3]!);
  const bare = [...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  return [...statics, ...bare, ...dynamicSpecifiers(file)];
}

function dynamicSpecifiers(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Every package imported by a module reachable from `entries`, with the module that imports it. */
function reachablePackages(entries: string[]): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const s of runtimeSpecifiers(file)) {
      if (s.startsWith('.')) {
        const target = normalize(join(dirname(file), s)).replace(/\.js$/, '.ts');
        expect(existsSync(target), `${file} imports ${s}`).toBe(true);
        visit(target);
      } else if (!s.startsWith('node:') && !builtinModules.includes(s)) packages.set(packageOf(s), file);
    }
  };
  entries.forEach(visit);
  return packages;
}

describe('what the published CLI and library load', () => {
  it('reaches only production dependencies from src/cli.ts and src/index.ts', () => {
    const packages = reachablePackages(['src/cli.ts', 'src/index.ts']);
    expect(packages.size).toBeGreaterThan(0);
    for (const [name, by] of packages) {
      if (optionalPeer(name)) {
        const statics = runtimeSpecifiers(by).filter((s) => packageOf(s) === name && !dynamicSpecifiers(by).includes(s));
        expect(statics, `${by} imports the optional peer ${name} statically`).toEqual([]);
        continue;
      }
      expect(name in pkg.dependencies, `${by} imports ${name}, ${name in pkg.devDependencies ? 'a devDependency' : 'not a dependency'}`).toBe(true);
    }
  });

  it('notices a devDependency (the check itself works)', () => {
    expect(runtimeSpecifiers('test/cli/cli.test.ts')).toContain('@simplewebauthn/server');
    expect(runtimeSpecifiers('src/cli/creds.ts')).not.toContain('../keystore/types.js'); // type-only
  });
});
