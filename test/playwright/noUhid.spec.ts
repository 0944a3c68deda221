// Run by index.test.ts through the Playwright Test runner: a key on a uhid device that is not there.
import { test, expect } from '../../src/playwright/index.js';

test.use({ securityKey: { uhidPath: '/nonexistent/uhid' } });

test('gets a key', ({ key }) => {
  expect(key.info()).toBeDefined();
});
