// What the key holds until it loses power (CTAP 2.1 §6.5.6 initialize(), §6.3, §6.8): the PIN/UV
// key agreement keys, the pinUvAuthToken, wrong PINs in a row, and the walks a host is part-way through.
import type { CoseAlgorithm } from '../ctap/cose.js';
import type { Crypto, KeyAgreementKey } from '../ctap/crypto.js';
import type { PinUvAuthProtocol } from '../ctap/pinUvAuthProtocol.js';
import type { CredentialPosition, StoredCredential } from '../keystore/types.js';
import { PinUvAuthToken } from './pin/token.js';
import { GLOBAL_SIGN_COUNT, ReservedCount, UV_COUNT, UV_COUNT_RESERVATION } from './counter.js';
import { utf8 } from '../util/bytes.js';

/** How many RP ID hashes are kept: a key signs for a few sites over and over. */
const RP_ID_HASHES_MAX = 64;

/** A credential located for an assertion: stored (discoverable) or unsealed from its ID. */
export interface LocatedCredential {
  id: Uint8Array;
  alg: CoseAlgorithm;
  privateKey: Uint8Array;
  credProtect: number;
  /** Made with the hmac-secret extension: only then does it answer hmac-secret (CTAP 2.1 §12.5). */
  hmacSecret: boolean;
  /** Made with thirdPartyPayment (CTAP 2.2): getAssertion says so when asked. */
  thirdPartyPayment: boolean;
  stored?: StoredCredential;
}

/** hmac-secret's decrypted input, kept for getNextAssertion. */
export interface HmacSecretRequest {
  protocol: PinUvAuthProtocol;
  /** The shared secret with the platform (ECDH done once per getAssertion). */
  shared: Uint8Array;
  salts: Uint8Array;
}

/** getAssertion's getCredBlob and largeBlobKey inputs (CTAP 2.1 §12.2, §12.3). */
export interface BlobRequest {
  getCredBlob: boolean;
  largeBlobKey: boolean;
}

/** State one host builds over several commands; it belongs to the CTAPHID channel that began it. */
interface Walk {
  channel: number;
}

/** CTAP 2.1 §6.3: what authenticatorGetNextAssertion continues from. */
export interface NextAssertionState extends Walk {
  rpIdHash: Uint8Array;
  clientDataHash: Uint8Array;
  flags: number;
  hmacSecret?: HmacSecretRequest;
  /** thirdPartyPayment asked for in the request. */
  thirdPartyPayment?: boolean;
  /** credBlob and largeBlobKey asked for (each credential of the walk answers them). */
  blobs?: BlobRequest;
  /** Where the walk is: the RP, which credProtect levels it sees, the last credential answered, how many are left. */
  rpId: string;
  uv: boolean;
  after: CredentialPosition;
  remaining: number;
  lastAt: number;
}

/** What credentialManagement's enumerate*Begin leaves for the GetNext subcommands (§6.8.3, §6.8.4). */
export interface CredMgmtWalk extends Walk {
  kind: 'rps' | 'credentials';
  /** The last RP answered (an RP walk). */
  afterRp?: string;
  /** The RP, and the last credential answered (a credential walk). */
  rpId?: string;
  after?: CredentialPosition;
  remaining: number;
}

/** A serialized large-blob array arriving in fragments (CTAP 2.1 §6.10.2): expectedLength, the bytes so far. */
export interface LargeBlobWrite extends Walk {
  expectedLength: number;
  buffer: Uint8Array;
  /** expectedNextOffset: how many bytes have arrived. */
  received: number;
}

/** CTAP1/U2F presence (ctap1/presence.ts): the request being asked about, and a touch not yet spent. */
export interface U2fPresence {
  pending?: { request: Uint8Array; abort: AbortController };
  granted?: { request: Uint8Array; at: number };
}

/** A finger being enrolled (commands/bioEnrollment.ts): its template ID and the good samples still wanted. */
export interface BioEnrollmentState {
  templateId: Uint8Array;
  remaining: number;
}

/** The persistent token (pin/persistentToken.ts): one generation's token and what comes from it; the tag is for one value of store.changes(). */
export interface PersistentTokenCache {
  generation: number;
  token: Uint8Array;
  identifierKey: Uint8Array;
  stateKey: Uint8Array;
  identifier: Uint8Array;
  state?: { changes: number; tag: Uint8Array };
}

export class Session {
  nextAssertion: NextAssertionState | undefined;
  /** An enumeration of authenticatorCredentialManagement in progress. */
  credMgmt: CredMgmtWalk | undefined;
  /** An authenticatorLargeBlobs write in progress. */
  largeBlobWrite: LargeBlobWrite | undefined;
  /** A fingerprint enrollment in progress (any channel may continue or cancel it, as on a real sensor). */
  bioEnrollment: BioEnrollmentState | undefined;
  /** Per protocol version; made at power-up (§6.5.6 initialize()), at reset and after a PIN mismatch. */
  readonly keyAgreement = new Map<number, KeyAgreementKey>();
  readonly token: PinUvAuthToken;
  readonly u2fPresence: U2fPresence = {};
  /** The counter of non-discoverable credentials, from the store's reservation (counter.ts). */
  globalCounter = new ReservedCount(GLOBAL_SIGN_COUNT);
  /** uvCountSinceLastPinEntry, from the store's reservation (counter.ts). */
  uvCount = new ReservedCount(UV_COUNT, UV_COUNT_RESERVATION);
  /** Wrong PINs in a row this power cycle; three block PIN use until the next (§6.5.5.7). */
  pinMismatches = 0;
  /** The persistent token's generation and what derives from it (pin/persistentToken.ts). */
  persistentToken: PersistentTokenCache | undefined;
  /** SHA-256 of the RP IDs seen last, oldest first (public values: nothing to wipe). */
  private readonly rpIdHashes = new Map<string, Uint8Array>();

  constructor(
    readonly powerUpAt: number,
    private readonly random: (n: number) => Uint8Array,
    private readonly crypto: Crypto,
  ) {
    this.regenerateKeyAgreements();
    this.token = new PinUvAuthToken(random(32));
  }

  /** SHA-256(rpId), computed once per RP while it is among the last 64: the caller must not change it. */
  rpIdHash(rpId: string): Uint8Array {
    let hash = this.rpIdHashes.get(rpId);
    if (hash === undefined) {
      hash = this.crypto.sha256(utf8(rpId));
      if (this.rpIdHashes.size >= RP_ID_HASHES_MAX) this.rpIdHashes.delete(this.rpIdHashes.keys().next().value!);
      this.rpIdHashes.set(rpId, hash);
    }
    return hash;
  }

  regenerateKeyAgreement(version: number): KeyAgreementKey {
    const key = this.crypto.keyAgreementKey(this.random(48));
    this.keyAgreement.set(version, key);
    return key;
  }

  regenerateKeyAgreements(): void {
    for (const v of [1, 2]) this.regenerateKeyAgreement(v);
  }

  /**
   * After authenticatorReset, as at power-up (§6.5.6 initialize()): new key agreement keys and
   * token, no walk, no large-blob write, no PIN mismatches, no U2F touch pending or unspent, and
   * the global counter read again from the (wiped) store.
   */
  afterReset(): void {
    this.nextAssertion = undefined;
    this.credMgmt = undefined;
    this.largeBlobWrite = undefined;
    this.bioEnrollment = undefined;
    this.regenerateKeyAgreements();
    this.resetToken();
    this.pinMismatches = 0;
    this.persistentToken = undefined;
    this.rpIdHashes.clear(); // which sites the key was used on goes with its credentials
    this.globalCounter = new ReservedCount(GLOBAL_SIGN_COUNT);
    this.uvCount = new ReservedCount(UV_COUNT, UV_COUNT_RESERVATION);
    this.u2fPresence.pending?.abort.abort();
    this.u2fPresence.pending = undefined;
    this.u2fPresence.granted = undefined;
  }

  /** resetPinUvAuthToken(): every outstanding token stops working. */
  resetToken(): void {
    this.token.reset(this.random(32));
  }

  /** Ends the walks another channel began: a host cannot continue, or read, what another host started. */
  endWalksNotOf(channel: number): void {
    if (this.nextAssertion && this.nextAssertion.channel !== channel) this.nextAssertion = undefined;
    if (this.credMgmt && this.credMgmt.channel !== channel) this.credMgmt = undefined;
    if (this.largeBlobWrite && this.largeBlobWrite.channel !== channel) this.largeBlobWrite = undefined;
  }

  get pinAuthBlocked(): boolean {
    return this.pinMismatches >= 3;
  }
}
