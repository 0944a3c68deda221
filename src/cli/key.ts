// Talking to a key from the CLI: offline on its keystore (run in-process), a running one over
// UDP, or any HID security key through node-hid.
import { Ctap2Client } from '../node/clients.js';
import { CtapHidHost } from '../hid/host.js';
import { openNodeHid } from '../hid/nodehid.js';
import type { ReportPipe } from '../hid/pipe.js';
import { connectUdp, DEFAULT_UDP_HOST, DEFAULT_UDP_PORT } from '../hid/udp.js';
import { VirtualAuthenticator } from '../node/virtual.js';
import { CliError, ExitCode, oneLine } from './errors.js';
import { withStore, type StoreOptions } from './store.js';

export interface KeyOptions extends StoreOptions {
  /** [host:]port of a running key (a bare --udp is the default port); without it, the keystore is opened. */
  udp?: string | true;
  /** A HID device path (a real key, or a uhid-served one) reached through node-hid. */
  device?: string;
}

export function parseHostPort(s: string | true): { host: string; port: number } {
  if (s === true || s === '') return { host: DEFAULT_UDP_HOST, port: DEFAULT_UDP_PORT };
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(s);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new CliError(`--udp wants [host:]port, got "${s}"`, ExitCode.usage);
  return { host: m[1] || DEFAULT_UDP_HOST, port };
}

/** A running key is named (--udp or --device): the command talks CTAP to it, not to a keystore file. */
export function isRemote(o: KeyOptions): boolean {
  return o.udp !== undefined || o.device !== undefined;
}

/** The running key as messages name it: its device path, or "udp host:port". */
export function remoteName(o: KeyOptions): string {
  if (o.device !== undefined) return o.device;
  const { host, port } = parseHostPort(o.udp ?? true);
  return `udp ${host}:${port}`;
}

/**
 * Runs `fn` with a CTAP2 client: to a running key over UDP or HID when asked, else to the key
 * whose keystore this is, run in-process (the user is taken to approve: they are at this terminal).
 */
export async function withKey<T>(o: KeyOptions, fn: (ctap: Ctap2Client, key?: VirtualAuthenticator) => Promise<T>): Promise<T> {
  if (o.udp !== undefined && o.device !== undefined) throw new CliError('give --udp or --device, not both', ExitCode.usage);
  if (isRemote(o)) {
    const pipe = await openRemote(o);
    const where = remoteName(o);
    try {
      const hid = await CtapHidHost.open(pipe).catch(() => {
        throw new CliError(`no key answered on ${where}${o.udp !== undefined ? ' (is `ctap-emu serve` running?)' : ''}`);
      });
      if (!hid.supportsCbor) throw new CliError(`the key on ${where} speaks U2F only (no CTAP2): nothing here works with it`);
      return await fn(new Ctap2Client(hid));
    } finally {
      await pipe.close();
    }
  }
  return withStore(o, async (store) => {
    const key = new VirtualAuthenticator({ store, resetWindowMs: null });
    const hid = await CtapHidHost.open(key.connect());
    try {
      return await fn(new Ctap2Client(hid), key);
    } finally {
      await hid.close();
      key.close();
    }
  });
}

/** A report pipe to the running key --udp or --device names. */
export async function openRemote(o: KeyOptions): Promise<ReportPipe> {
  if (o.device !== undefined) {
    try {
      return await openNodeHid(o.device);
    } catch (e) {
      throw new CliError(`cannot open ${o.device}: ${oneLine((e as Error).message)}`);
    }
  }
  const { host, port } = parseHostPort(o.udp ?? true);
  return connectUdp(host, port);
}
