// `ctap-emu serve`: run the key on a transport until Ctrl-C or SIGTERM.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { AttestationChain } from '../ctap2/env.js';
import { AttestationChainError, certificateAaguid, parseAttestationChain } from '../node/attestationChain.js';
import { fromHex, toHex } from '../util/bytes.js';
import { DEFAULT_UDP_HOST, DEFAULT_UDP_PORT } from '../hid/udp.js';
import { UhidError } from '../hid/uhid.js';
import { KeystoreError } from '../keystore/sqlite.js';
import { CtapError } from '../ctap/status.js';
import { parsePresencePolicy, type PresencePolicy, type VerificationPolicy } from '../node/presencePolicy.js';
import { serveUdp, serveUhid, type RunningTransport } from '../node/serve.js';
import { newControlToken, startControl, type ControlOptions, type ControlServer } from '../node/control/server.js';
import { VirtualAuthenticator } from '../node/virtual.js';
import { CliError, ExitCode, passphrase, storePath, type StoreOptions } from './common.js';
import { describeApdu, describeApduResponse, describeRequest, describeResponse } from './describe.js';
import { ensureParentDir } from './paths.js';
import { terminalPresence } from './prompt.js';
import { serveFaultRules } from './faults.js';
import { parseCounterModelText } from '../node/automation/counterModels.js';
import { AutomationError } from '../node/automation/credentialJson.js';
import { profileNamed, type DeviceProfile } from '../node/profiles/index.js';

export interface ServeOptions extends StoreOptions {
  transport: 'auto' | 'uhid' | 'udp';
  host: string;
  port: string;
  memory?: boolean;
  /** approve, prompt, deny, or delay:MS (a touch MS ms after the key asks). */
  presence: string;
  allowReset?: boolean;
  uv?: 'match' | 'nomatch';
  pin?: string;
  aaguid?: string;
  rs256?: boolean;
  attestation?: 'basic' | 'self';
  enterpriseRp?: string[];
  /** The key's counter model, in text form (random-step:MAX:SEED). */
  counter?: string;
  /** The device profile (src/node/profiles). */
  profile?: string;
  attestationChain?: string;
  attestationKey?: string;
  verbose?: boolean;
  /** The control API: a TCP port on 127.0.0.1, or unix:PATH. */
  control?: string;
  /** Filled from --control-token-file (options.ts); a random token otherwise. */
  controlToken?: string;
  /** The FIDO Conformance Tools' automation paths on the control port (no token). */
  conformance?: boolean;
  /** Fault rules (JSON), repeatable. */
  fault?: string[];
}

export const SERVE_DEFAULTS = { transport: 'auto', host: DEFAULT_UDP_HOST, port: String(DEFAULT_UDP_PORT), presence: 'approve' };

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

function presencePolicy(p: string, control: boolean): PresencePolicy {
  if (p === 'prompt') {
    if (!process.stdin.isTTY) throw new CliError('--presence prompt needs a terminal on stdin', ExitCode.usage);
    return terminalPresence();
  }
  // A key that never touches by itself is of use only when the control API gives the touches.
  if (p === 'timeout' && !control) throw new CliError('--presence timeout needs --control: the touches then come only through it (ctl touch, --conformance)', ExitCode.usage);
  const policy = parsePresencePolicy(p);
  if (policy) return policy;
  throw new CliError(`--presence must be approve, prompt, deny or delay:MS (MS a whole number of milliseconds), got "${p}"`, ExitCode.usage);
}

/** What the start-up line says about authenticatorReset, which wipes every passkey and the PIN. */
function resetNote(o: ServeOptions, key: VirtualAuthenticator): string {
  if (o.presence === 'prompt') return 'reset asked at the prompt';
  if (o.presence === 'deny') return 'reset refused (presence deny)';
  if (o.presence === 'timeout') return 'reset only with a touch through the control API';
  if (key.allowReset) return `reset approved${o.memory ? '' : ' (--allow-reset)'}`;
  return 'reset refused (a keystore file; --allow-reset approves it)';
}

interface OpenedKey {
  key: VirtualAuthenticator;
  where: string;
  /** The keystore file did not exist before this run (so a failed start removes it). */
  created: boolean;
}

/** --attestation-chain and --attestation-key: both or neither, read before the keystore is touched. */
function suppliedChain(o: ServeOptions): AttestationChain | undefined {
  if (o.attestationChain === undefined && o.attestationKey === undefined) return undefined;
  if (o.attestationChain === undefined || o.attestationKey === undefined) {
    throw new CliError('--attestation-chain and --attestation-key go together', ExitCode.usage);
  }
  const read = (path: string, flag: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new CliError(`${flag}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  try {
    const chain = parseAttestationChain(read(o.attestationChain, '--attestation-chain'), read(o.attestationKey, '--attestation-key'), {
      certificates: `--attestation-chain ${o.attestationChain}`, key: `--attestation-key ${o.attestationKey}`,
    });
    const named = certificateAaguid(chain.certificates[0]!);
    if (named && o.aaguid !== undefined && toHex(fromHex(o.aaguid.replace(/-/g, ''))) !== toHex(named)) {
      throw new CliError(`--aaguid ${o.aaguid} differs from the AAGUID the attestation certificate names (${toHex(named)}): leave --aaguid out`, ExitCode.usage);
    }
    return chain;
  } catch (e) {
    if (e instanceof AttestationChainError) throw new CliError(e.message);
    throw e;
  }
}

/**
 * A supplied certificate that names an AAGUID (id-fido-gen-ce-aaguid) fixes the key's: RPs refuse
 * attestation whose certificate and authenticator data disagree.
 */
function chainAaguid(chain: AttestationChain | undefined): string | undefined {
  const named = chain && certificateAaguid(chain.certificates[0]!);
  return named && toHex(named);
}

/** --counter, checked before the keystore is touched. */
function counterModel(o: ServeOptions): ReturnType<typeof parseCounterModelText> | undefined {
  try {
    return o.counter === undefined ? undefined : parseCounterModelText(o.counter);
  } catch (e) {
    throw e instanceof AutomationError ? new CliError(`--counter: ${e.message}`, ExitCode.usage) : e;
  }
}

/** --profile, checked before the keystore is touched. */
function profile(o: ServeOptions): DeviceProfile | undefined {
  try {
    return o.profile === undefined ? undefined : profileNamed(o.profile);
  } catch (e) {
    throw new CliError(`--profile: ${(e as Error).message}`, ExitCode.usage);
  }
}

function openKey(o: ServeOptions, presence: PresencePolicy): OpenedKey {
  const counter = counterModel(o);
  const deviceProfile = profile(o);
  const where = o.memory ? 'memory (nothing is written)' : storePath(o);
  const created = !o.memory && !existsSync(where);
  if (!o.memory) ensureParentDir(where);
  const chain = suppliedChain(o);
  const faults = serveFaultRules(o.fault);
  try {
    const key = new VirtualAuthenticator({
      store: o.memory ? 'memory' : where,
      passphrase: o.memory ? undefined : passphrase(o),
      presence,
      allowReset: o.allowReset ? true : undefined,
      userVerification: o.uv as VerificationPolicy | undefined,
      aaguid: o.aaguid ?? chainAaguid(chain),
      rs256: o.rs256,
      attestation: o.attestation,
      enterpriseRpIds: o.enterpriseRp,
      attestationChain: chain,
      faults,
      onFault: (f) => log(`fault ${f.id} (${f.type}) on ${f.command}`),
      counterModel: counter,
      profile: deviceProfile,
      onExchange: o.verbose ? (req, res) => (log(describeRequest(req)), log(describeResponse(req, res))) : undefined,
      onApdu: o.verbose ? (apdu, res) => (log(describeApdu(apdu)), log(describeApduResponse(res))) : undefined,
    });
    // A keystore that cannot be written (a full disk) is not a bug: one line, no stack.
    key.authenticator.onInternalError = (e) => log(e instanceof KeystoreError
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

/** --pin: set it on a keystore with none; one that has this PIN just serves; another PIN is an error. */
function applyPin(key: VirtualAuthenticator, pin: string): void {
  if (key.authenticator.hasPin()) {
    if (key.authenticator.isPin(pin)) return;
    throw new CliError('the keystore has a different PIN; --pin must be that PIN (change it with `ctap-emu pin change`)');
  }
  try {
    key.authenticator.provisionPin(pin);
  } catch (e) {
    throw e instanceof CtapError ? new CliError(`--pin: ${e.detail ?? e.message}`) : e;
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
async function startControlApi(key: VirtualAuthenticator, o: ServeOptions): Promise<ControlServer | undefined> {
  if (o.control === undefined) {
    if (o.controlToken !== undefined) throw new CliError('--control-token-file needs --control', ExitCode.usage);
    if (o.conformance) throw new CliError('--conformance needs --control PORT (the conformance tools call http://localhost:3000)', ExitCode.usage);
    return undefined;
  }
  const listen = controlListen(o.control);
  if (o.conformance && 'path' in listen) throw new CliError('--conformance needs --control PORT: the conformance tools reach the key over TCP', ExitCode.usage);
  const conformance = o.conformance ? { onResults: (r: unknown) => log(`conformance tools: ${conformanceSummary(r)}`) } : undefined;
  const token = o.controlToken ?? newControlToken();
  let control: ControlServer;
  try {
    control = await startControl(key, { listen, token, conformance });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (e instanceof RangeError) throw new CliError(`--control-token-file: ${e.message}`, ExitCode.usage);
    throw new CliError(err.code === 'EADDRINUSE' ? `--control ${o.control} is in use` : `cannot start the control API on ${o.control}: ${err.message}`);
  }
  log(`control: ${control.url} ${o.controlToken === undefined ? `token=${token}` : '(token from --control-token-file)'}`);
  if (conformance) log(`conformance tools automation: ${control.url}/conformance/userpresence and /conformance/powercycle, without the token`);
  return control;
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
  if (!/^\d+$/.test(o.port) || port > 65535) throw new CliError(`--port must be 0-65535, got ${o.port}`, ExitCode.usage);
  const presence = presencePolicy(o.presence, o.control !== undefined);
  const { key, where, created } = openKey(o, presence);
  let transport: RunningTransport | undefined;
  let control: ControlServer | undefined;
  try {
    if (o.pin !== undefined) applyPin(key, o.pin);
    transport = await startTransport(key, o, port);
    control = await startControlApi(key, o);
  } catch (e) {
    await transport?.close();
    key.close();
    if (created) removeStore(where);
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
  if (o.fault?.length) log(`fault rules in force: ${key.listFaults().map((f) => `${f.id} ${f.command} ${f.fault.type}`).join(', ')}`);
  log(`ctap-emu: security key on ${transport.description}; ${o.profile ? `profile ${o.profile}; ` : ''}store ${where}; presence ${o.presence}${o.uv || key.authenticator.config.builtInUv ? `; built-in UV ${o.uv ?? 'match'}` : ''}${o.counter ? `; counter ${o.counter}` : ''}; ${resetNote(o, key)}`);
  log('Ctrl-C stops it. New here? `ctap-emu demo` runs a whole passkey ceremony in-process.');
  const signal = await stopped;
  await control?.close();
  await transport.close();
  key.close();
  log(`stopped (${signal})`);
  process.exitCode = ExitCode.ok;
}
