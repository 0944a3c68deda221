// One assertion: count, authenticator data, signature, response map. Shared by getAssertion and
// getNextAssertion (CTAP 2.1 §6.2.2 steps 13-15, §6.3).
import type { CborEncodable } from '../ctap/cbor.js';
import { AuthDataFlag } from '../ctap/constants.js';
import { backupFlags, encodeAuthData } from './authData.js';
import { HMAC_SECRET, hmacSecretOutput } from './extensions/hmacSecret.js';
import { THIRD_PARTY_PAYMENT } from './extensions/thirdPartyPayment.js';
import type { BlobRequest, HmacSecretRequest, LocatedCredential } from './session.js';
import { CRED_BLOB, credBlobOutput } from './extensions/credBlob.js';
import type { CommandContext } from './context.js';
import { concatBytes } from '../util/bytes.js';
import { CtapError, Status } from '../ctap/status.js';
import { GetAssertionResponseKey } from '../ctap/keys.js';
import { faultedFlags, type SigningTarget } from './faults.js';
import { nextSignCount } from './signCount.js';

/** The signature counter for this use, stored before anything is signed with it. */
function signCountFor(ctx: CommandContext, cred: LocatedCredential): number {
  const next = nextSignCount(ctx, cred.id, cred.stored !== undefined);
  // Deleted while the user was being asked (another host's credentialManagement): nothing to sign with.
  if (next === undefined) throw new CtapError(Status.CTAP2_ERR_NO_CREDENTIALS, 'the credential is gone');
  if (cred.stored) cred.stored.signCount = next;
  return next;
}

export interface AssertionInput {
  /** For fault injection (faults.ts): which command answers, for which RP. */
  command: SigningTarget['command'];
  rpId: string;
  rpIdHash: Uint8Array;
  clientDataHash: Uint8Array;
  flags: number;
  /** Set for the first response of a discoverable-credential walk with more than one credential. */
  numberOfCredentials?: number;
  /** hmac-secret asked for in the request. */
  hmacSecret?: HmacSecretRequest;
  /** thirdPartyPayment asked for: the answer says whether the credential was made with it. */
  thirdPartyPayment?: boolean;
  /** getCredBlob and largeBlobKey asked for. */
  blobs?: BlobRequest;
}

export function assertionResponse(
  ctx: CommandContext,
  cred: LocatedCredential,
  input: AssertionInput,
): Map<number, CborEncodable> {
  const uv = (input.flags & AuthDataFlag.UV) !== 0;
  const extensions = new Map<string, CborEncodable>();
  if (input.hmacSecret && cred.hmacSecret) extensions.set(HMAC_SECRET, hmacSecretOutput(ctx, input.hmacSecret, cred.id, uv));
  if (input.thirdPartyPayment) extensions.set(THIRD_PARTY_PAYMENT, cred.thirdPartyPayment);
  if (input.blobs?.getCredBlob) extensions.set(CRED_BLOB, credBlobOutput(cred.stored));
  const fault = ctx.env.faults?.signing({ command: input.command, rpId: input.rpId, credentialId: cred.id });
  const authData = encodeAuthData({
    rpIdHash: fault?.rpIdHash ?? input.rpIdHash,
    // WebAuthn §6.1.3: BE and BS are the credential's own (a stored one's record; else the key's defaults).
    flags: faultedFlags(input.flags | backupFlags(cred.stored ?? ctx.config.defaultBackup), fault),
    signCount: signCountFor(ctx, cred),
    extensions,
  });
  const signature = ctx.crypto.sign(cred.alg, cred.privateKey, concatBytes(authData, input.clientDataHash));
  const K = GetAssertionResponseKey;
  const out = new Map<number, CborEncodable>([
    [K.credential, { id: cred.id, type: 'public-key' }],
    [K.authData, authData],
    [K.signature, signature],
  ]);
  if (cred.stored && cred.stored.discoverable !== false) {
    // Names identify the user: only returned after user verification (CTAP 2.1 §6.2.2, user).
    // A non-discoverable credential answers without the user, as the key's own sealed ones do.
    out.set(K.user, {
      id: cred.stored.userId,
      name: uv ? cred.stored.userName : undefined,
      displayName: uv ? cred.stored.userDisplayName : undefined,
    });
  }
  if (fault?.user === 'omit') out.delete(K.user);
  else if (fault?.user) out.set(K.user, { id: fault.user.id });
  if (input.numberOfCredentials !== undefined) out.set(K.numberOfCredentials, input.numberOfCredentials);
  // §12.3: the key is a top-level member, for the credentials that have one.
  if (input.blobs?.largeBlobKey && cred.stored?.largeBlobKey) out.set(K.largeBlobKey, cred.stored.largeBlobKey);
  return out;
}
