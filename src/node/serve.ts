// A VirtualAuthenticator served on a real transport: the UDP socket of the SoloKeys simulation
// convention, or a Linux uhid device. Each joins the key's one CTAPHID device.
import { UdpDeviceTransport } from '../hid/udp.js';
import { UhidDevice, type UhidOptions } from '../hid/uhid.js';
import type { VirtualAuthenticator } from './virtual.js';

export interface RunningTransport {
  /** For people: where the key can be reached. */
  description: string;
  close(): Promise<void>;
}

export interface UdpServer extends RunningTransport {
  address: { address: string; port: number };
}

export async function serveUdp(
  key: VirtualAuthenticator,
  options: { host?: string; port?: number; onReboot?(): void } = {},
): Promise<UdpServer> {
  let transport: UdpDeviceTransport | undefined;
  const port = key.attach((report) => transport?.send(report));
  try {
    transport = await UdpDeviceTransport.listen({
      host: options.host,
      port: options.port,
      onReport: (r) => port.receive(r),
      onReboot: () => {
        key.powerCycle();
        options.onReboot?.();
      },
    });
  } catch (e) {
    port.detach();
    throw e;
  }
  const t = transport;
  const address = t.address;
  return {
    address,
    description: `udp ${address.address}:${address.port}`,
    close: async () => {
      port.detach();
      await t.close();
    },
  };
}

/** A virtual USB security key on /dev/uhid (throws UhidError saying what to do when it cannot). */
export function serveUhid(key: VirtualAuthenticator, options: Omit<UhidOptions, 'onReport'> = {}): RunningTransport {
  let dev: UhidDevice | undefined;
  const port = key.attach((report) => dev?.send(report));
  try {
    dev = UhidDevice.create({ ...options, onReport: (r) => port.receive(r) });
  } catch (e) {
    port.detach();
    throw e;
  }
  const d = dev;
  return {
    description: `uhid ${options.path ?? '/dev/uhid'}${options.name ? ` "${options.name}"` : ''} (a USB HID device; see /dev/hidraw*)`,
    close: async () => {
      port.detach();
      d.close();
    },
  };
}
