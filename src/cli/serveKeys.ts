// `serve --keys N`: what differs per key — its keystore file, the options given per key (presence,
// UV, PIN, profile...), its place on the transport (a UDP port, a uhid device with a name and serial of its own).
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MAX_KEYS } from '../node/keys.js';
import type { UhidOptions } from '../hid/uhid.js';
import { CliError, ExitCode } from './errors.js';
import { defaultStorePath } from './paths.js';

/** --keys N: 1 to MAX_KEYS. */
export function keyCount(text: string | undefined): number {
  if (text === undefined) return 1;
  const n = Number(text);
  if (!/^\d{1,2}$/.test(text) || n < 1 || n > MAX_KEYS) throw new CliError(`--keys must be 1-${MAX_KEYS}, got "${text}"`, ExitCode.usage);
  return n;
}

const PLACEHOLDER = '{n}';

/**
 * Key i's keystore file. One key: --store as given ({n} becomes 0). Several: --store is a pattern
 * with {n} (keystore-{n}.sqlite) or a directory (DIR/keystore-{n}.sqlite); without --store, the
 * default keystore's directory holds keystore-0.sqlite, keystore-1.sqlite...
 */
export function keyStorePath(store: string | undefined, index: number, count: number): string {
  const pattern = storePattern(store, count);
  return pattern.split(PLACEHOLDER).join(String(index));
}

function storePattern(store: string | undefined, count: number): string {
  if (store === undefined) return count === 1 ? defaultStorePath() : join(dirname(defaultStorePath()), `keystore-${PLACEHOLDER}.sqlite`);
  if (store.includes(PLACEHOLDER)) return store;
  const isDir = store.endsWith('/') || (existsSync(store) && statSync(store).isDirectory());
  if (isDir) return join(store, `keystore-${PLACEHOLDER}.sqlite`);
  if (count === 1) return store;
  throw new CliError(`--keys ${count} needs a keystore per key: --store DIR/ or a name with {n} (--store keystore-{n}.sqlite), or --memory`, ExitCode.usage);
}

/**
 * An option that may differ from key to key: one value for every key, or one per key
 * comma-separated (`--presence approve,timeout`); an empty place leaves that key at the option's
 * default (`--pin 1234,`: a PIN on key 0 only). One key takes the value whole (a PIN may hold a comma).
 */
export function perKey(flag: string, text: string | undefined, count: number): (string | undefined)[] {
  const parts = text === undefined || count === 1 ? [text] : text.split(',');
  if (parts.length === 1) return Array.from({ length: count }, () => text);
  if (parts.length !== count) throw new CliError(`${flag} names ${parts.length} values for ${count} keys: give one, or one per key (comma-separated)`, ExitCode.usage);
  return parts.map((p) => (p === '' ? undefined : p));
}

/** A per-key value that must be one of `choices` (--uv, --attestation), or absent. */
export function oneOf<T extends string>(flag: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined || (choices as readonly string[]).includes(value)) return value as T | undefined;
  throw new CliError(`${flag} must be ${choices.join(' or ')}, got "${value}"`, ExitCode.usage);
}

/** Key i's UDP port: consecutive from --port (0: each any free port). */
export function keyPort(port: number, index: number, count: number): number {
  if (port !== 0 && port + count - 1 > 65535) throw new CliError(`--port ${port} with --keys ${count} runs past 65535`, ExitCode.usage);
  return port === 0 ? 0 : port + index;
}

/** A uhid device per key, told apart by hosts (fido2-token -L, browsers) by its name and serial. */
export function keyUhid(index: number, count: number): Omit<UhidOptions, 'onReport'> {
  if (count === 1) return {};
  return { name: `ctap-emu FIDO2 security key ${index}`, serial: `ctap-emu-${index}` };
}
