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
  /** Creation time, milliseconds since the epoch (from the injected clock). */
  createdAt: number;
  signCount: number;
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
  get(id: Uint8Array): StoredCredential | undefined;
  /** This RP's credentials, newest first. */
  listByRp(rpId: string): StoredCredential[];
  /** All credentials, grouped by RP, newest first within each. */
  list(): StoredCredential[];
  count(): number;
  delete(id: Uint8Array): boolean;
  /** Stores a credential's new signature counter. */
  setSignCount(id: Uint8Array, signCount: number): void;
  /** authenticatorReset: every credential and all device state, in one step. */
  wipe(): void;
  close(): void;
}
