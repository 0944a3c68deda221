// Enrolled fingerprints (CTAP 2.1 §6.7): each template's ID and friendly name, kept in the store's
// meta table. Nothing of a finger is stored: the emulated sensor matches, or not, by policy.
import { decodeCbor, encodeCbor, type CborMap } from '../../ctap/cbor.js';
import type { AuthenticatorConfig, AuthenticatorEnv } from '../env.js';
import { equalBytes } from '../../util/bytes.js';
import { CtapError, Status } from '../../ctap/status.js';

export interface FingerprintTemplate {
  id: Uint8Array;
  name?: string;
}

/** How many fingers the sensor holds (a YubiKey Bio holds 5); enrollBegin beyond: FP_DATABASE_FULL. */
export const MAX_TEMPLATES = 5;

const KEY = 'fingerprints';

/** The enrolled templates; undefined when the key was never set up (no record, not even an empty one). */
export function loadTemplates(env: AuthenticatorEnv): FingerprintTemplate[] | undefined {
  const raw = env.store.getMeta(KEY);
  if (!raw) return undefined;
  const list = decodeCbor(raw);
  if (!Array.isArray(list)) return [];
  return list.flatMap((t) => {
    const id = t instanceof Map ? t.get('id') : undefined;
    if (!(id instanceof Uint8Array)) return [];
    const name = (t as CborMap).get('name');
    return [{ id, ...(typeof name === 'string' ? { name } : {}) }];
  });
}

export function saveTemplates(env: AuthenticatorEnv, templates: readonly FingerprintTemplate[]): void {
  env.store.setMeta(KEY, encodeCbor(templates.map((t) => ({ id: t.id, ...(t.name === undefined ? {} : { name: t.name }) }))));
}

/**
 * Room for one more finger: the enrolled ones, and a template ID (2 random bytes) none of them has.
 * A full sensor is FP_DATABASE_FULL.
 */
export function roomForFinger(env: AuthenticatorEnv): { templates: FingerprintTemplate[]; id: Uint8Array } {
  const templates = enrolledTemplates(env);
  if (templates.length >= MAX_TEMPLATES) throw new CtapError(Status.CTAP2_ERR_FP_DATABASE_FULL, `${MAX_TEMPLATES} fingers are enrolled already`);
  for (;;) {
    const id = env.randomBytes(2);
    if (!templates.some((t) => equalBytes(t.id, id))) return { templates, id };
  }
}

export const enrolledTemplates = (env: AuthenticatorEnv): FingerprintTemplate[] => loadTemplates(env) ?? [];

/**
 * Whether built-in user verification can verify anyone: a sensor is there and, on a key that enrolls
 * fingers over CTAP (config.bioEnrollment), at least one is enrolled (getInfo's uv option true).
 */
export function builtInUvReady(ctx: { config: AuthenticatorConfig; env: AuthenticatorEnv }): boolean {
  return ctx.config.builtInUv && (!ctx.config.bioEnrollment || enrolledTemplates(ctx.env).length > 0);
}
