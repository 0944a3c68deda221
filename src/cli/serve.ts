// `ctap-emu serve`: run the key on a transport until Ctrl-C.
import { DEFAULT_UDP_HOST, DEFAULT_UDP_PORT } from '../hid/udp.js';
import { UhidError } from '../hid/uhid.js';
import { KeystoreError } from '../keystore/sqlite.js';
import { CtapError } from '../ctap/status.js';
import type { PresencePolicy, VerificationPolicy } from '../node/presencePolicy.js';
import { serveUdp, serveUhid, type RunningTransport } from '../node/serve.js';
import { VirtualAuthenticator } from '../node/virtual.js';
import { CliError, ExitCode, passphrase, storePath, type StoreOptions } from './common.js';
import { describeRequest, describeResponse } from './describe.js';
import { ensureParentDir } from './paths.js';
import { terminalPresence } from './prompt.js';

export interface ServeOptions extends StoreOptions {
  transport: 'auto' | 'uhid' | 'udp';
  host: string;
  port: string;
  memory?: boolean;
  presence: 'approve' | 'prompt' | 'deny';
  uv?: 'match' | 'nomatch';
  pin?: string;
  aaguid?: string;
  verbose?: boolean;
}

export const SERVE_DEFAULTS = { transport: 'auto', host: DEFAULT_UDP_HOST, port: String(DEFAULT_UDP_PORT), presence: 'approve' };

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

function presencePolicy(p: ServeOptions['presence']): PresencePolicy {
  if (p === 'prompt') {
    if (!process.stdin.isTTY) throw new CliError('--presence prompt needs a terminal on stdin', ExitCode.usage);
    return terminalPresence();
  }
  return p;
}

function openKey(o: ServeOptions): { key: VirtualAuthenticator; where: string } {
  const where = o.memory ? 'memory (nothing is written)' : storePath(o);
  if (!o.memory) ensureParentDir(where);
  try {
    const key = new VirtualAuthenticator({
      store: o.memory ? 'memory' : where,
      passphrase: o.memory ? undefined : passphrase(o),
      presence: presencePolicy(o.presence),
      userVerification: o.uv as VerificationPolicy | undefined,
      aaguid: o.aaguid,
      onExchange: o.verbose ? (req, res) => (log(describeRequest(req)), log(describeResponse(req, res))) : undefined,
    });
    key.authenticator.onInternalError = (e) => log(`internal error: ${(e as Error).stack ?? String(e)}`);
    return { key, where };
  } catch (e) {
    if (e instanceof KeystoreError || e instanceof RangeError || e instanceof TypeError) throw new CliError(e.message);
    throw e;
  }
}

async function startTransport(key: VirtualAuthenticator, o: ServeOptions, port: number): Promise<RunningTransport> {
  if (o.transport !== 'udp') {
    try {
      return serveUhid(key);
    } catch (e) {
      if (!(e instanceof UhidError)) throw e;
      if (o.transport === 'uhid') throw new CliError(e.message);
      log(`uhid is not usable (${e.message}); serving over UDP instead`);
    }
  }
  try {
    return await serveUdp(key, { host: o.host, port, onReboot: () => log('power cycle (reboot datagram)') });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CliError(err.code === 'EADDRINUSE'
      ? `UDP ${o.host}:${port} is in use (another ctap-emu serve?); pick another with --port`
      : `cannot listen on UDP ${o.host}:${port}: ${err.message}`);
  }
}

export async function serve(o: ServeOptions): Promise<void> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0-65535, got ${o.port}`, ExitCode.usage);
  const { key, where } = openKey(o);
  let transport: RunningTransport;
  try {
    if (o.pin !== undefined) {
      if (key.authenticator.hasPin()) throw new CliError('the keystore already has a PIN; change it with `ctap-emu pin change`');
      try {
        key.authenticator.provisionPin(o.pin);
      } catch (e) {
        throw e instanceof CtapError ? new CliError(`--pin: ${e.detail ?? e.message}`) : e;
      }
    }
    transport = await startTransport(key, o, port);
  } catch (e) {
    key.close();
    throw e;
  }
  // Handlers first, then the announcement: a Ctrl-C right after it still stops cleanly.
  // Transports may hold the event loop only weakly (uhid polls on unref'd timers): serve holds it.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      clearInterval(keepAlive);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  log(`ctap-emu: security key on ${transport.description}; store ${where}; presence ${o.presence}${o.uv ? `; built-in UV ${o.uv}` : ''}`);
  log('Ctrl-C stops it. New here? `ctap-emu demo` runs a whole passkey ceremony in-process.');
  await stopped;
  await transport.close();
  key.close();
  log('stopped');
}
