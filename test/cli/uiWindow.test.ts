// The key's window (serve --ui) in a real browser: headless Chromium (Debian's, driven by
// playwright-core) opens http://127.0.0.1:PORT/ui of `serve --control 0 --ui --presence ask` on
// UDP, is given the token once, and shows the registration a WebAuthn client started over UDP as
// the key's blinking light with its RP, operation and user; Touch in the page completes it (the RP
// library verifies it), the passkey appears in the list, Inspect shows it, Delete removes it from
// the key, a sign-in is denied from the page, and a user name made of markup stays text. A second
// test drives an in-process pair of keys through the key selector and answers a fingerprint.
// Skipped with a reason where Chromium or playwright-core is missing; under CI missing means failure.
// CTAP_EMU_UPDATE_DOCS=1 writes the screenshot it takes to docs/ui.png (README shows it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { generateAuthenticationOptions, generateRegistrationOptions, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { Browser, Page } from 'playwright-core';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { Ctap2Client } from '../../src/node/clients.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { ClientPin, PinPermission } from '../../src/client/clientPin.js';
import { Status } from '../../src/ctap/status.js';
import { startControl as startControlApi } from '../../src/node/control/server.js';
import { startControl, type Control } from '../helpers/control.js';
import { origin, rpID } from '../helpers/importedKeys.js';
import { requireBuiltCli } from '../helpers/serveProcess.js';
import { closeLater } from '../helpers/cleanup.js';
import { status } from '../helpers/status.js';
import { CHROMIUM, chromiumMissing } from '../helpers/chromium.js';

const reason = chromiumMissing("the key's window suite");

/** A user name an RP let a user choose: markup that would run if the page took it as HTML (under the 64 bytes a key keeps). */
const EVIL = '<img src=x onerror="document.body.dataset.pwned=1"><b>m</b>';

/** Opens the window and gives it the token, as a person does once per tab. */
async function openWindow(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/ui`);
  await page.locator('#token').fill(token);
  await page.locator('#login button[type=submit]').click();
  await page.locator('#connection[data-state=on]').waitFor();
}

describe.skipIf(reason !== undefined && !process.env.CI)("the key's window in Chromium", () => {
  let browser: Browser;

  beforeAll(async () => {
    if (reason) throw new Error(`the key's window suite needs its tools on CI: ${reason}`);
    requireBuiltCli();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function newPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    closeLater(() => page.close());
    return page;
  }

  /** A registration the client starts, to be touched in the page. */
  async function register(c: Control, userName: string, userDisplayName: string) {
    const options = await generateRegistrationOptions({
      rpName: 'Example', rpID, userName, userDisplayName, authenticatorSelection: { residentKey: 'required', userVerification: 'discouraged' },
    });
    return { options, response: c.client().create(options) };
  }

  it('a touch in the page completes the ceremony a client started; passkeys listed, inspected, deleted; markup stays text', async () => {
    const c = await startControl(['--ui', '--presence', 'ask']);
    const ui = /ui: (http:\/\/127\.0\.0\.1:\d+)\/ui /.exec(c.serve.stderr());
    expect(ui?.[1]).toBe(c.url);
    expect(c.serve.stderr()).not.toMatch(/ui: \S*token/); // the window's address carries no token
    const page = await newPage();
    await page.goto(`${c.url}/ui`);
    await expect(page.locator('#login').isVisible()).resolves.toBe(true);
    await page.locator('#token').fill('not-the-token-at-all');
    await page.locator('#login button[type=submit]').click();
    await page.locator('#login-error').filter({ hasText: 'refused the token' }).waitFor();
    await openWindow(page, c.url, c.token);
    expect(page.url()).toBe(`${c.url}/ui`);

    // Alice registers: the light blinks with the RP, the operation and the user; Touch completes it.
    const alice = await register(c, 'alice@example.com', 'Alice');
    await page.locator('#led.waiting').waitFor();
    await expect(page.locator('#request-title').textContent()).resolves.toBe('example.com asks for a touch to register a passkey');
    await expect(page.locator('dd[data-field=Operation]').textContent()).resolves.toBe('makeCredential');
    await expect(page.locator('dd[data-field=User]').textContent()).resolves.toBe('alice@example.com');
    expect(await page.locator('#action-verify').isDisabled()).toBe(true);
    await page.locator('#action-approve').click();
    const registration = await alice.response;
    const verified = await verifyRegistrationResponse({ response: registration, expectedChallenge: alice.options.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false,
    });
    expect(verified.verified).toBe(true);
    await page.locator('#led:not(.waiting)').waitFor();
    const aliceRow = page.locator(`tr[data-credential-id="${registration.id}"]`);
    await aliceRow.waitFor();
    await expect(aliceRow.locator('td').nth(1).textContent()).resolves.toBe('alice@example.com');

    // Mallory's user name is markup: shown as the text it is, in the request and in the list.
    const mallory = await register(c, EVIL, EVIL);
    await page.locator('#led.waiting').waitFor();
    await expect(page.locator('dd[data-field=User]').textContent()).resolves.toBe(EVIL);
    await page.locator('#action-approve').click();
    const malloryId = (await mallory.response).id;
    const malloryRow = page.locator(`tr[data-credential-id="${malloryId}"]`);
    await malloryRow.waitFor();
    await expect(malloryRow.locator('td').nth(1).textContent()).resolves.toBe(EVIL);
    await expect(malloryRow.locator('td').nth(2).textContent()).resolves.toBe(EVIL);
    expect(await page.locator('main img, main b').count()).toBe(0);
    await page.locator('#event-log li[data-event=credential-added]').nth(1).waitFor();
    expect(await page.locator('body').getAttribute('data-pwned')).toBeNull();

    // Inspect shows the passkey without its private key; Delete (clicked twice) removes it from the key.
    await malloryRow.getByRole('button', { name: 'Inspect' }).click();
    await page.locator('#inspect-body', { hasText: malloryId }).waitFor();
    const inspected = JSON.parse((await page.locator('#inspect-body').textContent())!);
    expect(inspected).toMatchObject({ credentialId: malloryId, rpId: rpID, userName: EVIL, isResidentCredential: true });
    expect(inspected).not.toHaveProperty('privateKey');
    await malloryRow.getByRole('button', { name: 'Delete' }).click();
    expect((await c.call('GET', '/credentials')).body).toHaveLength(2); // one click only asks again
    await malloryRow.getByRole('button', { name: 'Really delete?' }).click();
    await malloryRow.waitFor({ state: 'detached' });
    await page.locator('#inspect').waitFor({ state: 'hidden' }); // what it showed is gone
    expect((await c.call('GET', '/credentials')).body.map((x: { credentialId: string }) => x.credentialId)).toEqual([registration.id]);
    await expect(page.locator('#passkey-count').textContent()).resolves.toBe('(1)');

    // A sign-in waits: what the window shows then is README's picture; Deny ends it in the page.
    const request = await generateAuthenticationOptions({ rpID, userVerification: 'discouraged', allowCredentials: [] });
    const signIn = c.client().get(request).then(() => 'signed in', (e: Error) => e.name);
    await page.locator('#led.waiting').waitFor();
    await expect(page.locator('#request-title').textContent()).resolves.toBe('example.com asks for a touch to sign in');
    await page.locator('#trace-log li', { hasText: '-> authenticatorGetAssertion' }).first().waitFor();
    await expect(page.locator('#trace-log li', { hasText: 'authenticatorMakeCredential' }).count()).resolves.toBeGreaterThan(0);
    const shot = await page.screenshot({ fullPage: true, animations: 'disabled' });
    expect(shot.subarray(1, 4).toString()).toBe('PNG');
    if (process.env.CTAP_EMU_UPDATE_DOCS === '1') {
      mkdirSync('docs', { recursive: true });
      writeFileSync('docs/ui.png', shot);
    }
    await page.locator('#action-deny').click();
    expect(await signIn).toBe('NotAllowedError');
    await page.locator('#event-log li[data-event=touch-answered]', { hasText: 'result=denied' }).waitFor();
  }, 60_000);

  it('picks among several keys, and answers a fingerprint (verify, wrong finger) on the chosen one', async () => {
    const keys = [new VirtualAuthenticator(), new VirtualAuthenticator({ userVerification: 'timeout' })];
    const control = await startControlApi(keys, { listen: { port: 0 }, token: 'token-of-the-in-process-pair', ui: true });
    closeLater(() => keys.forEach((k) => k.close()), () => control.close());
    const page = await newPage();
    await openWindow(page, control.url, 'token-of-the-in-process-pair');
    await expect(page.locator('#key-picker').isVisible()).resolves.toBe(true);
    await expect(page.locator('#key-info').textContent()).resolves.toMatch(/^Key 0: profile default/);
    await page.locator('#key-select').selectOption('1');
    await page.locator('#key-info', { hasText: 'fingerprint sensor' }).waitFor();
    await page.locator('#trace-missing').waitFor(); // no trace source given to startControl

    const ctap = new Ctap2Client(await CtapHidHost.open(keys[1]!.connect()));
    closeLater(() => ctap.hid.close());
    const pin = new ClientPin(ctap, (await ctap.getInfo()).pinUvAuthProtocols);
    const wrong = status(pin.getUvToken(PinPermission.mc, 'example.org'));
    await page.locator('#led.waiting[data-kind=verification]').waitFor();
    await expect(page.locator('#request-title').textContent()).resolves.toBe('example.org asks for a finger on the sensor to get a PIN/UV token');
    expect(await page.locator('#action-approve').isDisabled()).toBe(true);
    await page.locator('#action-fail-verification').click();
    expect(await wrong).toBe(Status.CTAP2_ERR_UV_INVALID);
    const right = pin.getUvToken(PinPermission.mc, 'example.org');
    await page.locator('#led.waiting').waitFor();
    await page.locator('#action-verify').click();
    expect((await right).token).toHaveLength(32);
    await page.locator('#led:not(.waiting)').waitFor();
    expect(keys[0]!.pendingActions()).toEqual([]);
  }, 60_000);
});
