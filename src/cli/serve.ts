// `ctap-emu serve`: run the key on a transport until Ctrl-C.
import { Command as CtapCommand } from '../ctap2/constants.js';
import { statusName } from '../ctap2/status.js';
import { DEFAULT_UDP_HOST, DEFAULT_UDP_PORT } from '../hid/udp.js';
import { serveUdp, type UdpServer } from '../serveUdp.js';
import { VirtualAuthenticator } from '../virtual.js';
import type { PresencePolicy } from '../presencePolicy.js';
import { defaultStorePath, ensureParentDir } from './paths.js';

export interface ServeOptions {
  transport: string;
  host: string;
  port: string;
  store?: string;
  memory?: boolean;
  presence: string;
  aaguid?: string;
  verbose?: boolean;
}

const commandNames = new Map<number, string>(Object.entries(CtapCommand).map(([k, v]) => [v, k]));

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

export async function serve(opts: ServeOptions): Promise<void> {
  if (opts.transport !== 'udp') throw new Error(`unknown transport "${opts.transport}" (available: udp)`);
  if (!['approve', 'deny'].includes(opts.presence)) throw new Error(`--presence must be approve or deny`);
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got ${opts.port}`);
  const storePath = opts.memory ? 'memory' : (opts.store ?? defaultStorePath());
  if (storePath !== 'memory') ensureParentDir(storePath);

  const key = new VirtualAuthenticator({
    store: storePath,
    presence: opts.presence as PresencePolicy,
    aaguid: opts.aaguid,
    onExchange: opts.verbose
      ? (request, response) => log(`${commandNames.get(request[0]!) ?? `command 0x${request[0]!.toString(16)}`} -> ${statusName(response[0]!)}`)
      : undefined,
  });
  key.authenticator.onInternalError = (e) => log(`internal error: ${(e as Error).stack ?? String(e)}`);
  let server: UdpServer;
  try {
    server = await serveUdp(key, { host: opts.host, port, onReboot: () => log('power cycle (reboot datagram)') });
  } catch (e) {
    key.close();
    const err = e as NodeJS.ErrnoException;
    throw new Error(
      err.code === 'EADDRINUSE'
        ? `UDP ${opts.host}:${port} is in use (another ctap-emu serve?); pick another with --port`
        : `cannot listen on UDP ${opts.host}:${port}: ${err.message}`,
    );
  }
  const addr = server.address;
  log(`ctap-emu: security key on udp ${addr.address}:${addr.port}, store ${storePath}, presence ${opts.presence}`);
  log('Ctrl-C stops it.');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  key.close();
  log('stopped');
}

export const SERVE_DEFAULTS = { transport: 'udp', host: DEFAULT_UDP_HOST, port: String(DEFAULT_UDP_PORT), presence: 'approve' };
