// Counter models chosen at run time: one for the key, and any credential's own. Text form
// (serve --counter, ctl counter): per-credential, global, zero, random-step[:MAX[:SEED]], wrap, rollback.
import { COUNTER_MODELS, PER_CREDENTIAL, seededSteps, type CounterModel, type CounterModelName } from '../../ctap2/counterModel.js';
import { toBase64url } from '../../util/bytes.js';
import { AutomationError } from './credentialJson.js';

/** A model as the API takes it: a name, and random-step's largest step and seed. */
export interface CounterModelSpec {
  model: CounterModelName;
  /** random-step: increments are 1..maxStep (default 16). */
  maxStep?: number;
  /** random-step: the same seed gives the same steps (default 1). */
  seed?: number;
}

const invalid = (message: string): AutomationError => new AutomationError('invalid', message);
const NAMES = COUNTER_MODELS.join(', ');

/** `random-step:16:7`, `zero`... to a spec (AutomationError 'invalid' otherwise). */
export function parseCounterModelText(text: string): CounterModelSpec {
  const [name, max, seed, ...rest] = text.split(':');
  const spec = { model: name, maxStep: max === undefined ? undefined : Number(max), seed: seed === undefined ? undefined : Number(seed) };
  if (rest.length > 0 || (name !== 'random-step' && max !== undefined)) throw invalid(`a counter model is one of ${NAMES} (random-step[:MAX[:SEED]]), got "${text}"`);
  return checkSpec(spec);
}

/** A spec from JSON ({ model, maxStep?, seed? }), checked. */
export function checkSpec(value: unknown): CounterModelSpec {
  const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof o.model !== 'string' || !(COUNTER_MODELS as readonly string[]).includes(o.model)) throw invalid(`model: a counter model is one of ${NAMES}`);
  const whole = (v: unknown, what: string, min: number, max: number): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalid(`${what} must be a whole number from ${min} to ${max}`);
    return v;
  };
  const maxStep = whole(o.maxStep, 'maxStep', 1, 65_536);
  const seed = whole(o.seed, 'seed', 0, 0xffffffff);
  if (o.model !== 'random-step' && (maxStep !== undefined || seed !== undefined)) throw invalid('maxStep and seed go with random-step only');
  return { model: o.model as CounterModelName, maxStep, seed };
}

function modelOf(spec: CounterModelSpec): CounterModel {
  if (spec.model !== 'random-step') return { name: spec.model } as CounterModel;
  const maxStep = spec.maxStep ?? 16;
  const seed = spec.seed ?? 1;
  return { name: 'random-step', maxStep, seed, steps: seededSteps(seed, maxStep) };
}

/** A model's text form (what GET /key shows). */
export function counterModelText(m: CounterModel): string {
  return m.name === 'random-step' ? `random-step:${m.maxStep}:${m.seed}` : m.name;
}

/** The key's model and the credentials' own; what env.counterModel answers the core. */
export class CounterModels {
  private key: CounterModel = PER_CREDENTIAL;
  private readonly own = new Map<string, CounterModel>();

  /** The model of a credential's next use: its own, else the key's. */
  readonly modelFor = (credentialId: Uint8Array): CounterModel =>
    (this.own.size === 0 ? undefined : this.own.get(toBase64url(credentialId))) ?? this.key; // no ID encoded per signature when none has its own

  /** The key's model, or (with a credential ID) one credential's, from now on; random-step starts its sequence anew. */
  set(spec: CounterModelSpec, credentialId?: Uint8Array): void {
    const model = modelOf(checkSpec(spec));
    if (credentialId) this.own.set(toBase64url(credentialId), model);
    else this.key = model;
  }

  /** A credential goes back to the key's model. */
  clear(credentialId: Uint8Array): void {
    this.own.delete(toBase64url(credentialId));
  }

  keyModel(): string {
    return counterModelText(this.key);
  }

  /** The credentials with a model of their own, by base64url ID. */
  ownModels(): Record<string, string> {
    return Object.fromEntries([...this.own].map(([id, m]) => [id, counterModelText(m)]));
  }
}
