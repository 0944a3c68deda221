// PIN and authenticatorConfig state that survives power cycles, kept in the store's meta table.
import { decodeCbor, encodeCbor, type CborMap } from '../../ctap/cbor.js';
import type { AuthenticatorEnv } from '../env.js';

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
}

const PIN_KEY = 'pin';
const SETTINGS_KEY = 'settings';
const UV_RETRIES_KEY = 'uvRetries';

function load(env: AuthenticatorEnv, key: string): CborMap | undefined {
  const raw = env.store.getMeta(key);
  return raw ? (decodeCbor(raw) as CborMap) : undefined;
}

export function loadPin(env: AuthenticatorEnv): PinRecord | undefined {
  const m = load(env, PIN_KEY);
  if (!m) return undefined;
  return {
    hash: m.get('hash') as Uint8Array,
    codePoints: m.get('codePoints') as number,
    retries: m.get('retries') as number,
    forceChange: m.get('forceChange') === true,
  };
}

export function savePin(env: AuthenticatorEnv, pin: PinRecord): void {
  env.store.setMeta(PIN_KEY, encodeCbor({ ...pin }));
}

export function loadSettings(env: AuthenticatorEnv, defaults: DeviceSettings): DeviceSettings {
  const m = load(env, SETTINGS_KEY);
  if (!m) return { ...defaults };
  return {
    alwaysUv: m.get('alwaysUv') === true,
    minPinLength: (m.get('minPinLength') as number | undefined) ?? defaults.minPinLength,
    minPinLengthRpIds: (m.get('minPinLengthRpIds') as string[] | undefined) ?? [],
    enterpriseAttestation: m.get('enterpriseAttestation') === true,
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
