// Chrome's DevTools virtual authenticator as a CeremonyDriver: Debian's chromium through
// playwright-core, a page on http://localhost from a tiny node http server (a secure context
// without certificates), and 50 navigator.credentials calls per evaluate so the CDP round trip
// is spread over many ceremonies.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import type { CeremonyDriver } from './ceremonies.js';
import { descendantsCpuUs } from './measure.js';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../../src/client/webauthnTypes.js';

export const CHROMIUM = '/usr/bin/chromium';

// Runs in the page: one ceremony after another, as a site would, each answer in its JSON form.
const PAGE = `<!doctype html><title>ctap-emu bench</title><script>
window.benchCreate = async (batch) => {
  const out = [];
  for (const o of batch) {
    const c = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(o) });
    out.push(c.toJSON());
  }
  return out;
};
window.benchGet = async (batch) => {
  const out = [];
  for (const o of batch) {
    const c = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(o) });
    out.push(c.toJSON());
  }
  return out;
};
</script>`;

/** What PAGE puts on the page's global object. */
interface BenchPage {
  benchCreate(batch: unknown): Promise<unknown>;
  benchGet(batch: unknown): Promise<unknown>;
}

export interface ChromeSession extends CeremonyDriver {
  origin: string;
  version: string;
  close(): Promise<void>;
}

/** Why the Chrome comparison cannot run here, or undefined. */
export async function chromeUnavailable(): Promise<string | undefined> {
  if (!existsSync(CHROMIUM)) return `no ${CHROMIUM} (apt-get install chromium)`;
  try {
    await import('playwright-core');
  } catch {
    return 'playwright-core is not installed (npm install)';
  }
  return undefined;
}

function listen(): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(PAGE);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function openChrome(): Promise<ChromeSession> {
  const { chromium } = await import('playwright-core');
  const server = await listen();
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    const page = await browser.newPage();
    const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
    await page.goto(`${origin}/`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    const b = browser;
    return {
      origin,
      version: b.version(),
      create: (batch) => page.evaluate((o) => (globalThis as unknown as BenchPage).benchCreate(o), batch) as Promise<RegistrationResponseJSON[]>,
      get: (batch) => page.evaluate((o) => (globalThis as unknown as BenchPage).benchGet(o), batch) as Promise<AuthenticationResponseJSON[]>,
      // The browser's processes are this process's descendants (playwright spawns them).
      externalCpuUs: () => descendantsCpuUs(process.pid),
      close: async () => {
        await b.close();
        server.close();
      },
    };
  } catch (e) {
    await browser?.close().catch(() => undefined);
    server.close();
    throw e;
  }
}
