// Checks and fills option values before any command runs: where secrets come from (the command
// line, a file, the environment), which options exclude each other, and option formats.
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_UDP_HOST, DEFAULT_UDP_PORT } from '../hid/udp.js';
import { CliError, ExitCode } from './errors.js';

/**
 * Secrets given as values are visible to every local user (ps, /proc/PID/cmdline): each can also
 * come from a file, and some from the environment. `env` applies only where the option is the
 * secret the key already has (not where it sets one).
 */
const SECRETS = [
  { option: 'passphrase', flag: '--passphrase', file: 'passphraseFile', env: 'CTAP_EMU_PASSPHRASE' },
  { option: 'pin', flag: '--pin', file: 'pinFile', env: 'CTAP_EMU_PIN' },
  { option: 'newPin', flag: '--new-pin', file: 'newPinFile', env: undefined },
  { option: 'token', flag: '--token', file: 'tokenFile', env: 'CTAP_EMU_TOKEN' },
  { option: 'controlToken', flag: '--control-token', file: 'controlTokenFile', env: undefined },
] as const;

/** Commands whose --pin sets a PIN rather than enters one: the environment does not fill it. */
const PIN_SETTERS = new Set(['serve']);

/** A secret file's contents without its final newline (what `echo secret > file` writes). */
export function readSecretFile(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`${flag}-file: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw new CliError(`${flag}-file: ${path} is empty`, ExitCode.usage);
  return value;
}

function fillSecrets(cmd: Command): void {
  const o = cmd.opts();
  for (const s of SECRETS) {
    const given = o[s.option] !== undefined && cmd.getOptionValueSource(s.option) !== 'default';
    if (o[s.file] !== undefined) {
      if (given) throw new CliError(`give ${s.flag} or ${s.flag}-file, not both`, ExitCode.usage);
      cmd.setOptionValueWithSource(s.option, readSecretFile(o[s.file] as string, s.flag), 'cli');
    } else if (!given && s.env && process.env[s.env] && (s.option !== 'pin' || !PIN_SETTERS.has(cmd.name()))) {
      if (cmd.options.some((opt) => opt.attributeName() === s.option)) cmd.setOptionValueWithSource(s.option, process.env[s.env], 'env');
    }
  }
}

function checkExclusions(cmd: Command): void {
  const o = cmd.opts();
  if (o.store !== undefined && o.memory) throw new CliError('give --store or --memory, not both', ExitCode.usage);
  for (const other of ['udp', 'device'] as const) {
    if (o.store !== undefined && o[other] !== undefined) {
      throw new CliError(`give --store or --${other}, not both (--${other} talks to a running key, which has its own keystore)`, ExitCode.usage);
    }
  }
  if (o.udp !== undefined && o.device !== undefined) throw new CliError('give --udp or --device, not both', ExitCode.usage);
  // A bare --udp is the default port, as the help says.
  if (o.udp === true) cmd.setOptionValue('udp', `${DEFAULT_UDP_HOST}:${DEFAULT_UDP_PORT}`);
}

/** preAction hook: runs on the command about to act. */
export function prepareOptions(cmd: Command): void {
  checkExclusions(cmd);
  fillSecrets(cmd);
}

/** --aaguid: 32 hex digits, dashes allowed; commander names the option in its usage error. */
export function parseAaguidOption(value: string): string {
  if (!/^[0-9a-f]{32}$/i.test(value.replace(/-/g, ''))) throw new InvalidArgumentError('an AAGUID is 32 hex digits (dashes allowed)');
  return value;
}

/** serve --aaguid: one AAGUID, or one per key comma-separated (an empty place: that key's default). */
export function parseAaguidListOption(value: string): string {
  const parts = value.split(',');
  for (const part of parts) if (part !== '' || parts.length === 1) parseAaguidOption(part);
  return value;
}
