// What every CLI command shares: errors with exit codes, finding and opening the keystore, and
// talking to a key (offline on its keystore, or a running one over UDP).
import { createInterface } from 'node:readline';
import { Ctap2Client } from '../client/ctap2.js';
import { CtapHidHost } from '../hid/host.js';
import { openNodeHid } from '../hid/nodehid.js';
import type { ReportPipe } from '../hid/pipe.js';
import { connectUdp, DEFAULT_UDP_HOST, DEFAULT_UDP_PORT } from '../hid/udp.js';
import { KeystoreError, SqliteStore } from '../keystore/sqlite.js';
import { VirtualAuthenticator } from '../node/virtual.js';
import { defaultStorePath } from './paths.js';

export const ExitCode = { ok: 0, failure: 1, usage: 2, notFound: 3 } as const;

/** A failure the user can act on: one line, a chosen exit code, no stack. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = ExitCode.failure) {
    super(message);
  }
}

export interface StoreOptions {
  store?: string;
  passphrase?: string;
}

export function storePath(o: StoreOptions): string {
  return o.store ?? defaultStorePath();
}

export function passphrase(o: StoreOptions): string | undefined {
  return o.passphrase ?? (process.env.CTAP_EMU_PASSPHRASE || undefined);
}

/** Runs `fn` on an existing keystore, closing it after; keystore problems become one clear line. */
export async function withStore<T>(o: StoreOptions, fn: (store: SqliteStore) => T | Promise<T>): Promise<T> {
  let store: SqliteStore;
  try {
    store = new SqliteStore(storePath(o), { mustExist: true, passphrase: passphrase(o) });
  } catch (e) {
    if (e instanceof KeystoreError && /^no keystore/.test(e.message)) {
      throw new CliError(`${e.message} (\`ctap-emu serve\` creates one; or name one with --store)`);
    }
    if (e instanceof KeystoreError) throw new CliError(e.message);
    throw e;
  }
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

export interface KeyOptions extends StoreOptions {
  /** host:port of a running key; without it, the keystore is opened directly. */
  udp?: string;
  /** A HID device path (a real key, or a uhid-served one) reached through node-hid. */
  device?: string;
}

export function parseHostPort(s: string): { host: string; port: number } {
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(s);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new CliError(`--udp wants [host:]port, got "${s}"`, ExitCode.usage);
  return { host: m[1] || DEFAULT_UDP_HOST, port };
}

/**
 * Runs `fn` with a CTAP2 client: to a running key over UDP when `udp` is given, else to the key
 * whose keystore this is, run in-process (the user is taken to approve: they are at this terminal).
 */
export async function withKey<T>(o: KeyOptions, fn: (ctap: Ctap2Client, key?: VirtualAuthenticator) => Promise<T>): Promise<T> {
  if (o.udp !== undefined && o.device !== undefined) throw new CliError('give --udp or --device, not both', ExitCode.usage);
  if (o.udp !== undefined || o.device !== undefined) {
    const { pipe, where } = await openRemote(o);
    try {
      const hid = await CtapHidHost.open(pipe).catch(() => {
        throw new CliError(`no key answered on ${where}${o.udp !== undefined ? ' (is `ctap-emu serve` running?)' : ''}`);
      });
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

async function openRemote(o: KeyOptions): Promise<{ pipe: ReportPipe; where: string }> {
  if (o.device !== undefined) {
    try {
      return { pipe: await openNodeHid(o.device), where: o.device };
    } catch (e) {
      throw new CliError(`cannot open ${o.device}: ${(e as Error).message}`);
    }
  }
  const { host, port } = parseHostPort(o.udp === '' || o.udp === undefined ? String(DEFAULT_UDP_PORT) : o.udp);
  return { pipe: await connectUdp(host, port), where: `udp ${host}:${port}` };
}

/** Asks a yes/no question on the terminal; false when there is no terminal to ask. */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Reads a secret from the terminal without echoing it. */
export async function askSecret(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError(`${prompt.replace(/:\s*$/, '')} is needed: pass it as an option (no terminal to ask on)`, ExitCode.usage);
  process.stderr.write(prompt);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  let value = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (buf: Buffer): void => {
        for (const ch of buf.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return (stdin.off('data', onData), resolve());
          if (ch === '\u0003') return (stdin.off('data', onData), reject(new CliError('cancelled')));
          if (ch === '\u007f') value = [...value].slice(0, -1).join('');
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
  return value;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain text table: a header row, aligned columns. */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]!].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join('  ').trimEnd();
  process.stdout.write(`${[line(headers), ...rows.map(line)].join('\n')}\n`);
}
