// PIN and authenticatorConfig state that survives power cycles, kept in the store's meta table.
import { decodeCbor, encodeCbor, type CborMap } from '../../ctap/cbor.js';
import type { AuthenticatorEnv, KeyStore } from '../env.js';
import { equalBytes } from '../../util/bytes.js';

/** What reading and writing the PIN takes: the store, and the key store that seals its hash. */
export interface PinHolder {
  env: AuthenticatorEnv;
  keys: KeyStore;
}

export const PIN_RETRIES_MAX = 8;

export interface PinRecord {
  /** LEFT(SHA-256(PIN), 16) (CTAP 2.1 §6.5.5.5). */
  hash: Uint8Array;
  /** The PIN's length in Unicode code points, checked against a raised minimum. */
  codePoints: number;
  retries: number;
  forceChange: boolean;
}

export interface DeviceSettings {
  alwaysUv: boolean;
  minPinLength: number;
  minPinLengthRpIds: string[];
  enterpriseAttestation: boolean;
  /** Reset asks for a 10-second touch (CTAP 2.3 enableLongTouchForReset). */
  longTouchForReset: boolean;
}

const PIN_KEY = 'pin';
const SETTINGS_KEY = 'settings';
const UV_RETRIES_KEY = 'uvRetries';

function load(env: AuthenticatorEnv, key: string): CborMap | undefined {
  const raw = env.store.getMeta(key);
  return raw ? (decodeCbor(raw) as CborMap) : undefined;
}

/**
 * The PIN record; its hash is stored sealed under a device key. A record from before sealing holds
 * the hash in the clear (`hash`); it is sealed at the next save.
 */
/**
 * The sealed hash each loaded record came from, with the hash it opened to: saving the record with
 * the same hash (a retry counter going down and back up on every PIN entry) writes the same sealed
 * bytes again instead of sealing anew.
 */
const sealedOf = new WeakMap<PinRecord, { sealed: Uint8Array; hash: Uint8Array }>();

export function loadPin(d: PinHolder): PinRecord | undefined {
  const m = load(d.env, PIN_KEY);
  if (!m) return undefined;
  const sealed = m.get('sealedHash');
  const hash = sealed instanceof Uint8Array ? d.keys.openPinHash(sealed) : (m.get('hash') as Uint8Array | undefined);
  // A hash that does not open (a store moved to another master secret) can never match: no PIN retries help.
  const pin = {
    hash: hash ?? new Uint8Array(16),
    codePoints: m.get('codePoints') as number,
    retries: m.get('retries') as number,
    forceChange: m.get('forceChange') === true,
  };
  if (sealed instanceof Uint8Array && hash) sealedOf.set(pin, { sealed, hash: hash.slice() });
  return pin;
}

export function savePin(d: PinHolder, pin: PinRecord): void {
  const { hash, ...rest } = pin;
  const loaded = sealedOf.get(pin);
  const sealedHash = loaded && equalBytes(loaded.hash, hash) ? loaded.sealed : d.keys.sealPinHash(hash);
  d.env.store.setMeta(PIN_KEY, encodeCbor({ ...rest, sealedHash }));
}

export function loadSettings(env: AuthenticatorEnv, defaults: DeviceSettings): DeviceSettings {
  const m = load(env, SETTINGS_KEY);
  if (!m) return { ...defaults };
  return {
    alwaysUv: m.get('alwaysUv') === true,
    minPinLength: (m.get('minPinLength') as number | undefined) ?? defaults.minPinLength,
    minPinLengthRpIds: (m.get('minPinLengthRpIds') as string[] | undefined) ?? [],
    enterpriseAttestation: m.get('enterpriseAttestation') === true,
    longTouchForReset: m.get('longTouchForReset') === true,
  };
}

export function saveSettings(env: AuthenticatorEnv, s: DeviceSettings): void {
  env.store.setMeta(SETTINGS_KEY, encodeCbor({ ...s }));
}

export function loadUvRetries(env: AuthenticatorEnv, max: number): number {
  const raw = env.store.getMeta(UV_RETRIES_KEY);
  return raw ? raw[0]! : max;
}

export function saveUvRetries(env: AuthenticatorEnv, n: number): void {
  env.store.setMeta(UV_RETRIES_KEY, new Uint8Array([n]));
}

/** A count kept in the store's meta table as 4 bytes, big-endian (0 when absent or malformed). */
export function loadCount(env: AuthenticatorEnv, key: string): number {
  const raw = env.store.getMeta(key);
  return raw?.length === 4 ? new DataView(raw.buffer, raw.byteOffset).getUint32(0) : 0;
}

export function saveCount(env: AuthenticatorEnv, key: string, n: number): void {
  const raw = new Uint8Array(4);
  new DataView(raw.buffer).setUint32(0, n);
  env.store.setMeta(key, raw);
}
