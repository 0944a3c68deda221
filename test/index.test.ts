// The package root as users meet it: every name README's library section mentions is exported,
// its example runs as pasted, and importing it does not load node-hid.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as root from '../src/index.js';

const README = readFileSync('README.md', 'utf8');
const section = README.slice(README.indexOf('## In a relying-party test (library API)'), README.indexOf('## The command line'));
const indexText = readFileSync('src/index.ts', 'utf8');
const DIST_INDEX = join(process.cwd(), 'dist/src/index.js');

/** DOMException names (WebAuthnError.name values), not exports. */
const ERROR_NAMES = new Set(['NotAllowedError', 'InvalidStateError', 'NotSupportedError', 'SecurityError', 'ConstraintError', 'SyntaxError']);
/** The first column of the options table. */
const OPTIONS = new Set([...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]!));

/** Names the section presents as the package's: imported from 'ctap-emu', or in backticks as a Name or a call(). */
function mentionedNames(): string[] {
  const imported = [...section.matchAll(/import\s*\{([^}]*)\}\s*from\s*'ctap-emu'/g)].flatMap((m) => m[1]!.split(',').map((n) => n.trim()));
  const capitalized = [...section.matchAll(/`([A-Z]\w*)`/g)].map((m) => m[1]!);
  const called = [...section.matchAll(/`([a-z]\w*)\(/g)].map((m) => m[1]!);
  return [...new Set([...imported, ...capitalized, ...called])].filter((n) => n && !ERROR_NAMES.has(n) && !OPTIONS.has(n));
}

const exportedAsType = (name: string): boolean => new RegExp(`\\btype ${name}\\b|export type \\{[^}]*\\b${name}\\b`).test(indexText);

describe('the package root', () => {
  it('exports every name the README library section mentions', () => {
    const names = mentionedNames();
    expect(names).toEqual(expect.arrayContaining(['ClientPin', 'CredentialManagement', 'connectUdp', 'openNodeHid', 'CtapHidHost', 'KeystoreError', 'Permission']));
    const missing = names.filter((n) => !(n in root) && !exportedAsType(n) && !/^(key|client)$/.test(n));
    expect(missing).toEqual([]);
  });

  describe('built', () => {
    const example = join(process.cwd(), 'dist', 'readme-example.mjs');
    afterAll(() => rmSync(example, { force: true }));

    it('runs the README example as pasted (importing the package by its name)', () => {
      expect(existsSync(DIST_INDEX), 'dist/ is built by tsc first').toBe(true);
      const code = /```js\n([\s\S]*?)```/.exec(section)![1]!;
      writeFileSync(example, code);
      const out = execFileSync(process.execPath, [example], { encoding: 'utf8', timeout: 20_000 });
      expect(out).toMatch(/registered: true/);
      expect(out).toMatch(/signed in: true signature counter [1-9]/);
    });

    it('does not load node-hid on import; openNodeHid says in one line that node-hid is missing', () => {
      // A resolve hook notes every resolution of node-hid in a file, and plays "not installed" when asked.
      const log = join(process.cwd(), 'dist', `node-hid-resolutions-${process.pid}`);
      const hook = `import { appendFileSync } from 'node:fs';
        export async function resolve(s, c, next) {
          if (s !== 'node-hid') return next(s, c);
          appendFileSync(process.env.HID_LOG, 'resolved\\n');
          if (process.env.HID_ABSENT) { const e = new Error("Cannot find package 'node-hid'"); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; }
          return next(s, c);
        }`;
      const script = `
        import { register } from 'node:module';
        import { existsSync, readFileSync } from 'node:fs';
        register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
        const resolutions = () => existsSync(process.env.HID_LOG) ? readFileSync(process.env.HID_LOG, 'utf8').split('\\n').filter(Boolean).length : 0;
        const m = await import(${JSON.stringify(DIST_INDEX)});
        const atImport = resolutions();
        let message;
        try { await m.openNodeHid('/dev/hidraw-none'); } catch (e) { message = e.message; }
        console.log(JSON.stringify({ atImport, afterUse: resolutions(), message }));`;
      const run = (absent: boolean) => {
        rmSync(log, { force: true });
        const env = { ...process.env, HID_LOG: log, ...(absent ? { HID_ABSENT: '1' } : {}) };
        try {
          return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env }));
        } finally {
          rmSync(log, { force: true });
        }
      };
      const present = run(false);
      expect([present.atImport, present.afterUse]).toEqual([0, 1]); // the hook does see node-hid when it is used
      const absent = run(true);
      expect(absent.atImport).toBe(0);
      expect(absent.message).toMatch(/^node-hid is not installed/);
      expect(absent.message).not.toMatch(/\n/);
    });
  });
});
