// What the authenticator holds between commands: volatile state (lost on a power cycle) and the
// handles on persistent device secrets in the store.
import type { StoredCredential } from '../keystore/types.js';
import type { CoseAlgorithm } from '../ctap/cose.js';
import { credentialIdKey } from './credentialId.js';
import { hkdfSha256 } from '../ctap/crypto.js';
import { toHex } from '../util/bytes.js';
import { newKeyAgreementKey } from '../ctap/pinUvAuthProtocol.js';
import { PinUvAuthToken } from './pin/token.js';
import type { CborEncodable } from '../ctap/cbor.js';
import type { PinUvAuthProtocol } from '../ctap/pinUvAuthProtocol.js';
import type { AuthenticatorConfig, AuthenticatorEnv, RequestContext } from './env.js';

/** A credential located for an assertion: stored (discoverable) or unsealed from its ID. */
export interface LocatedCredential {
  id: Uint8Array;
  alg: CoseAlgorithm;
  privateKey: Uint8Array;
  credProtect: number;
  stored?: StoredCredential;
}

/** hmac-secret's decrypted input, kept for getNextAssertion. */
export interface HmacSecretRequest {
  protocol: PinUvAuthProtocol;
  /** The shared secret with the platform (ECDH done once per getAssertion). */
  shared: Uint8Array;
  salts: Uint8Array;
}

/** CTAP 2.1 §6.3: what authenticatorGetNextAssertion continues from. */
export interface NextAssertionState {
  rpIdHash: Uint8Array;
  clientDataHash: Uint8Array;
  flags: number;
  hmacSecret?: HmacSecretRequest;
  credentials: LocatedCredential[];
  index: number;
  lastAt: number;
}

/** Key agreement key of one PIN/UV auth protocol (regenerated at power-up and after a PIN mismatch). */
export interface KeyAgreementKey {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

/** What credentialManagement's enumerate*Begin leaves for the GetNext subcommands (§6.8.3, §6.8.4). */
export interface CredMgmtWalk {
  kind: 'rps' | 'credentials';
  items: Map<number, CborEncodable>[];
  index: number;
}

export class VolatileState {
  nextAssertion: NextAssertionState | undefined;
  /** An enumeration of authenticatorCredentialManagement in progress. */
  credMgmt: CredMgmtWalk | undefined;
  /** Per protocol version; made at power-up (§6.5.6 initialize()). */
  readonly keyAgreement = new Map<number, KeyAgreementKey>();
  readonly token: PinUvAuthToken;
  /** Wrong PINs in a row this power cycle; three block PIN use until the next (§6.5.5.7). */
  pinMismatches = 0;

  constructor(
    readonly powerUpAt: number,
    private readonly random: (n: number) => Uint8Array,
  ) {
    for (const v of [1, 2]) this.regenerateKeyAgreement(v);
    this.token = new PinUvAuthToken(random(32));
  }

  regenerateKeyAgreement(version: number): KeyAgreementKey {
    const key = newKeyAgreementKey(this.random(48));
    this.keyAgreement.set(version, key);
    return key;
  }

  /** resetPinUvAuthToken(): every outstanding token stops working. */
  resetToken(): void {
    this.token.reset(this.random(32));
  }

  get pinAuthBlocked(): boolean {
    return this.pinMismatches >= 3;
  }
}

const MASTER_SECRET = 'masterSecret';
const GLOBAL_COUNTER = 'globalSignCount';

/** The device master secret: made on first use, replaced by authenticatorReset. */
export function masterSecret(env: AuthenticatorEnv): Uint8Array {
  const existing = env.store.getMeta(MASTER_SECRET);
  if (existing) return existing;
  const secret = env.randomBytes(32);
  env.store.setMeta(MASTER_SECRET, secret);
  return secret;
}

/**
 * A key derived from the master secret for one purpose. Derivations are kept for the secret they
 * came from (HKDF on every assertion was a sixth of its cost); a reset's new secret derives anew.
 */
const derived = new Map<string, Uint8Array>();
function deriveFromMaster(env: AuthenticatorEnv, purpose: string, derive: (secret: Uint8Array) => Uint8Array): Uint8Array {
  const secret = masterSecret(env);
  const id = `${purpose}:${toHex(secret)}`;
  let key = derived.get(id);
  if (!key) {
    if (derived.size >= 16) derived.clear();
    key = derive(secret);
    derived.set(id, key);
  }
  return key;
}

export function credentialKey(env: AuthenticatorEnv): Uint8Array {
  return deriveFromMaster(env, 'credential-id', credentialIdKey);
}

export function hmacSecretKey(env: AuthenticatorEnv): Uint8Array {
  return deriveFromMaster(env, 'hmac-secret', (s) => hkdfSha256(s, new Uint8Array(32), 'ctap-emu hmac-secret v1', 32));
}

/** The next value of the counter shared by non-discoverable credentials, stored before use. */
export function nextGlobalCounter(env: AuthenticatorEnv): number {
  const raw = env.store.getMeta(GLOBAL_COUNTER);
  const next = ((raw ? new DataView(raw.buffer, raw.byteOffset).getUint32(0) : 0) + 1) >>> 0;
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, next);
  env.store.setMeta(GLOBAL_COUNTER, out);
  return next;
}

/** Everything a command handler is given. */
export interface CommandContext extends RequestContext {
  env: AuthenticatorEnv;
  config: AuthenticatorConfig;
  state: VolatileState;
}
