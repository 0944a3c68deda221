// UDP transport, following the SoloKeys simulation convention so existing FIDO tools work as
// they are: one datagram per 64-byte report, device on 127.0.0.1:8111, replies to the sender,
// and a "magic reboot" datagram that power-cycles the key.
import { createSocket, type Socket } from 'node:dgram';
import { REPORT_SIZE } from './constants.js';
import type { ReportPipe } from './pipe.js';
import { equalBytes, fromHex } from '../util/bytes.js';

export const DEFAULT_UDP_HOST = '127.0.0.1';
export const DEFAULT_UDP_PORT = 8111;

export const MAGIC_REBOOT = fromHex(
  'ac1052ca95e569de69e02ebff333485f13f9b2da34c5a8a340526697a9ab2e0b394d8d04973c134005be1a0140bff6045bb26eb77a73eaa47813f6b49a7250dc',
);

export interface UdpDeviceOptions {
  host?: string;
  port?: number;
  /** Called with each output report from the host. */
  onReport(report: Uint8Array): void;
  /** The reboot datagram arrived. */
  onReboot?(): void;
}

/** The device end: listens, and sends input reports to whoever spoke last. */
export class UdpDeviceTransport {
  private readonly socket: Socket;
  private peer: { address: string; port: number } | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
  }

  static listen(options: UdpDeviceOptions): Promise<UdpDeviceTransport> {
    const socket = createSocket('udp4');
    const t = new UdpDeviceTransport(socket);
    socket.on('message', (msg, rinfo) => {
      const report = new Uint8Array(msg);
      if (report.length === REPORT_SIZE && equalBytes(report, MAGIC_REBOOT)) return options.onReboot?.();
      t.peer = { address: rinfo.address, port: rinfo.port };
      options.onReport(report);
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port ?? DEFAULT_UDP_PORT, options.host ?? DEFAULT_UDP_HOST, () => {
        socket.off('error', reject);
        socket.on('error', () => undefined); // a send to a vanished peer must not stop the key
        resolve(t);
      });
    });
  }

  get address(): { address: string; port: number } {
    return this.socket.address();
  }

  readonly send = (report: Uint8Array): void => {
    if (this.peer) this.socket.send(report, this.peer.port, this.peer.address);
  };

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** The host end: a ReportPipe to a key served over UDP. */
export async function connectUdp(host = DEFAULT_UDP_HOST, port = DEFAULT_UDP_PORT): Promise<ReportPipe> {
  const socket = createSocket('udp4');
  const listeners = new Set<(r: Uint8Array) => void>();
  socket.on('message', (msg) => {
    const report = new Uint8Array(msg);
    for (const l of [...listeners]) l(report);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    write: (report) => new Promise<void>((resolve, reject) => socket.send(report, (e) => (e ? reject(e) : resolve()))),
    onReport: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close: () => {
      listeners.clear();
      socket.close();
    },
  };
}

/** Sends the reboot datagram: the key at host:port power-cycles. */
export async function sendReboot(host = DEFAULT_UDP_HOST, port = DEFAULT_UDP_PORT): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => socket.send(MAGIC_REBOOT, port, host, (e) => (e ? reject(e) : resolve())));
  socket.close();
}
