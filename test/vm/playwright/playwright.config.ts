// Playwright Test in the VM (test/vm/guest-playwright.sh): README's example (passkey.spec.ts) in
// Debian's Chromium and in Debian's Firefox ESR (Playwright's moz-firefox channel: stock Firefox over
// WebDriver BiDi), against the demo RP. Timeouts are for software emulation, where a browser takes
// minutes to start.
import { defineConfig } from '@playwright/test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PORT = 8080;
const MINUTE = 60_000;

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
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.CTAP_EMU_CHROMIUM ?? '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-dev-shm-usage'],
          timeout: 5 * MINUTE,
        },
      },
    },
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
