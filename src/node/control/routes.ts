// The control API's resources: each method and path of a running key, and the VirtualAuthenticator
// operation it runs. Bodies come in parsed; answers go out as JSON (undefined: 204 No Content).
import { AutomationError, parseCredentialJson, parseSignCount } from '../automation/credentialJson.js';
import { parsePresencePolicy } from '../presencePolicy.js';
import { checkSpec, parseCounterModelText, type CounterModelSpec } from '../automation/counterModels.js';
import { USER_ACTIONS, type UserAction, type VirtualAuthenticator } from '../virtual.js';
import { addFaults, FAULT_ROUTES } from './faults.js';

export interface ControlRequest {
  /** The path's variable parts (a credential ID). */
  params: string[];
  query: URLSearchParams;
  /** The JSON body, undefined when there was none. */
  body: unknown;
}

export interface ControlAnswer {
  status: number;
  body?: unknown;
}

type Handler = (key: VirtualAuthenticator, r: ControlRequest) => ControlAnswer;

const ok = (body: unknown): ControlAnswer => ({ status: 200, body });
const NO_CONTENT: ControlAnswer = { status: 204 };
const invalid = (message: string): AutomationError => new AutomationError('invalid', message);

/** The body as a JSON object, or a 400. */
function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the body must be a JSON object');
  return body as Record<string, unknown>;
}

const privateKeys = (r: ControlRequest): { includePrivateKeys: boolean } => ({ includePrivateKeys: r.query.get('includePrivateKeys') === 'true' });

/** POST /credentials: one credential, or an array of them, each checked before any is added. */
function addCredentials(key: VirtualAuthenticator, body: unknown): ControlAnswer {
  const list = Array.isArray(body) ? body : [object(body)];
  list.forEach((c) => parseCredentialJson(c, 0));
  const added = list.map((c) => key.addCredential(c));
  return { status: 201, body: Array.isArray(body) ? added : added[0] };
}

/**
 * PATCH /credentials/:id: { signCount?, user?: { name?, displayName? } }. A name given replaces the
 * old one, null removes it, one left out stays.
 */
function patchCredential(key: VirtualAuthenticator, id: string, body: unknown): ControlAnswer {
  const current = key.getCredential(id); // a 404 before anything else
  const o = object(body);
  if (o.signCount === undefined && o.user === undefined) throw invalid('give signCount or user');
  // Both checked before either is applied: a refused request changes nothing.
  const signCount = o.signCount === undefined ? undefined : parseSignCount(o.signCount);
  const user = o.user === undefined ? undefined : object(o.user);
  const names = { name: current.userName, displayName: current.userDisplayName };
  for (const k of ['name', 'displayName'] as const) {
    const v = user?.[k];
    if (v !== undefined && v !== null && typeof v !== 'string') throw invalid(`user.${k} must be a string or null`);
    if (user && k in user) names[k] = v ?? undefined;
  }
  if (user) key.setUser(id, names);
  if (signCount !== undefined) key.setSignCount(id, signCount);
  return ok(key.getCredential(id));
}

function setPresence(key: VirtualAuthenticator, body: unknown): ControlAnswer {
  const text = object(body).policy;
  const policy = typeof text === 'string' ? parsePresencePolicy(text) : undefined;
  if (!policy) throw invalid('policy must be approve, deny, timeout or delay:MS');
  key.setPresence(policy);
  return ok({ presence: key.info().presence });
}

/** The user's answer to what the key waits for now (approve, deny, verify, fail-verification, timeout). */
function answer(key: VirtualAuthenticator, body: unknown): ControlAnswer {
  const action = object(body).action;
  if (typeof action !== 'string' || !(USER_ACTIONS as readonly string[]).includes(action)) {
    throw invalid(`action must be one of ${USER_ACTIONS.join(', ')}`);
  }
  const answered = key.answer(action as UserAction);
  return ok({ answered, pending: key.pendingActions() });
}

function setUserVerified(key: VirtualAuthenticator, body: unknown): ControlAnswer {
  const verified = object(body).verified;
  if (typeof verified !== 'boolean') throw invalid('verified must be true or false');
  key.setUserVerified(verified);
  return ok({ userVerified: verified });
}

/** PUT .../counter-model: { model, maxStep?, seed? }, or the text form in model ("random-step:16:7"). */
function counterModel(key: VirtualAuthenticator, body: unknown, id?: string): ControlAnswer {
  const o = object(body);
  const text = typeof o.model === 'string' && o.model.includes(':') && o.maxStep === undefined && o.seed === undefined;
  const spec: CounterModelSpec = text ? parseCounterModelText(o.model as string) : checkSpec(o);
  key.setCounterModel(spec, id);
  const info = key.info();
  return ok(id === undefined ? { counterModel: info.counterModel } : { credentialId: id, counterModel: info.credentialCounterModels[id] });
}

/** Path patterns (one variable segment: [^/]+) and their handlers by method. */
export const ROUTES: [RegExp, Partial<Record<string, Handler>>][] = [
  [/^\/key$/, { GET: (key) => ok(key.info()) }],
  [/^\/key\/power-cycle$/, { POST: (key) => (key.powerCycle(), NO_CONTENT) }],
  [/^\/key\/reset$/, { POST: (key) => (key.reset(), NO_CONTENT) }],
  [/^\/credentials$/, {
    GET: (key, r) => ok(key.getCredentials(privateKeys(r))),
    POST: (key, r) => addCredentials(key, r.body),
    DELETE: (key) => ok({ removed: key.removeAllCredentials() }),
  }],
  [/^\/credentials\/([^/]+)$/, {
    GET: (key, r) => ok(key.getCredential(r.params[0]!, privateKeys(r))),
    PATCH: (key, r) => patchCredential(key, r.params[0]!, r.body),
    DELETE: (key, r) => (key.removeCredential(r.params[0]!), NO_CONTENT),
  }],
  // WebAuthn Automation's Set Credential Properties (its WebDriver path ends in /props too).
  [/^\/credentials\/([^/]+)\/props$/, { POST: (key, r) => ok(key.setCredentialProperties(r.params[0]!, object(r.body))) }],
  [/^\/counter-model$/, { PUT: (key, r) => counterModel(key, r.body) }],
  [/^\/credentials\/([^/]+)\/counter-model$/, {
    PUT: (key, r) => counterModel(key, r.body, r.params[0]!),
    DELETE: (key, r) => (key.clearCounterModel(r.params[0]!), NO_CONTENT),
  }],
  [/^\/uv$/, { POST: (key, r) => setUserVerified(key, r.body) }],
  [/^\/presence$/, { POST: (key, r) => setPresence(key, r.body) }],
  [/^\/presence\/touch$/, { POST: (key) => ok({ touch: key.touch() }) }],
  [/^\/pending$/, { GET: (key) => ok({ pending: key.pendingActions() }), POST: (key, r) => answer(key, r.body) }],
  [/^\/faults$/, { GET: FAULT_ROUTES.list, POST: (key, r) => addFaults(key, r.body), DELETE: FAULT_ROUTES.clear }],
  [/^\/faults\/([^/]+)$/, { DELETE: (key, r) => FAULT_ROUTES.remove(key, r.params[0]!) }],
];
