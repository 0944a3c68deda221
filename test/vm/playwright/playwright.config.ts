// Playwright Test in the VM (test/vm/guest-playwright.sh): README's example (passkey.spec.ts) in
// Debian's Chromium (channel 'chromium': Chromium itself, new headless), in Debian's Chromium headless
// shell (what Playwright runs for headless Chromium unless a channel says otherwise) and in Debian's
// Firefox ESR (Playwright's moz-firefox channel: stock Firefox over WebDriver BiDi), against the demo RP.
// Timeouts are for software emulation, where a browser takes minutes to start.
import { defineConfig } from '@playwright/test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PORT = 8080;
const MINUTE = 60_000;

/** A Chromium build by its Playwright channel, from the distribution's executable. */
const chromium = (channel: string, executablePath: string) => ({
  browserName: 'chromium' as const,
  channel,
  launchOptions: { executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-dev-shm-usage'], timeout: 5 * MINUTE },
});

export default defineConfig({
  testDir: '.',
  workers: 1, // one key at a time on the VM's two CPUs
  timeout: 10 * MINUTE,
  expect: { timeout: 2 * MINUTE },
  outputDir: join(tmpdir(), 'ctap-emu-playwright'),
  reporter: [['list'], ['json', { outputFile: process.env.CTAP_EMU_PW_REPORT ?? join(tmpdir(), 'ctap-emu-playwright.json') }]],
  use: { baseURL: `http://localhost:${PORT}`, actionTimeout: 2 * MINUTE, navigationTimeout: 3 * MINUTE },
  webServer: { command: `node ../rp-server.mjs ${PORT}`, url: `http://localhost:${PORT}/demo`, timeout: 5 * MINUTE },
  projects: [
    { name: 'chromium', use: chromium('chromium', process.env.CTAP_EMU_CHROMIUM ?? '/usr/bin/chromium') },
    { name: 'chromium-headless-shell', use: chromium('chromium-headless-shell', process.env.CTAP_EMU_CHROMIUM_SHELL ?? '/usr/bin/chromium-headless-shell') },
    {
      name: 'firefox',
      use: {
        browserName: 'firefox',
        channel: 'moz-firefox',
        launchOptions: { executablePath: process.env.CTAP_EMU_FIREFOX ?? '/usr/bin/firefox-esr', timeout: 10 * MINUTE },
      },
    },
  ],
});
