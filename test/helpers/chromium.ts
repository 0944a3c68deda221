// Headless Chromium through playwright-core for the suites that need a real browser (Debian's
// Chromium; playwright cannot download its own here): where it is, and why a suite must skip.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export const CHROMIUM = process.env.CTAP_EMU_CHROMIUM ?? '/usr/bin/chromium';

const hasPlaywright = ((): boolean => {
  try {
    createRequire(import.meta.url).resolve('playwright-core');
    return true;
  } catch {
    return false;
  }
})();

/** Why a browser suite cannot run here (undefined: it can); said once, as `suite` skips, outside CI. */
export function chromiumMissing(suite: string): string | undefined {
  const reason = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CTAP_EMU_CHROMIUM)`
    : !hasPlaywright ? 'playwright-core is not installed (npm ci)' : undefined;
  if (reason && !process.env.CI) console.warn(`skipping ${suite}: ${reason}`);
  return reason;
}
