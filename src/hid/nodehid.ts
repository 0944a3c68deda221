// node-hid transport (host side): real security keys, and ctap-emu's own uhid device, through the
// operating system's HID stack. node-hid is loaded only when used.
import { REPORT_SIZE } from './constants.js';
import type { ReportPipe } from './pipe.js';

/** HID usage page and usage of CTAPHID (FIDO Alliance). */
export const FIDO_USAGE_PAGE = 0xf1d0;
export const FIDO_USAGE = 0x01;

export interface FidoDeviceInfo {
  path: string;
  vendorId: number;
  productId: number;
  manufacturer?: string;
  product?: string;
}

type NodeHid = typeof import('node-hid');

async function nodeHid(): Promise<NodeHid> {
  try {
    const m = (await import('node-hid')) as NodeHid & { default?: NodeHid };
    return m.default ?? m;
  } catch (e) {
    // One line either way: the package missing, or its native part not loading.
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND') throw new Error('node-hid is not installed (npm install node-hid): it is needed only for HID devices');
    throw new Error(`node-hid cannot be loaded (${err.message.split('\n', 1)[0]}); on Debian: apt-get install libusb-1.0-0 libudev1`);
  }
}

/** The FIDO devices the OS shows (usage page 0xF1D0). */
export async function listFidoDevices(): Promise<FidoDeviceInfo[]> {
  const hid = await nodeHid();
  return (await hid.devicesAsync())
    .filter((d) => d.usagePage === FIDO_USAGE_PAGE && d.usage === FIDO_USAGE && d.path)
    .map((d) => ({ path: d.path!, vendorId: d.vendorId, productId: d.productId, manufacturer: d.manufacturer, product: d.product }));
}

/** A ReportPipe to the HID device at `path` (e.g. /dev/hidraw0). */
export async function openNodeHid(path: string): Promise<ReportPipe> {
  const hid = await nodeHid();
  const dev = await hid.HIDAsync.open(path);
  const listeners = new Set<(r: Uint8Array) => void>();
  dev.on('data', (data: Buffer) => {
    const report = new Uint8Array(data.subarray(0, REPORT_SIZE));
    for (const l of [...listeners]) l(report);
  });
  dev.on('error', () => undefined);
  return {
    // hidapi wants the report number first; FIDO devices have none, so it is 0.
    write: async (report) => {
      await dev.write(Buffer.concat([Buffer.from([0]), Buffer.from(report)]));
    },
    onReport: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close: () => dev.close(),
  };
}
