// ctap-emu/playwright as a user gets it: the packed tarball and @playwright/test (at the version this
// repo pins) installed under Node 24 + npm 12 into an empty project, and a spec that uses the `key`
// fixture only (no browser is launched) run by `playwright test`. On a machine without /dev/uhid
// (these: the VM suite runs the fixture with a key, test/vm/guest-playwright.sh) the test must be
// reported skipped with the fixture's message naming /dev/uhid and what to do. Needs the npm
// registry; CTAP_EMU_SKIP_PACKAGE=1 skips it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectOk, MIN, node24Toolchain, packBuilt, run } from './toolchain.js';

const REPO = process.cwd();
const UHID = '/dev/uhid';

const skipAll = process.env.CTAP_EMU_SKIP_PACKAGE === '1';
const n24 = node24Toolchain();
// On CI a missing toolchain is a failure, not a skip (as for the other package suites).
const skip = skipAll || (!n24.tc && !process.env.CI);
if (!skipAll && !n24.tc && !process.env.CI) console.warn(`skipping ctap-emu/playwright from the tarball: ${n24.reason}`);

/** A spec a user would write against the fixture, using `key` and nothing that needs a browser. */
const SPEC = `import { test, expect } from 'ctap-emu/playwright';

test.use({ securityKey: { userVerification: 'match' } });

test('the key fixture gives a fingerprint key', async ({ key }) => {
  expect(key.info()).toMatchObject({ builtInUv: true, userVerified: true });
  expect(key.getCredentials()).toEqual([]);
});
`;

interface JsonReport {
  stats: { expected: number; unexpected: number; skipped: number; flaky: number };
  suites: { specs: { title: string; tests: { status: string; annotations: { type: string; description?: string }[]; results: { status: string; error?: { message?: string } }[] }[] }[] }[];
  errors: { message?: string }[];
}

describe.skipIf(skip)('ctap-emu/playwright installed from the tarball with @playwright/test (Node 24 + npm 12)', () => {
  let work: string;
  let project: string;
  const pin = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['@playwright/test'];

  beforeAll(async () => {
    if (!n24.tc) return;
    if (!existsSync(join(REPO, 'dist/src/playwright/index.js'))) throw new Error('dist/src is not built: npm test builds it first');
    work = mkdtempSync(join(tmpdir(), 'ctap-emu-pw-pkg-'));
    const [tarball] = await packBuilt(n24.tc, [REPO], work);
    project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'rp-e2e', private: true, type: 'module' }, null, 2));
    // No browser is downloaded: none is launched (the spec asks for `key` only).
    expectOk(`npm install <tarball> @playwright/test@${pin}`, await run(n24.tc, [...n24.tc.npm, 'install', '--no-audit', '--no-fund', tarball!, `@playwright/test@${pin}`], project, {
      env: { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' }, timeoutMs: 6 * MIN,
    }));
    writeFileSync(join(project, 'key.spec.ts'), SPEC);
  }, 8 * MIN);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.skipIf(existsSync(UHID))(`playwright test: the key test is skipped, the report naming ${UHID} and what to do`, async () => {
    if (!n24.tc) throw new Error(`Node 24 + npm 12 are needed on CI: ${n24.reason}`);
    const tc = n24.tc;
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/@playwright/test/package.json'), 'utf8')) as { version: string };
    expect(installed.version, `@playwright/test as package.json pins it (${pin})`).toMatch(/^1\.64\./);
    const r = await run(tc, [...tc.npx, '--no-install', 'playwright', 'test', '--reporter=json'], project, {
      env: { PLAYWRIGHT_JSON_OUTPUT_FILE: join(project, 'report.json'), PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' }, timeoutMs: 3 * MIN,
    });
    // A run with nothing failed exits 0 (a skip is not a failure).
    expectOk('npx playwright test --reporter=json (key.spec.ts)', r);
    const report = JSON.parse(readFileSync(join(project, 'report.json'), 'utf8')) as JsonReport;
    expect(report.errors, 'errors outside the test (loading ctap-emu/playwright, the config)').toEqual([]);
    expect(report.stats).toMatchObject({ expected: 0, unexpected: 0, skipped: 1, flaky: 0 });
    const [test] = report.suites.flatMap((s) => s.specs).flatMap((s) => s.tests);
    expect(test!.status).toBe('skipped');
    const skipNote = test!.annotations.find((a) => a.type === 'skip');
    expect(skipNote?.description, 'the skip says why and what to do').toMatch(
      /^ctap-emu: no security key on uhid here: \/dev\/uhid does not exist: load the uhid module \(sudo modprobe uhid[;)]/);
  }, 4 * MIN);
});
