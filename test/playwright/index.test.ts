// The Playwright fixture (ctap-emu/playwright) where no key can be plugged in: the test is skipped,
// and the runner's report says why in one line. Plugged in, it runs in the VM (test/vm/playwright),
// with the spec README shows.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const cli = join(dirname(createRequire(import.meta.url).resolve('@playwright/test/package.json')), 'cli.js');

interface JsonReport {
  suites: { specs: { title: string; tests: { status: string; annotations: { type: string; description?: string }[] }[] }[] }[];
}

describe('ctap-emu/playwright without /dev/uhid', () => {
  it('skips the test, saying what to do', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'test', 'test/playwright/noUhid.spec.ts', '--reporter=json', `--output=${join(tmpdir(), 'ctap-emu-playwright-unit')}`], {
      env: { ...process.env, CI: '' },
    });
    const report = JSON.parse(stdout) as JsonReport;
    const [spec] = report.suites.flatMap((s) => s.specs);
    expect(spec.title).toBe('gets a key');
    const [result] = spec.tests;
    expect(result.status).toBe('skipped');
    expect(result.annotations).toContainEqual(expect.objectContaining({
      type: 'skip',
      description: 'ctap-emu: no security key on uhid here: /nonexistent/uhid does not exist: load the uhid module (sudo modprobe uhid; to load it at boot: echo uhid | sudo tee /etc/modules-load.d/uhid.conf)',
    }));
  }, 60_000);
});

describe('README', () => {
  it("shows the spec file the VM suite runs as its Playwright example (its opening comment aside)", () => {
    const readme = readFileSync('README.md', 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## Playwright: a key beside')))![1];
    const spec = readFileSync('test/vm/playwright/passkey.spec.ts', 'utf8').replace(/^(\/\/.*\n)+/, '');
    expect(example).toBe(spec);
  });
});
