// UDP transport, following the SoloKeys simulation convention so existing FIDO tools work as
// they are: one datagram per 64-byte report, device on 127.0.0.1:8111, replies to the sender
// (the host that owns the reply's channel), and a "magic reboot" datagram that power-cycles the key.
import { createSocket, type Socket } from 'node:dgram';
import dns, { type LookupOneOptions } from 'node:dns';
import { isIPv4 } from 'node:net';
import { BROADCAST_CID, HidCmd, REPORT_SIZE } from './constants.js';
import type { ReportPipe } from './pipe.js';
import { readCid } from './framing.js';
import { equalBytes, fromHex, toHex } from '../util/bytes.js';

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

type Address = { address: string; port: number };

/** Channels the table remembers: more than a device allocates (1,024), so the device evicts first. */
const MAX_CHANNELS = 4096;
/** Senders on other channel ids (broadcast, unallocated: their answers are errors), and INITs in flight. */
const MAX_STRANGERS = 256;

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * The socket's name lookup: an IPv4 address (every reply goes to one, the sender's) is its own
 * answer, at once; a name goes to DNS. dgram's default, dns.lookup, answers even an address a tick
 * later, which for a 9-report getInfo response was 9 ticks and 10% of the key's CPU per request.
 */
export function lookupAddress(host: string, options: LookupOneOptions | number, callback: LookupCallback): void {
  if (isIPv4(host)) return callback(null, host, 4);
  dns.lookup(host, typeof options === 'number' ? { family: options } : options, callback);
}

/** A Map used as an LRU: `touch` moves a key to the newest end; the oldest go past `max`. */
function touch<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}

/** The 8-byte nonce of an INIT request or response (CTAP 2.1 §11.2.9.1.3), as a map key. */
const nonceOf = (report: Uint8Array): string => toHex(report.subarray(7, 15));
const isBroadcastInit = (report: Uint8Array): boolean => readCid(report) === BROADCAST_CID && report[4] === (0x80 | HidCmd.INIT);

/**
 * The device end. Every reply goes to the host that owns its channel: the address that last sent
 * on that channel id (bytes 0-3 of a report), not whoever spoke last, since a reply can come long
 * after its request (a slow touch, keepalives, MSG_TIMEOUT) while other hosts talk. The answer to
 * an INIT on the broadcast channel goes to the sender of that INIT (matched by its nonce), and
 * the channel it allocates is learnt for that sender. Channel ids no INIT gave out are kept apart,
 * so a flood of them cannot push a host's channel out of the table.
 */
export class UdpDeviceTransport {
  private readonly socket: Socket;
  private readonly channels = new Map<number, Address>();
  private readonly strangers = new Map<number, Address>();
  private readonly inits = new Map<string, Address>();

  private constructor(socket: Socket) {
    this.socket = socket;
  }

  static listen(options: UdpDeviceOptions): Promise<UdpDeviceTransport> {
    const socket = createSocket({ type: 'udp4', lookup: lookupAddress });
    const t = new UdpDeviceTransport(socket);
    socket.on('message', (msg, rinfo) => {
      const report = new Uint8Array(msg);
      if (report.length === REPORT_SIZE && equalBytes(report, MAGIC_REBOOT)) return options.onReboot?.();
      if (report.length >= 5) t.learn(report, { address: rinfo.address, port: rinfo.port });
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

  private learn(report: Uint8Array, from: Address): void {
    const cid = readCid(report);
    if (this.channels.has(cid)) touch(this.channels, cid, from, MAX_CHANNELS);
    else touch(this.strangers, cid, from, MAX_STRANGERS);
    if (report.length >= 15 && isBroadcastInit(report)) touch(this.inits, nonceOf(report), from, MAX_STRANGERS);
  }

  /** Where an input report goes; undefined when no host ever spoke on its channel. */
  private route(report: Uint8Array): Address | undefined {
    const cid = readCid(report);
    if (isBroadcastInit(report)) {
      const nonce = nonceOf(report);
      const to = this.inits.get(nonce);
      if (to) {
        this.inits.delete(nonce);
        // The new channel (response bytes 8-11) belongs to the host that asked for it.
        const allocated = new DataView(report.buffer, report.byteOffset).getUint32(15);
        this.strangers.delete(allocated);
        touch(this.channels, allocated, to, MAX_CHANNELS);
        return to;
      }
    }
    const to = this.channels.get(cid);
    if (to) {
      touch(this.channels, cid, to, MAX_CHANNELS); // a channel the key is answering on stays
      return to;
    }
    return this.strangers.get(cid);
  }

  get address(): Address {
    return this.socket.address();
  }

  readonly send = (report: Uint8Array): void => {
    const to = this.route(report);
    if (to) this.socket.send(report, to.port, to.address);
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
