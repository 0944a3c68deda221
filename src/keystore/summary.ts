// A stored credential as a listing shows it (CredentialSummary): its secrets left behind. Every
// field is named, so a secret added to StoredCredential later cannot slip into a listing unseen.
import type { CredentialSummary, StoredCredential } from './types.js';

export function summaryOf(c: StoredCredential): CredentialSummary {
  return {
    id: new Uint8Array(c.id),
    rpId: c.rpId,
    rpName: c.rpName,
    userId: new Uint8Array(c.userId),
    userName: c.userName,
    userDisplayName: c.userDisplayName,
    alg: c.alg,
    credProtect: c.credProtect,
    hmacSecret: c.hmacSecret,
    thirdPartyPayment: c.thirdPartyPayment,
    createdAt: c.createdAt,
    signCount: c.signCount,
    backupEligibility: c.backupEligibility,
    backupState: c.backupState,
    discoverable: c.discoverable,
    hasLargeBlobKey: c.largeBlobKey !== undefined,
  };
}
