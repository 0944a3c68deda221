// Everything the core needs from outside, injected: clock, randomness, the user, the store.
import type { CredentialStore } from '../keystore/types.js';
import type { KeepaliveStatusCode } from '../ctap/constants.js';
import type { CoseAlgorithm } from '../ctap/cose.js';

/** What the user is being asked to touch the key for (shown by prompts, seen by scripted policies). */
export interface PresenceRequest {
  command: 'makeCredential' | 'getAssertion' | 'reset' | 'selection' | 'clientPIN' | 'ctap1';
  rpId?: string;
  userName?: string;
  /** True when the touch only leads to an error (excluded credential, PIN probe). */
  probe?: boolean;
}

export type PresenceResult = 'approved' | 'denied' | 'timeout';

/** Built-in user verification (a fingerprint, say): the finger matched, did not, or never came. */
export type VerificationResult = 'match' | 'nomatch' | 'timeout';

export interface AuthenticatorEnv {
  /** Milliseconds; only differences and creation times are taken from it. */
  now(): number;
  randomBytes(n: number): Uint8Array;
  /** Asks for a touch. Must settle, and should settle promptly once `signal` aborts. */
  userPresence(request: PresenceRequest, signal: AbortSignal): Promise<PresenceResult>;
  /** A faster signer with the same output (e.g. OpenSSL); the core signs with @noble otherwise. */
  sign?(alg: CoseAlgorithm, privateKey: Uint8Array, message: Uint8Array): Uint8Array;
  /** Built-in user verification, used when config.builtInUv is on; a match also counts as a touch. */
  userVerification?(request: PresenceRequest, signal: AbortSignal): Promise<VerificationResult>;
  store: CredentialStore;
}

/** Per-request hooks from the transport: a cancel signal and a way to report keepalive status. */
export interface RequestContext {
  /**
   * The CTAPHID channel the request came on. Multi-command state (getNextAssertion, credential
   * management walks, large-blob writes) belongs to the channel that began it.
   */
  channel: number;
  signal: AbortSignal;
  keepalive(status: KeepaliveStatusCode): void;
}

export interface AuthenticatorConfig {
  /** 16 bytes, reported in getInfo and attested credential data. */
  aaguid: Uint8Array;
  /** How many discoverable credentials fit. */
  maxDiscoverableCredentials: number;
  firmwareVersion: number;
  /** authenticatorReset is refused this long after power-up (CTAP 2.1 §6.6); null: no window. */
  resetWindowMs: number | null;
  /** getNextAssertion must follow within this long (CTAP 2.1 §6.3). */
  nextAssertionTimeoutMs: number;
  maxCredentialCountInList: number;
  maxMsgSize: number;
  /** Default minimum PIN length in code points (authenticatorConfig can raise it). */
  minPinLength: number;
  /** A built-in user verification method (a "fingerprint key"), enrolled. */
  builtInUv: boolean;
  /** Failed built-in verifications before it blocks (§6.5.5.7.3). */
  maxUvRetries: number;
  /** How many RP IDs setMinPINLength may name (maxRPIDsForSetMinPINLength). */
  maxRpIdsForSetMinPinLength: number;
  /** Whether enterprise attestation can be enabled (getInfo "ep"). */
  enterpriseAttestation: boolean;
}

export const DEFAULT_AAGUID = new Uint8Array([
  0x63, 0x74, 0x61, 0x70, 0x2d, 0x65, 0x6d, 0x75, 0x2d, 0x73, 0x6f, 0x66, 0x74, 0x6b, 0x65, 0x79,
]); // "ctap-emu-softkey"

export const DEFAULT_CONFIG: AuthenticatorConfig = {
  aaguid: DEFAULT_AAGUID,
  maxDiscoverableCredentials: 256,
  firmwareVersion: 1,
  resetWindowMs: 10_000,
  nextAssertionTimeoutMs: 30_000,
  maxCredentialCountInList: 16,
  maxMsgSize: 7609,
  minPinLength: 4,
  builtInUv: false,
  maxUvRetries: 5,
  maxRpIdsForSetMinPinLength: 8,
  enterpriseAttestation: true,
};
