// A credential as JSON in the shape of W3C WebAuthn's Automation (WebDriver "Credential Parameters")
// and Chrome DevTools' WebAuthn.Credential, so passkeys move between those virtual authenticators
// and ctap-emu: binary members in base64url (plain base64 is read too), the private key as PKCS#8.
import { randomBytes } from 'node:crypto';
import type { CoseAlgorithm } from '../../ctap/cose.js';
import { isSupportedAlgorithm } from '../../ctap/crypto.js';
import { truncateUtf8 } from '../../ctap/params.js';
import { MAX_COUNT } from '../../keystore/reservedCounters.js';
import type { StoredCredential } from '../../keystore/types.js';
import { fromBase64url, toBase64url } from '../../util/bytes.js';
import { fromPkcs8, toPkcs8 } from './pkcs8.js';

export interface CredentialJson {
  credentialId: string;
  isResidentCredential: boolean;
  rpId: string;
  /** PKCS#8 DER in base64url: only when asked for (getCredentials({ includePrivateKeys: true })). */
  privateKey?: string;
  userHandle?: string;
  signCount: number;
  /** The credential's blob in the key's large-blob array (what the RP wrote; base64url). */
  largeBlob?: string;
  userName?: string;
  userDisplayName?: string;
  /** The BE and BS flags its assertions carry (DevTools' names; WebAuthn Automation's setCredentialProperties). */
  backupEligibility?: boolean;
  backupState?: boolean;
}

/** WebAuthn Automation's Credential Properties (Set Credential Properties): each optional. */
export interface CredentialProperties {
  backupEligibility?: boolean;
  backupState?: boolean;
}

/** Why an automation operation was refused: bad input, no such credential, or a clash with what is there. */
export class AutomationError extends Error {
  constructor(readonly kind: 'invalid' | 'notFound' | 'conflict', message: string) {
    super(message);
    this.name = 'AutomationError';
  }
}

const invalid = (message: string): AutomationError => new AutomationError('invalid', message);

/** WebAuthn §5.4.3 (user handle) and §4 (credential ID): the longest each may be. */
const MAX_USER_HANDLE = 64;
const MAX_CREDENTIAL_ID = 1023;

function base64urlMember(o: Record<string, unknown>, name: string, maxLength: number): Uint8Array | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  let bytes: Uint8Array;
  try {
    if (typeof v !== 'string') throw new TypeError();
    bytes = fromBase64url(v);
  } catch {
    throw invalid(`${name} must be a base64url string`);
  }
  if (bytes.length > maxLength) throw invalid(`${name} is longer than ${maxLength} bytes`);
  return bytes;
}

function nameMember(o: Record<string, unknown>, name: string): string | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`${name} must be a string`);
  return truncateUtf8(v);
}

/** signCount: a 32-bit counter value. */
export function parseSignCount(v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > MAX_COUNT) throw invalid('signCount must be a whole number from 0 to 4294967295');
  return v as number;
}

function booleanMember(o: Record<string, unknown>, name: string): boolean | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalid(`${name} must be true or false`);
  return v;
}

/**
 * Credential properties as given, checked, over the credential's current ones. WebAuthn §6.1.3: BS
 * without BE is not a state a credential can be in (a flags fault sends that on purpose).
 */
export function applyCredentialProperties(current: CredentialProperties, value: unknown): Required<CredentialProperties> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('credential properties must be a JSON object');
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== 'backupEligibility' && k !== 'backupState') throw invalid(`unknown credential property "${k}" (backupEligibility, backupState)`);
  }
  const out = {
    backupEligibility: booleanMember(o, 'backupEligibility') ?? current.backupEligibility === true,
    backupState: booleanMember(o, 'backupState') ?? current.backupState === true,
  };
  if (out.backupState && !out.backupEligibility) throw invalid('backupState true needs backupEligibility true (WebAuthn §6.1.3)');
  return out;
}

/** The largest largeBlob taken (before compression; the key's whole array is 4096 bytes after it). */
const MAX_LARGE_BLOB = 65_536;

/** A credential to import: what the store keeps, and its large blob, to be sealed into the key's array. */
export type ImportedCredential = StoredCredential & { largeBlob?: Uint8Array };

/**
 * A credential to import, checked: what the store keeps, `createdAt` set to `now`; with a largeBlob,
 * a new largeBlobKey (the blob is sealed with it, as CTAP 2.1 §12.3 keys it per credential).
 */
export function parseCredentialJson(value: unknown, now: number): ImportedCredential {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('a credential must be a JSON object');
  const o = value as Record<string, unknown>;
  const id = base64urlMember(o, 'credentialId', MAX_CREDENTIAL_ID);
  if (!id || id.length === 0) throw invalid('credentialId is missing or empty');
  if (typeof o.isResidentCredential !== 'boolean') throw invalid('isResidentCredential must be true or false');
  if (typeof o.rpId !== 'string' || o.rpId === '') throw invalid('rpId must be a non-empty string');
  const pkcs8 = base64urlMember(o, 'privateKey', 16_384);
  if (!pkcs8) throw invalid('privateKey (PKCS#8, base64url) is missing');
  let key: { alg: CoseAlgorithm; privateKey: Uint8Array };
  try {
    key = fromPkcs8(pkcs8);
  } catch (e) {
    throw invalid((e as Error).message);
  }
  const userId = base64urlMember(o, 'userHandle', MAX_USER_HANDLE) ?? new Uint8Array(0);
  if (o.isResidentCredential && userId.length === 0) throw invalid('a resident credential needs a userHandle');
  const largeBlob = o.largeBlob === '' ? undefined : base64urlMember(o, 'largeBlob', MAX_LARGE_BLOB);
  // CTAP 2.1 §12.3: a largeBlobKey is for discoverable credentials only.
  if (largeBlob && !o.isResidentCredential) throw invalid('largeBlob needs a resident (discoverable) credential');
  return {
    id, rpId: o.rpId, userId, userName: nameMember(o, 'userName'), userDisplayName: nameMember(o, 'userDisplayName'),
    alg: key.alg, privateKey: key.privateKey,
    credProtect: 1, // userVerificationOptional: what a credential made without credProtect has
    hmacSecret: false, // its hmac-secret (PRF) secret stayed with the authenticator it came from
    createdAt: now,
    signCount: o.signCount === undefined ? 0 : parseSignCount(o.signCount),
    ...applyCredentialProperties({}, { backupEligibility: o.backupEligibility, backupState: o.backupState }),
    discoverable: o.isResidentCredential,
    ...(largeBlob && { largeBlob, largeBlobKey: new Uint8Array(randomBytes(32)) }),
  };
}

/** A stored credential as JSON; the private key only when asked for; its large blob when it has one. */
export function toCredentialJson(c: StoredCredential, includePrivateKey = false, largeBlob?: Uint8Array): CredentialJson {
  const alg = c.alg;
  if (includePrivateKey && !isSupportedAlgorithm(alg)) throw new RangeError(`credential with unknown algorithm ${alg}`);
  const json: CredentialJson = {
    credentialId: toBase64url(c.id),
    isResidentCredential: c.discoverable !== false,
    rpId: c.rpId,
    privateKey: includePrivateKey ? toBase64url(toPkcs8(alg as CoseAlgorithm, c.privateKey)) : undefined,
    userHandle: c.userId.length > 0 ? toBase64url(c.userId) : undefined,
    signCount: c.signCount,
    largeBlob: largeBlob && toBase64url(largeBlob),
    userName: c.userName,
    userDisplayName: c.userDisplayName,
    backupEligibility: c.backupEligibility === true,
    backupState: c.backupState === true,
  };
  // Members without a value are left out, as in the JSON it becomes.
  for (const k of Object.keys(json) as (keyof CredentialJson)[]) if (json[k] === undefined) delete json[k];
  return json;
}
