// Scriptable user presence and verification for the in-process key: approve, deny, time out,
// approve after a delay, or decide per request; a fingerprint that matches or not.
import type { PresenceRequest, PresenceResult, VerificationResult } from '../ctap2/env.js';

export type PresenceDecision = PresenceResult | boolean;
export type PresenceCallback = (request: PresenceRequest, signal: AbortSignal) => PresenceDecision | Promise<PresenceDecision>;
/** 'timeout': the user never touches, and the key gives up after presenceTimeoutMs. */
export type PresencePolicy = 'approve' | 'deny' | 'timeout' | { approveAfterMs: number } | PresenceCallback;

export type VerificationCallback = (
  request: PresenceRequest,
  signal: AbortSignal,
) => VerificationResult | boolean | Promise<VerificationResult | boolean>;
/** 'match' (the enrolled finger), 'nomatch' (someone else's), 'timeout', or a decision per request. */
export type VerificationPolicy = 'match' | 'nomatch' | 'timeout' | VerificationCallback;

/** The longest delay a policy can name (a timer's limit); the key gives up on a touch after 30 s anyway. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * A policy named in text, as `serve --presence` and the control API take it: approve, deny, timeout,
 * ask (the same as timeout: the user acts only when told to, through touch() / answer() or the
 * control API, else the key times out), or delay:MS (a touch MS milliseconds after the key asks).
 * Undefined for any other text.
 */
export function parsePresencePolicy(text: string): Exclude<PresencePolicy, PresenceCallback> | undefined {
  if (text === 'approve' || text === 'deny' || text === 'timeout') return text;
  if (text === 'ask') return 'timeout';
  const delay = /^delay:(\d{1,10})$/.exec(text);
  return delay && Number(delay[1]) <= MAX_DELAY_MS ? { approveAfterMs: Number(delay[1]) } : undefined;
}

/** A policy as that text ('callback' for a function). */
export function presencePolicyName(policy: PresencePolicy): string {
  if (typeof policy === 'function') return 'callback';
  return typeof policy === 'object' ? `delay:${policy.approveAfterMs}` : policy;
}

type Asker<R> = (request: PresenceRequest, signal: AbortSignal) => Promise<R>;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}

const SETTLED = Symbol('settled');

/** The key's own patience: a user who has not answered after `ms` has timed out. */
function withTimeout<R>(ask: Asker<R>, ms: number, timedOut: R): Asker<R> {
  return async (request, signal) => {
    const local = new AbortController();
    const onAbort = (): void => local.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      // The host may ask for a shorter wait than the key's own (bio enrollment's timeoutMilliseconds).
      const wait = request.timeoutMs !== undefined ? Math.min(ms, request.timeoutMs) : ms;
      return await Promise.race([ask(request, local.signal), sleep(wait, local.signal).then(() => timedOut)]);
    } finally {
      signal.removeEventListener('abort', onAbort);
      local.abort(SETTLED); // a reason of our own: abort() without one builds a DOMException (and its stack)
    }
  };
}

function presenceAsker(policy: PresencePolicy, allowReset: () => boolean): Asker<PresenceResult> {
  if (typeof policy === 'function') {
    // A person or a script answers each request, reset included: it decides for itself.
    return async (r, s) => {
      const d = await policy(r, s);
      return d === true ? 'approved' : d === false ? 'denied' : d;
    };
  }
  const now = instantPresence(policy, allowReset);
  if (now) return async (r) => now(r);
  if (typeof policy === 'object') {
    return async (r, s) => (refusesReset(r, allowReset) ? 'denied' : sleep(policy.approveAfterMs, s).then(() => 'approved' as const));
  }
  if (policy === 'timeout') return () => new Promise<PresenceResult>(() => undefined);
  throw new TypeError(`unknown presence policy ${String(policy)}`);
}

// Auto-approval approves no authenticatorReset unless allowed: anyone who can reach the key
// (the UDP reboot datagram opens the reset window) could otherwise wipe a persistent store.
const refusesReset = (r: PresenceRequest, allowReset: () => boolean): boolean => r.command === 'reset' && !allowReset();

/**
 * The answer of a policy that answers at once (approve, deny), given without a promise: the key
 * asks for a touch on every ceremony, and a wait it need not make costs it a sixth of a getAssertion.
 * Undefined for a policy that waits or decides per request.
 */
export function instantPresence(policy: PresencePolicy, allowReset: () => boolean = () => true): ((r: PresenceRequest) => PresenceResult) | undefined {
  if (policy === 'approve') return (r) => (refusesReset(r, allowReset) ? 'denied' : 'approved');
  if (policy === 'deny') return () => 'denied';
  return undefined;
}

/** The same for built-in verification: 'match' and 'nomatch' answer at once. */
export function instantVerification(policy: VerificationPolicy): (() => VerificationResult) | undefined {
  return policy === 'match' || policy === 'nomatch' ? () => policy : undefined;
}

/** `allowReset`: whether 'approve' and approveAfterMs approve authenticatorReset (asked each time). */
export function presenceFunction(policy: PresencePolicy, timeoutMs: number, allowReset: () => boolean = () => true): Asker<PresenceResult> {
  const ask = presenceAsker(policy, allowReset);
  // An answer that never waits needs no timer (and no AbortController per touch on the hot path).
  return instantPresence(policy) ? ask : withTimeout(ask, timeoutMs, 'timeout');
}

export function verificationFunction(policy: VerificationPolicy, timeoutMs: number): Asker<VerificationResult> {
  let ask: Asker<VerificationResult>;
  if (typeof policy === 'function') {
    ask = async (r, s) => {
      const d = await policy(r, s);
      return d === true ? 'match' : d === false ? 'nomatch' : d;
    };
  } else if (policy === 'timeout') ask = () => new Promise<VerificationResult>(() => undefined);
  else if (instantVerification(policy)) return async () => policy as VerificationResult; // instant: no timer
  else throw new TypeError(`unknown verification policy ${String(policy)}`);
  return withTimeout(ask, timeoutMs, 'timeout');
}
