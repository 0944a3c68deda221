// Everything the core needs from outside, injected: clock, randomness, the user, the store, the
// device's secrets, the crypto.
import type { CredentialStore } from '../keystore/types.js';
import type { CredentialSecret } from './credentialId.js';
import type { KeepaliveStatusCode } from '../ctap/constants.js';
import { DEFAULT_ALGORITHMS, type Crypto } from '../ctap/crypto.js';
import type { CoseAlgorithm } from '../ctap/cose.js';
import type { Faults } from './faults.js';
import type { CounterModel } from './counterModel.js';

/** What the user is being asked to touch the key for (shown by prompts, seen by scripted policies). */
export interface PresenceRequest {
  command: 'makeCredential' | 'getAssertion' | 'reset' | 'selection' | 'clientPIN' | 'ctap1' | 'bioEnrollment';
  rpId?: string;
  userName?: string;
  /** True when the touch only leads to an error (excluded credential, PIN probe). */
  probe?: boolean;
  /** The touch must be held for 10 seconds (reset, once enableLongTouchForReset is on: CTAP 2.3). */
  longTouch?: boolean;
  /** The host's own limit on the wait, when shorter than the key's (bio enrollment's timeoutMilliseconds). */
  timeoutMs?: number;
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
  /**
   * The answer to that touch when it is known without waiting (a user who always approves, and
   * no one to tell that the key asks); undefined: the key asks with userPresence.
   */
  userPresenceNow?(request: PresenceRequest): PresenceResult | undefined;
  /**
   * Hashes, MACs, AEAD, key generation, signatures and key agreement; default nobleCrypto (portable).
   * A faster one (OpenSSL in the Node binding) gives the same results; its forget() is called after a
   * reset, and with the credential's key after a credential deletion.
   */
  crypto?: Crypto;
  /** The device's secrets; by default DeviceKeyStore over `store` (keyStore.ts). */
  keys?: KeyStore;
  /** Built-in user verification, used when config.builtInUv is on; a match also counts as a touch. */
  userVerification?(request: PresenceRequest, signal: AbortSignal): Promise<VerificationResult>;
  /** As userPresenceNow, for built-in user verification. */
  userVerificationNow?(request: PresenceRequest): VerificationResult | undefined;
  store: CredentialStore;
  /** Fault injection for tests (faults.ts): absent on a key that behaves. */
  faults?: Faults;
  /** The signature counter model of a credential's next use (counterModel.ts); absent: per-credential. */
  counterModel?(credentialId: Uint8Array): CounterModel;
}

/**
 * The device's secrets, after OpenSK's KeyStore: the core asks for operations and never sees the
 * master secret. Derived keys it keeps belong to this instance and go with reset().
 */
export interface KeyStore {
  /** A non-discoverable credential's ID: its secret sealed under a device key, bound to the RP ID hash. */
  sealCredentialId(rpIdHash: Uint8Array, secret: CredentialSecret): Uint8Array;
  /** The secret of an ID this device sealed for this RP, else undefined. */
  openCredentialId(rpIdHash: Uint8Array, id: Uint8Array): CredentialSecret | undefined;
  /** hmac-secret's CredRandom of a credential: one value with user verification, one without. */
  credRandom(credentialId: Uint8Array, uv: boolean): Uint8Array;
  /** The PIN hash as stored: sealed under a device key. */
  sealPinHash(hash: Uint8Array): Uint8Array;
  openPinHash(sealed: Uint8Array): Uint8Array | undefined;
  /**
   * 32 bytes only this device computes, for one purpose and one generation of it (CTAP 2.2's
   * persistent pinUvAuthToken, the identifier behind encIdentifier, the tag behind encCredStoreState);
   * all new after reset().
   */
  deviceSecret(purpose: DeviceSecretPurpose, generation: number): Uint8Array;
  /** authenticatorReset: the master secret is replaced; every derived key goes. */
  reset(): void;
}

export type DeviceSecretPurpose = 'persistentToken' | 'identifier' | 'credStoreState';

/** A user's attestation key and certificates (DER), as a vendor would provision them. */
export interface AttestationChain {
  /** P-256 private key (32 bytes) of the first certificate. */
  privateKey: Uint8Array;
  /** The attestation certificate first, then intermediates; the root left out (x5c). */
  certificates: Uint8Array[];
  /** The root, which `attestation export` writes. */
  root?: Uint8Array;
}

/** Per-request hooks from the transport: a cancel signal and a way to report keepalive status. */
export interface RequestContext {
  /**
   * The CTAPHID channel the request came on. Multi-command state (getNextAssertion, credential
   * management walks, large-blob writes) belongs to the channel that began it.
   */
  channel: number;
  signal: AbortSignal;
  /** Whether the host has cancelled the request, read without making its signal (absent: signal.aborted). */
  readonly cancelled?: boolean;
  keepalive(status: KeepaliveStatusCode): void;
}

export interface AuthenticatorConfig {
  /** 16 bytes, reported in getInfo and attested credential data. */
  aaguid: Uint8Array;
  /** How new credentials are attested: packed 'basic' (the batch certificate; default) or 'self'. */
  attestation: 'basic' | 'self';
  /** A chain and key the user supplies in place of the generated CA and batch certificate. */
  attestationChain?: AttestationChain;
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
  /**
   * The sensor enrolls fingers over CTAP (authenticatorBioEnrollment, getInfo bioEnroll): built-in UV
   * then verifies only once a finger is enrolled. Without, the sensor knows the finger from the start.
   */
  bioEnrollment: boolean;
  /** Failed built-in verifications before it blocks (§6.5.5.7.3). */
  maxUvRetries: number;
  /**
   * How many RP IDs setMinPINLength may name (maxRPIDsForSetMinPINLength): the RPs the minPinLength
   * extension reports the minimum to. 0: none, and getInfo does not advertise it.
   */
  maxRpIdsForSetMinPinLength: number;
  /** Whether enterprise attestation can be enabled (getInfo "ep"). */
  enterpriseAttestation: boolean;
  /** The RP IDs vendor-facilitated enterprise attestation (enterpriseAttestation 1) is given to. */
  enterpriseRpIds: readonly string[];
  /**
   * The signature algorithms credentials are made with, in this key's order of preference (getInfo
   * lists them so); the RP's order decides among them. RS256 needs a crypto with RSA (NodeCrypto).
   */
  algorithms: readonly CoseAlgorithm[];
  /** The CTAP2 versions getInfo lists after U2F_V2; FIDO_2_3 brings the CTAP 2.2/2.3 getInfo members. */
  ctapVersions: readonly string[];
  /** The CTAP2 commands answered (others: CTAP1_ERR_INVALID_COMMAND); getInfo's options follow. Absent: all. */
  commands?: readonly number[];
  /** Discoverable credentials; without, makeCredential's rk is CTAP2_ERR_UNSUPPORTED_OPTION (getInfo rk false). */
  residentKeys: boolean;
  /** A PIN can be set (getInfo clientPin); without, clientPIN's PIN subcommands are refused. */
  clientPin: boolean;
  /**
   * clientPIN's CTAP 2.1 subcommands (tokens with permissions, UV tokens, getUVRetries; getInfo
   * pinUvAuthToken). Without, getPinToken's token may do anything, as a CTAP 2.0 key's did.
   */
  pinUvAuthToken: boolean;
  /** The PIN/UV auth protocols, in this key's order of preference. */
  pinUvAuthProtocols: readonly number[];
  /**
   * The backup flags new credentials get (W3C WebAuthn automation's defaultBackupEligibility /
   * defaultBackupState; default neither: a single-device key). A non-discoverable credential, which
   * has no record, carries them in every assertion; a stored one keeps its own from then on.
   */
  defaultBackup?: { backupEligibility: boolean; backupState: boolean };
  /** The extensions honoured and listed (others in a request are ignored). Absent: all. */
  extensions?: readonly string[];
}

/** d311f9db-f2b1-440a-abd1-247767021afc: a random (version 4, RFC 4122 variant) UUID for ctap-emu. */
export const DEFAULT_AAGUID = new Uint8Array([
  0xd3, 0x11, 0xf9, 0xdb, 0xf2, 0xb1, 0x44, 0x0a, 0xab, 0xd1, 0x24, 0x77, 0x67, 0x02, 0x1a, 0xfc,
]);

export const DEFAULT_CONFIG: AuthenticatorConfig = {
  aaguid: DEFAULT_AAGUID,
  attestation: 'basic',
  maxDiscoverableCredentials: 256,
  firmwareVersion: 1,
  resetWindowMs: 10_000,
  nextAssertionTimeoutMs: 30_000,
  maxCredentialCountInList: 16,
  maxMsgSize: 7609,
  minPinLength: 4,
  builtInUv: false,
  bioEnrollment: false,
  maxUvRetries: 5,
  maxRpIdsForSetMinPinLength: 8,
  enterpriseAttestation: true,
  enterpriseRpIds: [],
  algorithms: DEFAULT_ALGORITHMS,
  ctapVersions: ['FIDO_2_0', 'FIDO_2_1', 'FIDO_2_3'],
  residentKeys: true,
  clientPin: true,
  pinUvAuthToken: true,
  pinUvAuthProtocols: [2, 1],
};
