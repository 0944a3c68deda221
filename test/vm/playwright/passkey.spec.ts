// README's Playwright example, as the VM suite runs it (Chromium and Firefox ESR, test/vm/guest-playwright.sh)
// against the demo RP of test/vm/rp-server.mjs (@simplewebauthn/server).
import { test, expect } from 'ctap-emu/playwright';

// A fingerprint key: the RP requires user verification, the key's own sensor gives it. (A PIN key
// would make the browser ask for the PIN in its own dialog, which no page script can answer.)
test.use({ securityKey: { userVerification: 'match' } });

test('registers a discoverable passkey and signs in with it', async ({ page, key }) => {
  await page.goto('/demo');
  await page.getByLabel('User name').fill('alice');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('status')).toHaveText('Registered alice');
  expect(key.getCredentials()).toMatchObject([{ rpId: 'localhost', isResidentCredential: true, userName: 'alice' }]);

  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('status')).toHaveText('Signed in as alice');
});

test('a refused touch is NotAllowedError in the page', async ({ page, key, browserName }) => {
  // Chromium puts a refusal in its own error dialog and holds the page's promise until the user
  // closes it: headless, nobody can (seen: the page still waiting after 2 minutes).
  test.skip(browserName === 'chromium', 'Chromium holds a refused request behind its error dialog');
  // On a fingerprint key the finger is the touch (CTAP 2.1: built-in UV gives user presence), so
  // setPresence('deny') would not be asked: the refusal comes as the key's answer, OPERATION_DENIED.
  key.addFault({ command: 'makeCredential', rpId: 'localhost', fault: { type: 'status', status: 'CTAP2_ERR_OPERATION_DENIED' } });

  await page.goto('/demo');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('status')).toHaveText(/^NotAllowedError: /);
  expect(key.listFaults()[0].fired).toBeGreaterThan(0);
  expect(key.getCredentials()).toEqual([]);
});
