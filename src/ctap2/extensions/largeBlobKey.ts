// largeBlobKey extension (CTAP 2.1 §12.3): a 32-byte key kept with a discoverable credential, handed
// to the platform (top-level response member, not an authenticator data extension) to encrypt the
// credential's entry of the large-blob array (commands/largeBlobs.ts) with.
import type { CborValue } from '../../ctap/cbor.js';
import { asBool } from '../../ctap/params.js';
import { CtapError, Status } from '../../ctap/status.js';
import type { CommandContext } from '../context.js';

export const LARGE_BLOB_KEY = 'largeBlobKey';

/**
 * The input of makeCredential and getAssertion: only `true` is meaningful; the platform must not
 * send false (§12.3: CTAP2_ERR_INVALID_OPTION).
 */
export function parseLargeBlobKey(v: CborValue | undefined): boolean {
  if (v === undefined) return false;
  if (!asBool(v, 'extensions.largeBlobKey')) throw new CtapError(Status.CTAP2_ERR_INVALID_OPTION, 'largeBlobKey: false');
  return true;
}

/** makeCredential: whether a key is asked for; only a discoverable credential can have one (§12.3: CTAP2_ERR_INVALID_OPTION). */
export function parseLargeBlobKeyCreate(v: CborValue | undefined, rk: boolean): boolean {
  const requested = parseLargeBlobKey(v);
  if (requested && !rk) throw new CtapError(Status.CTAP2_ERR_INVALID_OPTION, 'largeBlobKey needs a discoverable credential');
  return requested;
}

/** A new credential's key: 32 random bytes, kept with it in the store. */
export function newLargeBlobKey(ctx: CommandContext): Uint8Array {
  return ctx.env.randomBytes(32);
}
