// The package as a user gets it: `npm pack`, the tarball installed into an empty project, then the
// CLI through npx and README's library example as pasted; under the machine's Node + npm, and under
// Node 24 + npm 12 (which blocks dependencies' install scripts) when CTAP_EMU_NODE24/CTAP_EMU_NPM12
// name them (.ci/run installs both). Needs the npm registry; CTAP_EMU_SKIP_PACKAGE=1 skips it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expectOk, explain, MIN, node24Toolchain, run, type Result, type Toolchain } from './toolchain.js';

const REPO = process.cwd();

/** Packages npm 12 may report as "install scripts blocked" without failing this test (none: a user
 *  must not see that warning). node-hid's script only verifies its prebuilt binaries, yet npm 12
 *  still lists it; add 'node-hid' here only if the project decides users may see that line. */
const TOLERATED_BLOCKED_SCRIPTS: string[] = [];

/** Lines of stderr a user would notice, minus this machine's own npmrc complaint (nodedir). */
function warnings(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /warn/i.test(l) && !/Unknown user config "nodedir"/.test(l));
}

// ---- the toolchains ----

const skipAll = process.env.CTAP_EMU_SKIP_PACKAGE === '1';
if (skipAll) console.warn('skipping the installed-package suite: CTAP_EMU_SKIP_PACKAGE=1');

const machine: Toolchain = {
  name: `the machine's Node ${process.version} + npm`,
  nodeDir: dirname(process.execPath),
  npm: ['npm'],
  npx: ['npx'],
  blocksScripts: false, // decided after `npm -v` below
};

const n24 = node24Toolchain();
// On CI a missing toolchain is a failure, not a skip (as for the other suites).
if (!skipAll && !n24.tc && !process.env.CI) console.warn(`skipping the installed-package suite under Node 24 + npm 12: ${n24.reason}`);

// ---- the tarball: packed once, from a copy of the sources, so `prepack` builds it as `npm publish`
// would, without rewriting this checkout's dist/ while other test files run it ----

let work: string;
let tarball: string;
let packed: { files: { path: string; mode: number }[] } | undefined;
let packError: string | undefined;
/** artillery-engine-ctap-emu (packages/), the name Artillery loads ctap-emu/artillery by. */
const ENGINE_DIR = join(REPO, 'packages/artillery-engine-ctap-emu');
let engineTarball: string;
let enginePacked: { files: { path: string }[] } | undefined;

/**
 * A node_modules holding packages above the temporary projects, which Node's resolution would reach
 * from an "empty" project (one holding only dot-entries, as a tool's cache, lends nothing).
 */
function nodeModulesAbove(dir: string): string | undefined {
  for (let d = dirname(dir); ; d = dirname(d)) {
    const nm = join(d, 'node_modules');
    if (existsSync(nm) && readdirSync(nm).some((e) => !e.startsWith('.'))) return nm;
    if (dirname(d) === d) return undefined;
  }
}

beforeAll(async () => {
  if (skipAll) return;
  work = mkdtempSync(join(tmpdir(), 'ctap-emu-pkg-'));
  const above = nodeModulesAbove(work);
  if (above) throw new Error(`${above} is reachable from the empty projects this suite makes in ${tmpdir()}: it would lend them packages a user's project lacks; remove it or set TMPDIR elsewhere`);
  const src = join(work, 'src-copy');
  mkdirSync(src);
  for (const f of ['package.json', 'package-lock.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'tsconfig.json']) {
    if (existsSync(join(REPO, f))) cpSync(join(REPO, f), join(src, f));
  }
  cpSync(join(REPO, 'src'), join(src, 'src'), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(src, 'node_modules'));
  const out = join(work, 'tarball');
  mkdirSync(out);
  const r = await run(machine, ['npm', 'pack', '--json', '--pack-destination', out], src, { timeoutMs: 5 * MIN });
  if (r.code !== 0) {
    packError = explain('npm pack (prepack builds with tsc)', r);
    return;
  }
  const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as { filename: string; files: { path: string; mode: number }[] }[];
  packed = json[0]!;
  tarball = join(out, json[0]!.filename);
  const e = await run(machine, ['npm', 'pack', '--json', '--pack-destination', out, ENGINE_DIR], work);
  if (e.code !== 0) {
    packError = explain('npm pack packages/artillery-engine-ctap-emu', e);
    return;
  }
  const ej = JSON.parse(e.stdout.slice(e.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  enginePacked = ej[0]!;
  engineTarball = join(out, ej[0]!.filename);
}, 6 * MIN);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(skipAll)('npm pack', () => {
  it('packs, building first (prepack)', () => {
    if (packError) throw new Error(packError);
    expect(existsSync(tarball)).toBe(true);
  });

  it('ships exactly the JS and .d.ts of each source file, README, LICENSE, CHANGELOG: no tests, bench, maps or secrets', () => {
    if (!packed) throw new Error(packError ?? 'not packed');
    const paths = packed.files.map((f) => f.path).sort();
    const sources = listTs(join(REPO, 'src')).map((f) => `dist/src/${f.slice(0, -'.ts'.length)}`);
    const expected = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', ...sources.flatMap((f) => [`${f}.js`, `${f}.d.ts`])].sort();
    const secrets = paths.filter((p) => /\.(sqlite\S*|pem|key|p12|pfx|trace)$|(^|\/)(\.env\S*|\.npmrc|id_[a-z0-9]+)$/i.test(p));
    expect(secrets, 'files that may hold secrets').toEqual([]);
    expect(paths.filter((p) => !expected.includes(p)), 'files the package should not ship').toEqual([]);
    expect(expected.filter((p) => !paths.includes(p)), 'files the package lacks').toEqual([]);
  });

  it('artillery-engine-ctap-emu ships its entry, types, README and LICENSE, at ctap-emu\'s version', () => {
    if (!enginePacked) throw new Error(packError ?? 'not packed');
    expect(enginePacked.files.map((f) => f.path).sort()).toEqual(['LICENSE', 'README.md', 'index.d.ts', 'index.js', 'package.json']);
    const root = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
    const engine = JSON.parse(readFileSync(join(ENGINE_DIR, 'package.json'), 'utf8')) as { version: string; engines: { node: string }; dependencies: Record<string, string> };
    expect(engine.version, 'the engine package is released with ctap-emu').toBe(root.version);
    expect(engine.dependencies['ctap-emu']).toBe(`^${root.version}`);
    expect(engine.engines.node).toBe(root.engines.node);
  });

  it('the bin is executable and starts with a node shebang', () => {
    if (!packed) throw new Error(packError ?? 'not packed');
    const cli = packed.files.find((f) => f.path === 'dist/src/cli.js')!;
    expect(cli.mode & 0o111, 'dist/src/cli.js is not executable in the tarball (build should chmod 755 it)').not.toBe(0);
    expect(readFileSync(join(REPO, 'src/cli.ts'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('package.json: no `prepare` for users to run, engines stated, Artillery not a dependency, a type file for each export', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as PackageJson;
    expect(pkg.scripts.prepare, '`prepare` runs on installs from git and in users\' trees; build in `prepack`').toBeUndefined();
    expect(pkg.scripts.prepack).toMatch(/build/);
    // Node 20.19 and 22.12 are the releases that load ES modules from require() unflagged (as the @noble
    // packages need); the suites run on 20.19+ and 24.
    expect(pkg.engines?.node).toBe('^20.19.0 || >=22.12.0');
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
      expect(Object.keys(pkg[field] ?? {}), `users install Artillery themselves: not in ${field}`).not.toContain('artillery');
    }
    const paths = packed?.files.map((f) => f.path) ?? [];
    for (const [sub, target] of Object.entries(pkg.exports)) {
      if (sub === './package.json') continue;
      expect(target, `exports["${sub}"]`).toEqual({ types: expect.stringMatching(/\.d\.ts$/), default: expect.stringMatching(/\.js$/) });
      if (!packed) continue;
      for (const f of Object.values(target as Record<string, string>)) expect(paths, `exports["${sub}"] names ${f}`).toContain(f.replace(/^\.\//, ''));
    }
  });
});

interface PackageJson {
  scripts: Record<string, string>;
  engines?: { node?: string };
  exports: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** The .ts files under dir, relative to it. */
function listTs(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listTs(join(dir, d.name), `${prefix}${d.name}/`) : d.name.endsWith('.ts') ? [`${prefix}${d.name}`] : []);
}

// ---- an empty project installs the tarball and uses it, as README says: first the tarball alone
// (the CLI and the library must not need anything else), then @simplewebauthn/server for README's
// example ----

/** README's first code block (```js or ```ts) under "## In a relying-party test (library API)", as
 *  pasted. It must be plain JavaScript (valid TypeScript too): Node 20 has no type stripping. */
function readmeExample(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const at = readme.indexOf('## In a relying-party test (library API)');
  if (at < 0) throw new Error('README.md has no "## In a relying-party test (library API)" section');
  const m = /```(?:js|ts|mjs)\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) throw new Error('README\'s library API section has no ```js (or ```ts) block');
  return m[1]!;
}

/** Makes a discoverable credential in a keystore file through the library, so the CLI has one to
 *  find. Plain options (no @simplewebauthn/server): the CLI checks run before anything but the
 *  tarball is installed, so a dependency the package forgot to declare shows. */
const STORE_SCRIPT = `
import { VirtualAuthenticator, WebAuthnClient } from 'ctap-emu';
const b64u = (s) => Buffer.from(s).toString('base64url');
const key = new VirtualAuthenticator({ store: process.argv[2] });
const client = new WebAuthnClient(key, { origin: 'https://example.com' });
const reg = await client.create({
  rp: { name: 'Example', id: 'example.com' }, user: { id: b64u('alice-id'), name: 'alice', displayName: 'Alice' },
  challenge: b64u('a challenge of 32 bytes, at least'), pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
  authenticatorSelection: { residentKey: 'required', userVerification: 'discouraged' },
});
client.close?.();
key.close();
console.log(reg.id);
`;

/** Names README tells users to import from 'ctap-emu'. */
const README_EXPORTS = [
  'VirtualAuthenticator', 'WebAuthnClient', 'CtapHidHost', 'Ctap2Client', 'ClientPin', 'CredentialManagement',
  'authenticatorConfig', 'connectUdp', 'openNodeHid',
];

function installedSuite(tc: Toolchain | undefined, skipReason: string | undefined): void {
  const skip = skipAll || (!tc && !process.env.CI);
  describe.skipIf(skip)(`installed from the tarball: ${tc?.name ?? 'Node 24 + npm 12'}`, () => {
    let project: string;
    let install: Result | undefined;
    let store: string;

    const need = (): Toolchain => {
      if (!tc) throw new Error(`Node 24 + npm 12 are needed on CI: ${skipReason}`);
      if (!tarball) throw new Error(packError ?? 'no tarball');
      if (!install || install.code !== 0) throw new Error('the install failed (see the install test)');
      return tc;
    };
    // --no-install: never fetch a published ctap-emu when the local bin is missing.
    const npx = (args: string[], env: Record<string, string> = {}): Promise<Result> =>
      run(tc!, [...tc!.npx, '--no-install', ...args], project, { env });

    beforeAll(async () => {
      if (!tc || !tarball) return;
      project = mkdtempSync(join(work, 'project-'));
      store = join(project, 'keystore.sqlite');
      const init = await run(tc, [...tc.npm, 'init', '-y'], project);
      expectOk('npm init -y', init);
      const pj = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(project, 'package.json'), JSON.stringify({ ...pj, type: 'module' }, null, 2));
      const version = await run(tc, [...tc.npm, '-v'], project);
      if (tc === machine) machine.blocksScripts = Number(version.stdout.trim().split('.')[0]) >= 12;
      const extra: string[] = [];
      // A Node without node:sqlite needs better-sqlite3; if the package only names it as an
      // (optional) peer, the user installs it, as README must then say.
      const shipped = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
      const nodeV = await run(tc, ['node', '-p', "(() => { try { return process.getBuiltinModule?.('node:sqlite') ? 'sqlite' : 'none'; } catch { return 'none'; } })()"], project);
      if (nodeV.stdout.trim() !== 'sqlite' && shipped.peerDependencies?.['better-sqlite3'] && !shipped.dependencies?.['better-sqlite3']) {
        extra.push(`better-sqlite3@${shipped.peerDependencies['better-sqlite3']}`);
      }
      // With artillery-engine-ctap-emu beside it: its dependency on ctap-emu must take this tarball, not the registry.
      install = await run(tc, [...tc.npm, 'install', '--no-audit', '--no-fund', tarball, engineTarball, ...extra], project, { timeoutMs: 8 * MIN });
    }, 10 * MIN);

    it('npm install <tarball> succeeds', () => {
      if (!tc) throw new Error(`Node 24 + npm 12 are needed on CI: ${skipReason}`);
      if (!install) throw new Error(packError ?? 'not installed');
      expectOk('npm install <tarball>', install);
    });

    it('npm prints no "install scripts blocked" warning (npm 12)', () => {
      const t = need();
      if (!t.blocksScripts) return; // older npm runs the scripts; nothing is blocked
      const out = `${install!.stdout}\n${install!.stderr}`;
      const blocked = [...out.matchAll(/install-scripts\s+(@?[^@\s]+)@\S+ \(/g)].map((m) => m[1]!).filter((p) => !TOLERATED_BLOCKED_SCRIPTS.includes(p));
      const why: Record<string, string> = {
        'better-sqlite3': 'better-sqlite3 is still installed by default. Under npm 12 its build is blocked (so it is useless) and npm warns; '
          + 'optionalDependencies does not help (npm 12 installs it and warns all the same). Node 22.13+/24 use node:sqlite; '
          + 'name better-sqlite3 in peerDependencies with peerDependenciesMeta optional, for Node 20 users to install themselves',
        'node-hid': 'node-hid\'s install script (pkg-prebuilds-verify) is blocked: the prebuilt binaries load without it, but npm 12 '
          + 'prints the warning; make node-hid an optional peer loaded on demand, or list it in TOLERATED_BLOCKED_SCRIPTS',
      };
      if (blocked.length) {
        throw new Error(`npm 12 blocked install scripts of ${blocked.join(', ')}:\n${blocked.map((p) => `- ${p}: ${why[p] ?? 'a dependency with an install script'}`).join('\n')}\n--- npm said\n${install!.stderr}`);
      }
    });

    it('npx ctap-emu --help', async () => {
      need();
      const r = await npx(['ctap-emu', '--help']);
      expectOk('npx ctap-emu --help', r);
      expect(r.stdout).toMatch(/Usage: ctap-emu/);
    });

    it('the package root exports what README names', async () => {
      const t = need();
      const names = JSON.stringify(README_EXPORTS);
      const r = await run(t, ['node', '--input-type=module', '-e',
        `const m = await import('ctap-emu'); const missing = ${names}.filter((n) => !(n in m)); if (missing.length) { console.error('missing: ' + missing.join(', ')); process.exit(1); }`], project);
      expectOk(`import('ctap-emu') and look for ${README_EXPORTS.join(', ')}:`, r);
    });

    it('every subpath in exports imports, and artillery-engine-ctap-emu is ctap-emu/artillery\'s engine', async () => {
      const t = need();
      const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as PackageJson;
      const specs = Object.keys(pkg.exports).map((k) => `ctap-emu${k.slice(1)}`);
      // A subpath built on an optional peer the user brings (ctap-emu/playwright on @playwright/test,
      // which this empty project lacks) must fail to import naming that peer, and nothing else.
      const peerOf: Record<string, string> = { 'ctap-emu/playwright': '@playwright/test' };
      const script = `
        const peerOf = ${JSON.stringify(peerOf)};
        for (const s of ${JSON.stringify(specs)}) {
          let m;
          try {
            m = s.endsWith('.json') ? await import(s, { with: { type: 'json' } }) : await import(s);
          } catch (e) {
            if (peerOf[s] && e.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes("'" + peerOf[s] + "'")) continue;
            throw e;
          }
          if (peerOf[s]) throw new Error(s + ' imported without its peer ' + peerOf[s]);
          if (Object.keys(m).length === 0) throw new Error(s + ' exports nothing');
        }
        const engine = (await import('ctap-emu/artillery')).default;
        if (typeof engine?.prototype?.createScenario !== 'function') throw new Error('ctap-emu/artillery has no engine as its default export');
        if ((await import('artillery-engine-ctap-emu')).default !== engine) throw new Error('artillery-engine-ctap-emu is not ctap-emu/artillery');
        console.log('imported ' + ${JSON.stringify(specs.join(', '))});`;
      const r = await run(t, ['node', '--input-type=module', '-e', script], project);
      expectOk(`import each of ${specs.join(', ')}:`, r);
    });

    it('every subpath has types: a TypeScript file importing each compiles (NodeNext)', async () => {
      const t = need();
      const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as PackageJson;
      const subs = Object.keys(pkg.exports).filter((k) => k !== './package.json');
      writeFileSync(join(project, 'types.ts'), [
        ...subs.map((k, i) => `import * as m${i} from 'ctap-emu${k.slice(1)}';`),
        "import Engine from 'artillery-engine-ctap-emu';",
        "import { VirtualAuthenticator } from 'ctap-emu';",
        "import ArtilleryEngine, { METRICS } from 'ctap-emu/artillery';",
        'const key: VirtualAuthenticator = new VirtualAuthenticator();',
        'const engine: typeof ArtilleryEngine = Engine;',
        'const failed: string = METRICS.failed;',
        `export const all = [${subs.map((_, i) => `m${i}`).join(', ')}, key, engine, failed];`,
      ].join('\n'));
      // noImplicitAny (strict) turns a subpath without types into TS7016; types: [] keeps @types out.
      writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] },
        files: ['types.ts'],
      }));
      const r = await run(t, ['node', join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], project);
      expectOk('tsc -p tsconfig.json (types.ts imports every subpath)', r);
    });

    it('a keystore file through the library, then `npx ctap-emu info` and `creds list` on it', async () => {
      const t = need();
      writeFileSync(join(project, 'store.mjs'), STORE_SCRIPT);
      const made = await run(t, ['node', 'store.mjs', store], project);
      expectOk('new VirtualAuthenticator({ store: <file> }) + a registration (store.mjs)', made);
      expect(statSync(store).mode & 0o777).toBe(0o600);
      const id = made.stdout.trim().split('\n').pop()!;

      const info = await npx(['ctap-emu', 'info', '--json'], { CTAP_EMU_STORE: store });
      expectOk('CTAP_EMU_STORE=<file> npx ctap-emu info --json', info);
      expect(JSON.parse(info.stdout)).toMatchObject({ versions: expect.arrayContaining(['FIDO_2_1']) });
      expect(warnings(info.stderr), 'info printed warnings').toEqual([]);

      const list = await npx(['ctap-emu', 'creds', 'list', '--json'], { CTAP_EMU_STORE: store });
      expectOk('CTAP_EMU_STORE=<file> npx ctap-emu creds list --json', list);
      expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ rpId: 'example.com', userName: 'alice', credentialId: id })]);
      expect(warnings(list.stderr), 'creds list printed warnings').toEqual([]);
    });

    it('npx ctap-emu demo', async () => {
      need();
      const r = await npx(['ctap-emu', 'demo']);
      expectOk('npx ctap-emu demo', r);
      expect(warnings(r.stderr), 'demo printed warnings').toEqual([]);
    });

    it('README\'s library example runs as pasted (saved as example.mjs), with @simplewebauthn/server', async () => {
      const t = need();
      const repoPkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
      const swa = `@simplewebauthn/server@${repoPkg.devDependencies['@simplewebauthn/server'] ?? 'latest'}`;
      expectOk(`npm install ${swa}`, await run(t, [...t.npm, 'install', '--no-audit', '--no-fund', swa], project, { timeoutMs: 5 * MIN }));
      writeFileSync(join(project, 'example.mjs'), readmeExample());
      const r = await run(t, ['node', 'example.mjs'], project);
      if (/SyntaxError/.test(r.stderr)) {
        throw new Error(`README's example is not plain JavaScript, so it does not run as pasted on every supported Node (20.19+ has no type stripping): keep the block free of type annotations\n${r.stderr}`);
      }
      expectOk('node example.mjs (README\'s "In a relying-party test" example)', r);
      expect(r.stdout, 'the example printed a failed verification').not.toMatch(/\bfalse\b/);
    });
  });
}

installedSuite(machine, undefined);
installedSuite(n24.tc, n24.reason);

// Keep the tarball's bin runnable straight from a checkout too (`npx ctap-emu` in the repo).
describe.skipIf(skipAll)('the checkout', () => {
  it('dist/src/cli.js is executable after `npm run build`', () => {
    const cli = join(REPO, 'dist/src/cli.js');
    if (!existsSync(cli)) throw new Error('dist/src/cli.js is missing: npm test builds it first');
    expect(statSync(cli).mode & 0o111, 'the build script should chmod 755 dist/src/cli.js').not.toBe(0);
  });
});
