// What a scenario script says to the engine, checked once when Artillery compiles the scenario, so a
// typo fails the run at its start with the step named, not as thousands of failed ceremonies.
import type { VirtualAuthenticatorOptions } from '../node/virtual.js';

/** The engine's name in `config.engines` and `scenarios[].engine` (package artillery-engine-ctap-emu). */
export const ENGINE_NAME = 'ctap-emu';

export const CEREMONIES = ['register', 'authenticate'] as const;
export type CeremonyKind = (typeof CEREMONIES)[number];

/** `config.engines.ctap-emu` */
export interface EngineConfig {
  /** The page's origin the WebAuthn client claims (default: the target's origin). */
  origin?: string;
  /** Options of each virtual user's key (a new in-memory VirtualAuthenticator per virtual user). */
  key: Omit<VirtualAuthenticatorOptions, 'store' | 'passphrase'>;
  /** Time-out of each HTTP request to the RP, ms (default 10 000). */
  timeoutMs: number;
}

/** A `register` or `authenticate` step of a flow. */
export interface CeremonyStep {
  kind: CeremonyKind;
  /** POSTed `json`; answers the creation / request options (or `{ publicKey: options }`). */
  optionsUrl: string;
  /** POSTed the credential's JSON; answers 2xx, and `{ verified: false }` counts as a failure. */
  verifyUrl: string;
  json: unknown;
  headers: Record<string, string>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(where: string, what: string): never {
  throw new Error(`ctap-emu engine: ${where}: ${what}`);
}

export function parseEngineConfig(raw: unknown): EngineConfig {
  const where = `config.engines.${ENGINE_NAME}`;
  if (raw === undefined || raw === null) raw = {};
  if (!isObject(raw)) fail(where, 'must be a map');
  const known = ['origin', 'key', 'timeout'];
  for (const k of Object.keys(raw)) if (!known.includes(k)) fail(where, `unknown member "${k}" (known: ${known.join(', ')})`);
  const { origin, key = {}, timeout = 10 } = raw;
  if (origin !== undefined && (typeof origin !== 'string' || !URL.canParse(origin))) fail(`${where}.origin`, 'must be a URL such as https://example.com');
  if (!isObject(key)) fail(`${where}.key`, 'must be a map of VirtualAuthenticator options');
  for (const k of ['store', 'passphrase']) if (k in key) fail(`${where}.key.${k}`, 'each virtual user has a key of its own in memory: no store');
  if (typeof timeout !== 'number' || !(timeout > 0)) fail(`${where}.timeout`, 'must be a number of seconds > 0');
  return { origin: origin as string | undefined, key: key as EngineConfig['key'], timeoutMs: timeout * 1000 };
}

/** The ceremony a flow step names, or undefined when it names none (think, loop, log). */
export function parseCeremonyStep(step: Record<string, unknown>, index: number): CeremonyStep | undefined {
  const kind = CEREMONIES.find((c) => c in step);
  if (!kind) return undefined;
  const where = `flow[${index}].${kind}`;
  const spec = step[kind];
  if (!isObject(spec)) fail(where, 'must be a map with optionsUrl and verifyUrl');
  const known = ['optionsUrl', 'verifyUrl', 'json', 'headers'];
  for (const k of Object.keys(spec)) if (!known.includes(k)) fail(where, `unknown member "${k}" (known: ${known.join(', ')})`);
  const { optionsUrl, verifyUrl, json = {}, headers = {} } = spec;
  if (typeof optionsUrl !== 'string' || !optionsUrl) fail(`${where}.optionsUrl`, 'must be a URL or a path on the target');
  if (typeof verifyUrl !== 'string' || !verifyUrl) fail(`${where}.verifyUrl`, 'must be a URL or a path on the target');
  if (!isObject(headers) || !Object.values(headers).every((v) => typeof v === 'string')) fail(`${where}.headers`, 'must map names to strings');
  return { kind, optionsUrl, verifyUrl, json, headers: headers as Record<string, string> };
}
