// A VirtualAuthenticator served over UDP: the SoloKeys-convention socket joined to the key's
// CTAPHID device, the reboot datagram wired to a power cycle.
import { UdpDeviceTransport } from './hid/udp.js';
import type { VirtualAuthenticator } from './virtual.js';

export interface UdpServer {
  address: { address: string; port: number };
  close(): Promise<void>;
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
  return {
    address: t.address,
    close: async () => {
      port.detach();
      await t.close();
    },
  };
}
