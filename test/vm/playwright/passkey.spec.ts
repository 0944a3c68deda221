// README's Playwright example, as the VM suite runs it (Chromium, Chromium's headless shell and Firefox
// ESR, test/vm/guest-playwright.sh) against the demo RP of test/vm/rp-server.mjs (@simplewebauthn/server).
import { test, expect } from 'ctap-emu/playwright';

// A fingerprint key: the RP requires user verification, the key's own sensor gives it. (A PIN key
// would make the browser ask for the PIN in its own dialog, which no page script can answer.)
test.use({ securityKey: { userVerification: 'match' } });

/** Chromium's headless shell: what Playwright runs for headless Chromium unless a channel names
 *  Chromium itself ('chromium', 'chrome'...). It has no browser UI, and no discoverable credentials. */
const headlessShell = (o: { browserName: string; headless: boolean; channel?: string }): boolean =>
  o.browserName === 'chromium' && o.headless && (!o.channel || o.channel === 'chromium-headless-shell');

test('registers a discoverable passkey and signs in with it', async ({ page, key, browserName, headless, channel }) => {
  test.skip(headlessShell({ browserName, headless, channel }), 'Chromium\'s headless shell makes no discoverable credentials (NotSupportedError)');
  await page.goto('/demo');
  await page.getByLabel('User name').fill('alice');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('status')).toHaveText('Registered alice');
  expect(key.getCredentials()).toMatchObject([{ rpId: 'localhost', isResidentCredential: true, userName: 'alice' }]);

  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('status')).toHaveText('Signed in as alice');
});

test('a refused touch is NotAllowedError in the page', async ({ page, key, browserName, headless, channel }) => {
  // Chromium itself puts a refusal in its own error dialog and holds the page's promise until the user
  // closes it, past the request's timeout: headless, nobody can. Its headless shell has no dialog.
  test.skip(browserName === 'chromium' && !headlessShell({ browserName, headless, channel }), 'Chromium holds a refused request behind its error dialog');
  // On a fingerprint key the finger is the touch (CTAP 2.1: built-in UV gives user presence), so
  // setPresence('deny') would not be asked: the refusal comes as the key's answer, OPERATION_DENIED.
  key.addFault({ command: 'makeCredential', rpId: 'localhost', fault: { type: 'status', status: 'CTAP2_ERR_OPERATION_DENIED' } });
  const answers: string[] = [];
  key.on('response', ({ command, status }) => answers.push(`${command}: ${status}`));

  await page.goto('/demo?residentKey=discouraged'); // a credential the headless shell can make
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('status')).toHaveText(/^NotAllowedError: /);
  expect(answers, 'what the key answered').toContain('authenticatorMakeCredential: CTAP2_ERR_OPERATION_DENIED');
  expect(key.getCredentials()).toEqual([]);
});
