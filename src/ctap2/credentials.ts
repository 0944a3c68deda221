// Finding and creating credentials: the store for discoverable ones, the sealed ID for the rest.
import type { CredentialPosition, StoredCredential } from '../keystore/types.js';
import { discoverableLevel } from './extensions/credProtect.js';
import type { CoseAlgorithm } from '../ctap/cose.js';
import { seedLength } from '../ctap/crypto.js';
import type { CommandContext } from './context.js';
import type { LocatedCredential } from './session.js';

/** Random IDs of discoverable credentials: nothing sealed inside, the store holds the key. */
const DISCOVERABLE_ID_LENGTH = 32;

function fromStored(c: StoredCredential): LocatedCredential {
  return {
    id: c.id, alg: c.alg as CoseAlgorithm, privateKey: c.privateKey, credProtect: c.credProtect, hmacSecret: c.hmacSecret,
    thirdPartyPayment: c.thirdPartyPayment === true, stored: c,
  };
}

/** The credential with this ID for this RP, or undefined when it is not this key's (or was deleted). */
export function locateCredential(ctx: CommandContext, rpId: string, rpIdHash: Uint8Array, id: Uint8Array): LocatedCredential | undefined {
  const stored = ctx.env.store.get(id);
  if (stored) return stored.rpId === rpId ? fromStored(stored) : undefined;
  const secret = ctx.keys.openCredentialId(rpIdHash, id);
  // Earlier versions sealed discoverable credentials too: those live only as long as the store holds them.
  if (!secret || secret.discoverable) return undefined;
  return {
    id, alg: secret.alg, privateKey: secret.privateKey, credProtect: secret.credProtect, hmacSecret: secret.hmacSecret,
    thirdPartyPayment: secret.thirdPartyPayment === true,
  };
}

/**
 * This RP's discoverable credentials that a getAssertion with or without uv may find (CTAP 2.1
 * §6.2.2 step 7), newest first: how many, and the one after `after` (the newest without it). The
 * store answers both from an index, so a walk never holds the RP's list or its unsealed keys.
 */
export function countDiscoverable(ctx: CommandContext, rpId: string, uv: boolean): number {
  return ctx.env.store.countByRp(rpId, { maxCredProtect: discoverableLevel(uv) });
}

export function nextDiscoverable(ctx: CommandContext, rpId: string, uv: boolean, after?: CredentialPosition): LocatedCredential | undefined {
  const [c] = ctx.env.store.pageByRp(rpId, { maxCredProtect: discoverableLevel(uv), after, limit: 1 });
  return c && fromStored(c);
}

export interface NewCredential {
  id: Uint8Array;
  alg: CoseAlgorithm;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

export interface CredentialOptions {
  alg: CoseAlgorithm;
  rpIdHash: Uint8Array;
  credProtect: number;
  hmacSecret: boolean;
  thirdPartyPayment: boolean;
  discoverable: boolean;
}

/** A new key pair and its ID: random for a discoverable credential, the sealed key otherwise. */
export function createCredential(ctx: CommandContext, o: CredentialOptions): NewCredential {
  const privateKey = ctx.crypto.generatePrivateKey(o.alg, ctx.env.randomBytes(seedLength(o.alg)));
  const id = o.discoverable
    ? ctx.env.randomBytes(DISCOVERABLE_ID_LENGTH)
    : ctx.keys.sealCredentialId(o.rpIdHash, {
      alg: o.alg, privateKey, credProtect: o.credProtect, hmacSecret: o.hmacSecret, thirdPartyPayment: o.thirdPartyPayment,
    });
  return { id, alg: o.alg, privateKey, publicKey: ctx.crypto.publicKeyOf(o.alg, privateKey) };
}
