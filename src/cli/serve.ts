// `ctap-emu serve`: run the key on a transport until Ctrl-C or SIGTERM.
import { existsSync, rmSync } from 'node:fs';
import { UhidError } from '../hid/uhid.js';
import { KeystoreError } from '../keystore/sqlite.js';
import { CtapError } from '../ctap/status.js';
import { serveUdp, serveUhid, type RunningTransport } from '../node/serve.js';
import { newControlToken, startControl, type ControlOptions, type ControlServer } from '../node/control/server.js';
import { VirtualAuthenticator } from '../node/virtual.js';
import { CliError, ExitCode, passphrase, type StoreOptions } from './common.js';
import { describeApdu, describeApduResponse, describeRequest, describeResponse } from './describe.js';
import { ensureParentDir } from './paths.js';
import { recordToFile } from './trace/record.js';
import { liveTrace } from './trace/live.js';
import { keyCount, keyPort, keyStorePath, keyUhid } from './serveKeys.js';
import { chainAaguid, keyMakings, type KeyMaking, type KeyMakingOptions } from './serveMaking.js';

export interface ServeOptions extends StoreOptions, KeyMakingOptions {
  transport: 'auto' | 'uhid' | 'udp';
  host: string;
  port: string;
  memory?: boolean;
  allowReset?: boolean;
  rs256?: boolean;
  enterpriseRp?: string[];
  verbose?: boolean;
  /** Filled from --control-token-file (options.ts); a random token otherwise. */
  controlToken?: string;
  /** How many keys to serve (default 1); see serveKeys.ts for what each gets. */
  keys?: string;
  /** Record every report and message here (trace/record.ts). */
  trace?: string;
  /** The FIDO Conformance Tools' automation paths on the control port (no token). */
  conformance?: boolean;
  /** The key's own window at http://127.0.0.1:PORT/ui (needs --control PORT). */
  ui?: boolean;
}

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

/** Key `index` of `count`'s log: its lines begin "key N: " when there are several. */
function keySay(index: number, count: number): (line: string) => void {
  return count === 1 ? log : (line: string): void => log(`key ${index}: ${line}`);
}

/** What the start-up line says about authenticatorReset, which wipes every passkey and the PIN. */
function resetNote(o: ServeOptions, presence: string, key: VirtualAuthenticator): string {
  if (presence === 'prompt') return 'reset asked at the prompt';
  if (presence === 'deny') return 'reset refused (presence deny)';
  if (presence === 'timeout' || presence === 'ask') return o.control === undefined ? 'reset refused (presence timeout)' : 'reset only with a touch through the control API';
  if (key.allowReset) return `reset approved${o.memory ? '' : ' (--allow-reset)'}`;
  return 'reset refused (a keystore file; --allow-reset approves it)';
}

interface OpenedKey {
  key: VirtualAuthenticator;
  where: string;
  /** The keystore file did not exist before this run (so a failed start removes it). */
  created: boolean;
}

/** Key `index` of `count`; its log lines (-v, faults, errors) name the key when there are several. */
function openKey(o: ServeOptions, making: KeyMaking, index: number, count: number): OpenedKey {
  const { chain, counter, faults } = making;
  const where = o.memory ? 'memory (nothing is written)' : keyStorePath(o.store, index, count);
  const created = !o.memory && !existsSync(where);
  if (!o.memory) ensureParentDir(where);
  const say = keySay(index, count);
  try {
    const key = new VirtualAuthenticator({
      store: o.memory ? 'memory' : where,
      passphrase: o.memory ? undefined : passphrase(o),
      presence: making.policy,
      allowReset: o.allowReset ? true : undefined,
      userVerification: making.uv,
      aaguid: making.aaguid ?? chainAaguid(chain),
      rs256: o.rs256,
      attestation: making.attestation,
      enterpriseRpIds: o.enterpriseRp,
      attestationChain: chain,
      faults,
      onFault: (f) => say(`fault ${f.id} (${f.type}) on ${f.command}`),
      counterModel: counter,
      profile: making.profile,
      onExchange: o.verbose ? (req, res) => (say(describeRequest(req)), say(describeResponse(req, res))) : undefined,
      onApdu: o.verbose ? (apdu, res) => (say(describeApdu(apdu)), say(describeApduResponse(res))) : undefined,
    });
    // A keystore that cannot be written (a full disk) is not a bug: one line, no stack.
    key.authenticator.onInternalError = (e) => say(e instanceof KeystoreError
      ? `${e.message}; the request was refused (CTAP1_ERR_OTHER)`
      : `internal error: ${(e as Error).stack ?? String(e)}`);
    return { key, where, created };
  } catch (e) {
    if (created) removeStore(where);
    if (e instanceof KeystoreError || e instanceof RangeError || e instanceof TypeError) throw new CliError(e.message);
    throw e;
  }
}

/** A keystore file this run created, with SQLite's companions (only ever called for those). */
function removeStore(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}

/**
 * --pin: set it on a keystore with none; one that has this PIN just serves; another PIN is an
 * error. `which` names the key when there are several ("key 1: ").
 */
function applyPin(key: VirtualAuthenticator, pin: string, which: string): void {
  if (key.authenticator.hasPin()) {
    if (key.authenticator.isPin(pin)) return;
    throw new CliError(`${which}the keystore has a different PIN; --pin must be that PIN (change it with \`ctap-emu pin change\`)`);
  }
  try {
    key.authenticator.provisionPin(pin);
  } catch (e) {
    throw e instanceof CtapError ? new CliError(`${which}--pin: ${e.detail ?? e.message}`) : e;
  }
}

/** --control PORT | unix:PATH. */
function controlListen(text: string): ControlOptions['listen'] {
  if (/^\d{1,5}$/.test(text) && Number(text) <= 65535) return { port: Number(text) };
  const unix = /^unix:(.+)$/.exec(text);
  if (unix) return { path: unix[1]! };
  throw new CliError(`--control must be a port (on 127.0.0.1) or unix:PATH, got "${text}"`, ExitCode.usage);
}

/** The conformance tools' summary of a run (/conformance/results), in one line. */
function conformanceSummary(r: unknown): string {
  const o = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
  const count = (k: string): string => (typeof o[k] === 'number' ? String(o[k]) : '?');
  const failed = Array.isArray(o.failedTests) ? o.failedTests.filter((t) => typeof t === 'string') : [];
  return `${count('passedTestsCount')} passed, ${count('failedTestsCount')} failed${failed.length ? `: ${failed.join('; ')}` : ''}`;
}

/** The control API, announced with its token (the one secret serve prints: the caller needs it). */
async function startControlApi(keys: VirtualAuthenticator[], o: ServeOptions): Promise<ControlServer | undefined> {
  if (o.control === undefined) {
    if (o.controlToken !== undefined) throw new CliError('--control-token-file needs --control', ExitCode.usage);
    if (o.conformance) throw new CliError('--conformance needs --control PORT (the conformance tools call http://localhost:3000)', ExitCode.usage);
    if (o.ui) throw new CliError('--ui needs --control PORT: the window is served on the control API\'s port, behind its token (--control 0 picks a free port)', ExitCode.usage);
    return undefined;
  }
  const listen = controlListen(o.control);
  if (o.conformance && 'path' in listen) throw new CliError('--conformance needs --control PORT: the conformance tools reach the key over TCP', ExitCode.usage);
  if (o.ui && 'path' in listen) throw new CliError('--ui needs --control PORT: a browser reaches the window over TCP, not a Unix socket', ExitCode.usage);
  const conformance = o.conformance ? { onResults: (r: unknown) => log(`conformance tools: ${conformanceSummary(r)}`) } : undefined;
  const token = o.controlToken ?? newControlToken();
  let control: ControlServer;
  try {
    control = await startControl(keys, { listen, token, conformance, ui: o.ui ? { trace: liveTrace } : undefined });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (e instanceof RangeError) throw new CliError(`--control-token-file: ${e.message}`, ExitCode.usage);
    throw new CliError(err.code === 'EADDRINUSE' ? `--control ${o.control} is in use` : `cannot start the control API on ${o.control}: ${err.message}`);
  }
  log(`control: ${control.url} ${o.controlToken === undefined ? `token=${token}` : '(token from --control-token-file)'}${keys.length > 1 ? ` (key N at /keys/N/..., its events at /keys/N/events)` : ''}`);
  if (o.ui) log(`ui: ${control.url}/ui (the key's window; it asks for the control token once and keeps it in that tab only)`);
  if (conformance) log(`conformance tools automation: ${control.url}/conformance/userpresence and /conformance/powercycle, without the token${keys.length > 1 ? ' (key 0)' : ''}`);
  return control;
}

async function startUdp(key: VirtualAuthenticator, o: ServeOptions, port: number, index: number, count: number): Promise<RunningTransport> {
  try {
    const say = count === 1 ? '' : ` of key ${index}`;
    return await serveUdp(key, { host: o.host, port, onReboot: () => log(`power cycle${say} (reboot datagram)`) });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CliError(err.code === 'EADDRINUSE'
      ? `UDP ${o.host}:${port} is in use (another ctap-emu serve?); pick another with --port`
      : `cannot listen on UDP ${o.host}:${port}: ${err.message}`);
  }
}

/** A transport per key: uhid devices where usable (all or none), else consecutive UDP ports. */
async function startTransports(keys: VirtualAuthenticator[], o: ServeOptions, port: number): Promise<RunningTransport[]> {
  const running: RunningTransport[] = [];
  try {
    if (o.transport !== 'udp') {
      try {
        for (const [i, key] of keys.entries()) running.push(serveUhid(key, keyUhid(i, keys.length)));
        return running;
      } catch (e) {
        if (!(e instanceof UhidError)) throw e;
        if (o.transport === 'uhid') throw new CliError(e.message);
        for (const t of running.splice(0)) await t.close();
        log(`uhid is not usable (${e.message}); serving over UDP instead`);
      }
    }
    for (const [i, key] of keys.entries()) running.push(await startUdp(key, o, keyPort(port, i, keys.length), i, keys.length));
    return running;
  } catch (e) {
    for (const t of running) await t.close();
    throw e;
  }
}

/** --trace FILE: a recorder on every key, from before the first report. */
function startTrace(keys: VirtualAuthenticator[], file: string | undefined): { close(): void } | undefined {
  if (file === undefined) return undefined;
  try {
    const t = recordToFile(file, keys);
    log(`trace: ${file}`);
    return t;
  } catch (e) {
    throw new CliError(`--trace: cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export async function serve(o: ServeOptions): Promise<void> {
  const port = Number(o.port);
  if (!/^\d+$/.test(o.port) || port > 65535) throw new CliError(`--port must be 0-65535, got ${o.port}`, ExitCode.usage);
  const count = keyCount(o.keys);
  if (o.transport !== 'uhid') keyPort(port, 0, count);
  const makings = keyMakings(o, count);
  const opened: OpenedKey[] = [];
  let transports: RunningTransport[] = [];
  let control: ControlServer | undefined;
  let tracing: { close(): void } | undefined;
  try {
    for (let i = 0; i < count; i++) opened.push(openKey(o, makings[i]!, i, count));
    for (const [i, { key }] of opened.entries()) {
      const pin = makings[i]!.pin;
      if (pin !== undefined) applyPin(key, pin, count === 1 ? '' : `key ${i}: `);
    }
    tracing = startTrace(opened.map((k) => k.key), o.trace);
    transports = await startTransports(opened.map((k) => k.key), o, port);
    control = await startControlApi(opened.map((k) => k.key), o);
  } catch (e) {
    for (const t of transports) await t.close();
    tracing?.close();
    for (const { key, where, created } of opened) {
      key.close();
      if (created) removeStore(where);
    }
    throw e;
  }
  // Handlers first, then the announcement: a signal right after it still stops cleanly.
  // Transports may hold the event loop only weakly (uhid polls on unref'd timers): serve holds it.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const stopped = new Promise<string>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      // Further signals while closing are ignored (listeners stay), not the default abrupt exit.
      process.on('SIGINT', () => undefined);
      process.on('SIGTERM', () => undefined);
      clearInterval(keepAlive);
      resolve(signal);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.once('SIGHUP', stop);
  });
  opened.forEach(({ key, where }, i) => {
    const say = keySay(i, count);
    if (o.fault?.length) say(`fault rules in force: ${key.listFaults().map((f) => `${f.id} ${f.command} ${f.fault.type}`).join(', ')}`);
    const m = makings[i]!;
    const builtInUv = m.uv || key.authenticator.config.builtInUv ? `; built-in UV ${m.uv ?? 'match'}` : '';
    const which = count === 1 ? '' : `key ${i}: `;
    log(`ctap-emu: ${which}security key on ${transports[i]!.description}; ${m.profileName ? `profile ${m.profileName}; ` : ''}store ${where}; presence ${m.presence}${builtInUv}${m.counterText ? `; counter ${m.counterText}` : ''}; ${resetNote(o, m.presence, key)}`);
  });
  log('Ctrl-C stops it. New here? `ctap-emu demo` runs a whole passkey ceremony in-process.');
  const signal = await stopped;
  await control?.close();
  for (const t of transports) await t.close();
  tracing?.close();
  for (const { key } of opened) key.close();
  log(`stopped (${signal})`);
  process.exitCode = ExitCode.ok;
}
