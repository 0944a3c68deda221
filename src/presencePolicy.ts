// Scriptable user presence for the in-process key: approve, deny, time out, or decide per request.
import type { PresenceRequest, PresenceResult } from './ctap2/env.js';

export type PresenceDecision = PresenceResult | boolean;
export type PresenceCallback = (request: PresenceRequest, signal: AbortSignal) => PresenceDecision | Promise<PresenceDecision>;
export type PresencePolicy = 'approve' | 'deny' | 'timeout' | PresenceCallback;

function normalise(d: PresenceDecision): PresenceResult {
  if (d === true) return 'approved';
  if (d === false) return 'denied';
  return d;
}

export function presenceFunction(policy: PresencePolicy): (r: PresenceRequest, s: AbortSignal) => Promise<PresenceResult> {
  if (typeof policy === 'function') return async (r, s) => normalise(await policy(r, s));
  if (policy === 'approve') return async () => 'approved';
  if (policy === 'deny') return async () => 'denied';
  if (policy === 'timeout') return async () => 'timeout';
  throw new TypeError(`unknown presence policy ${String(policy)}`);
}
