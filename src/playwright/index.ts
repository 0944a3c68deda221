// The Playwright fixture (ctap-emu/playwright): each test gets `key`, a security key plugged in on
// /dev/uhid that the browser finds as a USB key, scripted from the test, and unplugged after it.
// Built on plugIn(), which puppeteer and WebdriverIO tests use the same way.
import { test as base, expect } from '@playwright/test';
import { plugIn, uhidUnavailable, type PlugInOptions } from '../node/plugIn.js';
import type { VirtualAuthenticator } from '../node/virtual.js';

export interface SecurityKeyFixtures {
  /** How the key is made (VirtualAuthenticatorOptions, uhidPath, name): `test.use({ securityKey: { ... } })`. */
  securityKey: PlugInOptions;
  /** The key, plugged in for this test: presence, faults, credentials, events (README "Scripting"). */
  key: VirtualAuthenticator;
}

export const test = base.extend<SecurityKeyFixtures>({
  securityKey: [{}, { option: true }],
  key: async ({ securityKey }, use, testInfo) => {
    // Where no key can be plugged in (no uhid module, no access), the test is skipped saying why.
    const unavailable = uhidUnavailable(securityKey.uhidPath);
    testInfo.skip(unavailable !== undefined, `ctap-emu: no security key on uhid here: ${unavailable}`);
    const plugged = await plugIn(securityKey);
    testInfo.annotations.push({ type: 'security key', description: `${plugged.hidraw} (serial ${plugged.serial})` });
    try {
      await use(plugged.key);
    } finally {
      await plugged.unplug();
    }
  },
});

export { expect };
