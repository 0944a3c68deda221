// A key plugged in as a USB security key, for browser tests: a VirtualAuthenticator on /dev/uhid, and
// the hidraw node the kernel made for it. Browsers, libfido2 and python-fido2 see a USB key; the test
// scripts it through the key object (presence, faults, credentials, events). Playwright, puppeteer
// and WebdriverIO tests use it alike (the Playwright fixture is built on it).
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_UHID_PATH, explainOpenError, UhidError } from '../hid/uhid.js';
import { serveUhid } from './serve.js';
import { VirtualAuthenticator, type VirtualAuthenticatorOptions } from './virtual.js';

export interface PlugInOptions extends VirtualAuthenticatorOptions {
  /** Default /dev/uhid. */
  uhidPath?: string;
  /** The USB product name hosts show (default "ctap-emu FIDO2 security key"). */
  name?: string;
  /** How long to wait for the kernel's hidraw node (default 5 s). */
  hidrawTimeoutMs?: number;
}

export interface PluggedKey {
  key: VirtualAuthenticator;
  /** The hidraw node hosts open (/dev/hidrawN). */
  hidraw: string;
  /** The USB serial number that tells this key apart (HID_UNIQ). */
  serial: string;
  /** Unplugs it (the hidraw node goes) and closes the key and its store. */
  unplug(): Promise<void>;
}

const HIDRAW_CLASS = '/sys/class/hidraw';

/** Why a key cannot be plugged in here (what to do, in one line); undefined when it can. */
export function uhidUnavailable(path = DEFAULT_UHID_PATH): string | undefined {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return undefined;
  } catch (e) {
    return explainOpenError(e as NodeJS.ErrnoException, path);
  }
}

/** A new key on uhid, once its hidraw node is there. Throws UhidError saying what to do when it cannot. */
export async function plugIn(options: PlugInOptions = {}): Promise<PluggedKey> {
  const { uhidPath, name, hidrawTimeoutMs = 5_000, ...keyOptions } = options;
  const serial = `ctap-emu-${randomBytes(4).toString('hex')}`;
  const key = new VirtualAuthenticator(keyOptions);
  let transport;
  try {
    transport = serveUhid(key, { path: uhidPath, name, serial });
  } catch (e) {
    key.close();
    throw e;
  }
  const unplug = async (): Promise<void> => {
    await transport.close();
    key.close();
  };
  try {
    return { key, hidraw: await waitForHidraw(serial, hidrawTimeoutMs), serial, unplug };
  } catch (e) {
    await unplug();
    throw e;
  }
}

async function waitForHidraw(serial: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = hidrawOf(serial);
    if (found) return found;
    if (Date.now() > deadline) {
      throw new UhidError(`the kernel made no hidraw node for the key within ${timeoutMs} ms: is the hidraw driver there (CONFIG_HIDRAW)?`);
    }
    await sleep(20);
  }
}

/** The /dev/hidrawN whose HID device has this serial number (sysfs uevent HID_UNIQ). */
function hidrawOf(serial: string): string | undefined {
  if (!existsSync(HIDRAW_CLASS)) return undefined;
  for (const node of readdirSync(HIDRAW_CLASS)) {
    let uevent: string;
    try {
      uevent = readFileSync(`${HIDRAW_CLASS}/${node}/device/uevent`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    if (uevent.split('\n').includes(`HID_UNIQ=${serial}`) && existsSync(`/dev/${node}`)) return `/dev/${node}`;
  }
  return undefined;
}
