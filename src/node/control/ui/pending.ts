// What the key waits for, told the way a person at the key needs it: not only 'presence' or
// 'verification' (GET /pending) but which RP asks, for which operation and user, since when. The key
// keeps this with each wait (events/touches.ts); here it is put in the page's words.
import type { VirtualAuthenticator } from '../../virtual.js';

export interface PendingRequest {
  kind: 'presence' | 'verification';
  /** The operation the touch or finger is for: makeCredential, getAssertion, reset, selection, clientPIN, ctap1, bioEnrollment. */
  command: string;
  rpId?: string;
  userName?: string;
  /** When the key asked (ISO 8601). */
  since: string;
}

/** What `key` waits for now, oldest first. */
export function pendingRequests(key: VirtualAuthenticator): PendingRequest[] {
  return key.pendingWaits().map((w) => ({ ...w, since: new Date(w.since).toISOString() }));
}
