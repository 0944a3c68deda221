// Passkeys moved between Chrome's DevTools virtual authenticator and ctap-emu, both ways (issue 10's
// "Done when"): headless Chromium (Debian's, driven by playwright-core) registers in a page served
// here with options from @simplewebauthn/server; WebAuthn.getCredentials hands the credential over;
// ctap-emu imports it (addCredential) and signs in with it; and a passkey ctap-emu made, exported
// with its private key, goes to Chrome (WebAuthn.addCredential) and signs in in the page. The
// server verifies every ceremony. DevTools' authenticator is virtual: no VM, no uhid. Skipped with
// a reason where Chromium or playwright-core is missing; under CI (CI=true) missing means failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type RegistrationResponseJSON, type WebAuthnCredential,
} from '@simplewebauthn/server';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { WebAuthnClient } from '../../src/node/clients.js';
import type { CredentialJson } from '../../src/node/automation/credentialJson.js';
import { CHROMIUM, chromiumMissing } from '../helpers/chromium.js';

const reason = chromiumMissing('the Chrome DevTools interop suite');

const rpID = 'localhost';

/** The relying party's page: navigator.credentials.create / get with the server's JSON options. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>ctap-emu interop RP</title>
<script>
async function register(options) {
  const c = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
  return c.toJSON();
}
async function signIn(options) {
  const c = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
  return c.toJSON();
}
</script><p>ctap-emu interop RP</p>`;

/** DevTools' Binary members are standard base64; WebAuthn Automation's JSON (ctap-emu's) base64url. */
const toBase64 = (base64url: string): string => Buffer.from(base64url, 'base64url').toString('base64');

/** A DevTools authenticator as the issue names it: CTAP2 over USB, resident keys, UV that passes. */
const AUTHENTICATOR = { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true } as const;

describe.skipIf(reason !== undefined && !process.env.CI)('Chrome DevTools virtual authenticator <-> ctap-emu', () => {
  let browser: Browser;
  let server: Server;
  let origin: string;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;

  beforeAll(async () => {
    if (reason) throw new Error(`the Chrome DevTools interop suite needs its tools on CI: ${reason}`);
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // http://localhost is a secure context: WebAuthn works there without TLS.
    origin = `http://localhost:${(server.address() as AddressInfo).port}`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage();
    await page.goto(`${origin}/`);
    cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: AUTHENTICATOR }));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('a passkey Chrome made, read with WebAuthn.getCredentials, is imported into ctap-emu and signs in there', async () => {
    // ES256 named: on a runtime with ML-DSA (Node 24) @simplewebauthn/server lists ML-DSA-44 first,
    // Chrome's virtual authenticator makes such a key, and ctap-emu has no ML-DSA (yet).
    const creation = await generateRegistrationOptions({
      rpName: 'Interop', rpID, userName: 'chrome-user', authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      supportedAlgorithmIDs: [-7],
    });
    const registration = await page.evaluate((o) => (globalThis as unknown as { register(o: unknown): Promise<RegistrationResponseJSON> }).register(o), creation);
    const reg = await verifyRegistrationResponse({ response: registration, expectedChallenge: creation.challenge, expectedOrigin: origin, expectedRPID: rpID });
    expect(reg.verified).toBe(true);

    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    const fromChrome = credentials.find((c) => Buffer.from(c.credentialId, 'base64').toString('base64url') === registration.id);
    expect(fromChrome).toMatchObject({ isResidentCredential: true, rpId: rpID, userName: 'chrome-user' });

    const key = new VirtualAuthenticator({ userVerification: 'match' });
    const client = new WebAuthnClient(key, { origin });
    try {
      // DevTools' WebAuthn.Credential as it is: ctap-emu reads its base64 and ignores what it does not model.
      const imported = key.addCredential(fromChrome as unknown as CredentialJson);
      expect(imported).toMatchObject({ credentialId: registration.id, isResidentCredential: true, rpId: rpID, signCount: fromChrome!.signCount });
      const request = await generateAuthenticationOptions({ rpID, userVerification: 'required', allowCredentials: [] });
      const assertion = await client.get(request); // discoverable: the imported passkey is found by RP
      expect(assertion.id).toBe(registration.id);
      expect(assertion.response.userHandle).toBe(creation.user.id);
      const auth = await verifyAuthenticationResponse({
        response: assertion, expectedChallenge: request.challenge, expectedOrigin: origin, expectedRPID: rpID,
        credential: reg.registrationInfo!.credential,
      });
      expect(auth.verified).toBe(true);
      expect(auth.authenticationInfo.newCounter).toBe(fromChrome!.signCount + 1);
    } finally {
      client.close();
      key.close();
    }
  }, 60_000);

  it('a passkey ctap-emu made, exported with its key, is added to Chrome (WebAuthn.addCredential) and signs in in the page', async () => {
    const key = new VirtualAuthenticator({ userVerification: 'match' });
    const client = new WebAuthnClient(key, { origin });
    let credential: WebAuthnCredential;
    let exported: CredentialJson;
    const creation = await generateRegistrationOptions({
      rpName: 'Interop', rpID, userName: 'ctap-emu-user', authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    try {
      const registration = await client.create(creation);
      const reg = await verifyRegistrationResponse({ response: registration, expectedChallenge: creation.challenge, expectedOrigin: origin, expectedRPID: rpID });
      expect(reg.verified).toBe(true);
      credential = reg.registrationInfo!.credential;
      key.setSignCount(registration.id, 41); // Chrome carries the counter on from here
      [exported] = key.getCredentials({ includePrivateKeys: true }) as [CredentialJson];
      expect(exported.credentialId).toBe(registration.id);
    } finally {
      client.close();
      key.close();
    }

    // Only this passkey for the RP in Chrome, so the discoverable sign-in below can pick no other.
    await cdp.send('WebAuthn.clearCredentials', { authenticatorId });
    await cdp.send('WebAuthn.addCredential', {
      authenticatorId,
      credential: {
        credentialId: toBase64(exported.credentialId), isResidentCredential: exported.isResidentCredential, rpId: exported.rpId,
        privateKey: toBase64(exported.privateKey!), userHandle: toBase64(exported.userHandle!), signCount: exported.signCount,
        userName: exported.userName, userDisplayName: exported.userDisplayName,
      },
    });
    for (const allowCredentials of [[{ id: credential.id }], []]) {
      const request = await generateAuthenticationOptions({ rpID, userVerification: 'required', allowCredentials });
      const assertion = await page.evaluate((o) => (globalThis as unknown as { signIn(o: unknown): Promise<AuthenticationResponseJSON> }).signIn(o), request);
      expect(assertion.id).toBe(credential.id);
      const auth = await verifyAuthenticationResponse({
        response: assertion, expectedChallenge: request.challenge, expectedOrigin: origin, expectedRPID: rpID, credential,
      });
      expect(auth.verified).toBe(true);
      expect(auth.authenticationInfo.newCounter).toBeGreaterThan(41);
      credential = { ...credential, counter: auth.authenticationInfo.newCounter };
    }
  }, 60_000);
});
