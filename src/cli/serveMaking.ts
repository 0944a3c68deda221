// `serve`'s options that make a key (presence, UV, PIN, AAGUID, attestation, counter model,
// profile, faults), checked for every key before any keystore is touched; with --keys N each may
// be given once for all keys or once per key (serveKeys.ts perKey).
import { readFileSync } from 'node:fs';
import type { AttestationChain } from '../ctap2/env.js';
import { AttestationChainError, certificateAaguid, parseAttestationChain } from '../node/attestationChain.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { parsePresencePolicy, type PresencePolicy, type VerificationPolicy } from '../node/presencePolicy.js';
import { parseAaguid } from '../node/virtual.js';
import { CliError, ExitCode } from './errors.js';
import { terminalPresence } from './prompt.js';
import { oneOf, perKey } from './serveKeys.js';
import { parseAaguidOption } from './options.js';
import { serveFaultRules } from './faults.js';
import { parseCounterModelText } from '../node/automation/counterModels.js';
import { AutomationError } from '../node/automation/credentialJson.js';
import { profileNamed, type DeviceProfile } from '../node/profiles/index.js';
import { DEFAULT_PRESENCE } from './serveDefaults.js';


export interface KeyMakingOptions {
  /** approve, prompt, deny, delay:MS (a touch MS ms after the key asks), timeout or ask. */
  presence: string;
  /** Built-in UV: match or nomatch. */
  uv?: string;
  /** A PIN to set on a keystore that has none. */
  pin?: string;
  aaguid?: string;
  /** basic or self. */
  attestation?: string;
  /** The key's counter model, in text form (random-step:MAX:SEED). */
  counter?: string;
  /** The device profile (src/node/profiles). */
  profile?: string;
  attestationChain?: string;
  attestationKey?: string;
  /** The control API: a TCP port on 127.0.0.1, or unix:PATH. */
  control?: string;
  /** Fault rules (JSON), repeatable. */
  fault?: string[];
}

function presencePolicy(p: string, count: number, control: boolean): PresencePolicy {
  if (p === 'prompt') {
    if (!process.stdin.isTTY) throw new CliError('--presence prompt needs a terminal on stdin', ExitCode.usage);
    return terminalPresence();
  }
  // A key that never touches by itself is of use when the control API gives the touches, or
  // beside other keys (serve --keys): the one the user does not pick.
  if ((p === 'timeout' || p === 'ask') && !control && count === 1) {
    throw new CliError('--presence timeout needs --control: the touches then come only through it (ctl touch, --conformance)', ExitCode.usage);
  }
  const policy = parsePresencePolicy(p);
  if (policy) return policy;
  const timeout = count > 1 || control ? ', timeout' : '';
  throw new CliError(`--presence must be approve, prompt, deny${timeout} or delay:MS (MS a whole number of milliseconds), got "${p}"`, ExitCode.usage);
}

/** --attestation-chain and --attestation-key: both or neither, read before the keystore is touched. */
function suppliedChain(o: KeyMakingOptions, aaguids: (string | undefined)[]): AttestationChain | undefined {
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
    const other = named && aaguids.find((a) => a !== undefined && !equalBytes(parseAaguid(a)!, named));
    if (named && other) {
      throw new CliError(`--aaguid ${other} differs from the AAGUID the attestation certificate names (${toHex(named)}): leave --aaguid out`, ExitCode.usage);
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
export function chainAaguid(chain: AttestationChain | undefined): string | undefined {
  const named = chain && certificateAaguid(chain.certificates[0]!);
  return named && toHex(named);
}

/** --counter, checked before the keystore is touched. */
function counterModel(text: string | undefined): ReturnType<typeof parseCounterModelText> | undefined {
  try {
    return text === undefined ? undefined : parseCounterModelText(text);
  } catch (e) {
    throw e instanceof AutomationError ? new CliError(`--counter: ${e.message}`, ExitCode.usage) : e;
  }
}

/** --profile, checked before the keystore is touched. */
function profile(name: string | undefined): DeviceProfile | undefined {
  try {
    return name === undefined ? undefined : profileNamed(name);
  } catch (e) {
    throw new CliError(`--profile: ${(e as Error).message}`, ExitCode.usage);
  }
}

/** --aaguid (serve's takes a list: cli.ts checks each part), whole for one key. */
function aaguid(text: string | undefined): string | undefined {
  try {
    return text === undefined ? undefined : parseAaguidOption(text);
  } catch (e) {
    throw new CliError(`--aaguid: ${(e as Error).message}`, ExitCode.usage);
  }
}

/**
 * What a key is made with, checked for every key before any keystore is touched; the text forms
 * are the options' values for this key (serveKeys.ts perKey), as its start-up line names them.
 */
export interface KeyMaking {
  presence: string;
  policy: PresencePolicy;
  uv: VerificationPolicy | undefined;
  pin: string | undefined;
  aaguid: string | undefined;
  attestation: 'basic' | 'self' | undefined;
  counterText: string | undefined;
  counter: ReturnType<typeof parseCounterModelText> | undefined;
  profileName: string | undefined;
  profile: DeviceProfile | undefined;
  chain: AttestationChain | undefined;
  faults: unknown[] | undefined;
}

export function keyMakings(o: KeyMakingOptions, count: number): KeyMaking[] {
  const each = (flag: string, text: string | undefined): (string | undefined)[] => perKey(flag, text, count);
  const [uvs, pins, aaguids, attestations, counters, profiles] = [
    each('--uv', o.uv), each('--pin', o.pin), each('--aaguid', o.aaguid),
    each('--attestation', o.attestation), each('--counter', o.counter), each('--profile', o.profile),
  ];
  const made = each('--presence', o.presence).map((p = DEFAULT_PRESENCE, i) => ({
    presence: p, policy: presencePolicy(p, count, o.control !== undefined),
    uv: oneOf('--uv', uvs[i], ['match', 'nomatch'] as const), pin: pins[i], aaguid: aaguid(aaguids[i]),
    attestation: oneOf('--attestation', attestations[i], ['basic', 'self'] as const),
    counterText: counters[i], counter: counterModel(counters[i]), profileName: profiles[i], profile: profile(profiles[i]),
  }));
  const chain = suppliedChain(o, made.map((m) => m.aaguid));
  const faults = serveFaultRules(o.fault);
  return made.map((m) => ({ ...m, chain, faults }));
}
