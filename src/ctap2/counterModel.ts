// Signature counter models (WebAuthn L3 §6.1.1): how the next counter follows the last one given.
// Pure: the model a credential uses comes from the environment (env.counterModel), switchable at run time.
import { countAfter, MAX_COUNT } from '../keystore/reservedCounters.js';
import { mulberry32 } from '../util/prng.js';

/** The models a key can count with; 'per-credential' is a hardware key's (and the default). */
export const COUNTER_MODELS = ['per-credential', 'global', 'zero', 'random-step', 'wrap', 'rollback'] as const;
export type CounterModelName = (typeof COUNTER_MODELS)[number];

export type CounterModel =
  /** Each credential its own counter, one up per use, stopping at 2^32 - 1 (crash-safe: store reservations). */
  | { name: 'per-credential' }
  /** One counter for every credential of the key (as many U2F keys and the non-discoverable ones here). */
  | { name: 'global' }
  /** Always 0: no counter, as passkey providers (synced passkeys) send. */
  | { name: 'zero' }
  /** Up by 1..maxStep each use, from a seeded sequence (a key that counts other things too). */
  | { name: 'random-step'; maxStep: number; seed: number; steps: () => number }
  /** One up per use, from 2^32 - 1 to 0: the counter overflows (the only model that does). */
  | { name: 'wrap' }
  /** Each use answers one below the last given (stopping at 0), as a cloned key behind the original would. */
  | { name: 'rollback' };

export const PER_CREDENTIAL: CounterModel = { name: 'per-credential' };

/** randomStep's increments: 1..maxStep from mulberry32, the same for the same seed. */
export function seededSteps(seed: number, maxStep: number): () => number {
  if (!Number.isInteger(maxStep) || maxStep < 1 || maxStep > 65_536) throw new RangeError('maxStep must be 1 to 65536');
  const next = mulberry32(seed);
  return () => 1 + Math.floor(next() * maxStep);
}

/** The counter a model answers after `last` (the last value given for the credential, or the key). */
export function countUnder(model: CounterModel, last: number): number {
  switch (model.name) {
    case 'per-credential':
    case 'global':
      return countAfter(last);
    case 'zero':
      return 0;
    case 'random-step':
      return Math.min(last + model.steps(), MAX_COUNT);
    case 'wrap':
      return last >= MAX_COUNT ? 0 : last + 1;
    case 'rollback':
      return Math.max(last - 1, 0);
  }
}
