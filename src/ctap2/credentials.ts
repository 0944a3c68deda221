// Finding and creating credentials: the store for discoverable ones, the sealed ID for the rest.
import type { StoredCredential } from '../keystore/types.js';
import type { CoseAlgorithm } from '../ctap/cose.js';
import { openCredentialId, sealCredentialId } from './credentialId.js';
import { generatePrivateKey, publicKeyOf, sign } from '../ctap/crypto.js';
import { credentialKey, type CommandContext, type LocatedCredential } from './state.js';

function fromStored(c: StoredCredential): LocatedCredential {
  return { id: c.id, alg: c.alg as CoseAlgorithm, privateKey: c.privateKey, credProtect: c.credProtect, stored: c };
}

/** The credential with this ID for this RP, or undefined when it is not this key's (or was deleted). */
export function locateCredential(
  ctx: CommandContext,
  rpId: string,
  rpIdHash: Uint8Array,
  id: Uint8Array,
): LocatedCredential | undefined {
  const stored = ctx.env.store.get(id);
  if (stored) return stored.rpId === rpId ? fromStored(stored) : undefined;
  const secret = openCredentialId(credentialKey(ctx.env), rpIdHash, id);
  // A discoverable credential lives only as long as the store holds it.
  if (!secret || secret.discoverable) return undefined;
  return { id, alg: secret.alg, privateKey: secret.privateKey, credProtect: secret.credProtect };
}

/** This RP's discoverable credentials, newest first (CTAP 2.1 §6.2.2 step 7). */
export function discoverableCredentials(ctx: CommandContext, rpId: string): LocatedCredential[] {
  return ctx.env.store.listByRp(rpId).map(fromStored);
}

export interface NewCredential {
  id: Uint8Array;
  alg: CoseAlgorithm;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

export function createCredential(
  ctx: CommandContext,
  alg: CoseAlgorithm,
  rpIdHash: Uint8Array,
  credProtect: number,
  discoverable: boolean,
): NewCredential {
  const privateKey = generatePrivateKey(alg, ctx.env.randomBytes(48));
  const id = sealCredentialId(credentialKey(ctx.env), ctx.env.randomBytes(12), rpIdHash, {
    alg,
    privateKey,
    credProtect,
    discoverable,
  });
  return { id, alg, privateKey, publicKey: publicKeyOf(alg, privateKey) };
}

/** A signature by a credential's key, with the environment's signer where it has one. */
export function signWith(ctx: CommandContext, alg: CoseAlgorithm, privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  return (ctx.env.sign ?? sign)(alg, privateKey, message);
}
