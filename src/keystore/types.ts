// The credential store the authenticator core is given: discoverable credentials and device state.

/** A discoverable credential as stored (CTAP 2.1 §6.1.2 step 17, "store the credential"). */
export interface StoredCredential {
  /** Credential ID exactly as the authenticator returned it. */
  id: Uint8Array;
  rpId: string;
  rpName?: string;
  userId: Uint8Array;
  userName?: string;
  userDisplayName?: string;
  /** COSE algorithm of the key. */
  alg: number;
  privateKey: Uint8Array;
  credProtect: number;
  credBlob?: Uint8Array;
  largeBlobKey?: Uint8Array;
  /** Per-credential secret for the hmac-secret extension. */
  credRandom?: Uint8Array;
  /** Made with the hmac-secret extension (CTAP 2.1 §12.5): only then does an assertion answer it. */
  hmacSecret: boolean;
  /** Made with the thirdPartyPayment extension (CTAP 2.2): usable for payments another party starts. */
  thirdPartyPayment?: boolean;
  /** Creation time, milliseconds since the epoch (from the injected clock). */
  createdAt: number;
  signCount: number;
  /**
   * The backup flags (WebAuthn §6.1.3, BE and BS) its authenticator data carries; set through
   * automation's setCredentialProperties. Absent: false (a single-device credential, not backed up).
   */
  backupEligibility?: boolean;
  backupState?: boolean;
  /**
   * False for a non-discoverable credential a store keeps by its ID only (one imported from another
   * authenticator, whose ID this key cannot open): assertions then carry no user entity. Absent: true.
   */
  discoverable?: boolean;
}

/** A credential's place in its RP's order: newest first (by createdAt), equal times by ID, descending. */
export interface CredentialPosition {
  createdAt: number;
  id: Uint8Array;
}

/** Which of an RP's credentials a query sees. */
export interface RpFilter {
  /** Only credentials whose credProtect level is at most this (default: every level). */
  maxCredProtect?: number;
}

/** One page of an RP's credentials, in CredentialPosition order. */
export interface RpPage extends RpFilter {
  /** Start after this credential (it need not exist any more); from the newest when absent. */
  after?: CredentialPosition;
  limit: number;
}

/** A credential's place in list() order: by RP ID, then newest first within the RP. */
export interface ListPosition extends CredentialPosition {
  rpId: string;
}

/** One page of list(), or of one RP's part of it. */
export interface ListPage {
  /** Only this RP's credentials. */
  rpId?: string;
  /** Start after this credential (it need not exist any more); from the first when absent. */
  after?: ListPosition;
  limit: number;
}

/**
 * What a listing shows of a credential: all of it but its secrets (the private key, credRandom,
 * credBlob, and largeBlobKey's bytes, of which only the presence is kept).
 */
export type CredentialSummary = Omit<StoredCredential, 'privateKey' | 'credRandom' | 'credBlob' | 'largeBlobKey'> & {
  hasLargeBlobKey: boolean;
};

/** An RP that has credentials on the key. */
export interface RpSummary {
  rpId: string;
  credentials: number;
}

/**
 * Every method is synchronous and atomic: when it returns, the change is durable (the core
 * answers only after a counter or credential has been stored).
 */
export interface CredentialStore {
  /** Device state by name (master secret, global counter, PIN state...). */
  getMeta(key: string): Uint8Array | undefined;
  setMeta(key: string, value: Uint8Array): void;
  /** Inserts, or replaces the credential with the same (rpId, userId) — CTAP 2.1 §6.1.2 step 17. */
  put(credential: StoredCredential): void;
  /** put() for each, in one atomic step (an import; filling a store for a benchmark). */
  putMany(credentials: Iterable<StoredCredential>): void;
  get(id: Uint8Array): StoredCredential | undefined;
  /**
   * Per-RP queries cost the same with 10 credentials or 100,000 (an index, never a scan of the RP):
   * a getAssertion takes the count and the newest, getNextAssertion the next after a position.
   */
  countByRp(rpId: string, filter?: RpFilter): number;
  pageByRp(rpId: string, page: RpPage): StoredCredential[];
  /** The credential of this user at this RP: the one a makeCredential for the same user replaces. */
  findByUser(rpId: string, userId: Uint8Array): StoredCredential | undefined;
  /** RPs with credentials, ordered by RP ID, after `after` (exclusive), at most `limit`. */
  rps(after: string | undefined, limit: number): RpSummary[];
  rpCount(): number;
  /** The name the RP gave with its newest credential that has one. */
  rpName(rpId: string): string | undefined;
  /** All credentials, grouped by RP, newest first within each. */
  list(): StoredCredential[];
  /**
   * list() (or one RP's part of it) a page at a time without the secrets: what a listing of
   * 100,000 reads. A page costs the same wherever it starts (an index, never a pass from the start).
   */
  summaries(page: ListPage): CredentialSummary[];
  count(): number;
  delete(id: Uint8Array): boolean;
  /** Stores a credential's new signature counter. */
  setSignCount(id: Uint8Array, signCount: number): void;
  /**
   * The counter for a credential's next use, stored before it is returned: one more than the last,
   * stopping at 2^32 - 1. Reads and increments in one step (nothing read before a touch goes stale).
   * Undefined when there is no such credential.
   */
  nextSignCount(id: Uint8Array): number | undefined;
  /**
   * How many times a credential was added or removed (a replacement or an update counts), kept with
   * the store: it never repeats a value while the store exists, and sign counts do not move it.
   */
  changes(): number;
  /**
   * authenticatorReset: every credential and all device state, in one step, except meta keys that
   * start with FACTORY_META_PREFIX (what a key is given at manufacture: its attestation).
   */
  wipe(): void;
  close(): void;
}

/** Meta keys that survive wipe(), as a hardware key's attestation key survives a reset. */
export const FACTORY_META_PREFIX = 'factory.';
