// The credential operations of WebAuthn Automation (addCredential, getCredentials, removeCredential,
// removeAllCredentials) and ctap-emu's own (set a counter, a user's names) on a store: what the
// in-process key, the control API and `creds import|export` all run.
import { algorithmName } from '../../ctap/cose.js';
import { truncateUtf8 } from '../../ctap/params.js';
import { allCredentials } from '../../keystore/walk.js';
import type { StoredCredential } from '../../keystore/types.js';
import { fromBase64url } from '../../util/bytes.js';
import { applyCredentialProperties, AutomationError, parseCredentialJson, parseSignCount, toCredentialJson, type CredentialJson } from './credentialJson.js';
import type { ImportingStore } from './importedStore.js';
import { arrayWithLargeBlob, readLargeBlob } from './largeBlob.js';
import { LARGE_BLOB_ARRAY_META } from '../../ctap2/commands/largeBlobs.js';

export interface ImportLimits {
  /** The COSE algorithms the key signs with (default: any it has a key type for). */
  algorithms?: readonly number[];
  /** How many discoverable credentials fit (getInfo's remainingDiscoverableCredentials counts down from it). */
  maxDiscoverable?: number;
  /** Whether the key has a large-blob array (default: yes). */
  largeBlobs?: boolean;
}

export interface GetCredentialsOptions {
  /** Include each private key (PKCS#8): only when the caller means to move the credentials. */
  includePrivateKeys?: boolean;
}

/** The credential with this base64url ID, or AutomationError 'notFound'. */
export function findCredential(store: ImportingStore, id: string): StoredCredential {
  let bytes: Uint8Array | undefined;
  try {
    bytes = fromBase64url(id);
  } catch {
    bytes = undefined;
  }
  const c = bytes && bytes.length > 0 ? store.get(bytes) : undefined;
  if (!c) throw new AutomationError('notFound', `no credential ${id}`);
  return c;
}

/** A credential as JSON, with its large blob (read from the key's array) when it has one. */
function jsonOf(store: ImportingStore, c: StoredCredential, includePrivateKey = false): CredentialJson {
  return toCredentialJson(c, includePrivateKey, readLargeBlob(store, c.largeBlobKey));
}

/** One credential by its base64url ID, as JSON. */
export function getCredential(store: ImportingStore, id: string, options: GetCredentialsOptions = {}): CredentialJson {
  return jsonOf(store, findCredential(store, id), options.includePrivateKeys);
}

/**
 * Adds one credential. A discoverable one replaces the same user's at the same RP, as makeCredential
 * would; its largeBlob goes into the key's array, checked to fit before anything is stored.
 */
export function addCredential(store: ImportingStore, json: unknown, now: number, limits: ImportLimits = {}): CredentialJson {
  const { largeBlob, ...c } = parseCredentialJson(json, now);
  if (largeBlob && limits.largeBlobs === false) throw new AutomationError('invalid', 'this key has no large-blob storage (largeBlob)');
  if (limits.algorithms && !limits.algorithms.includes(c.alg)) {
    throw new AutomationError('invalid', `this key does not sign with ${algorithmName(c.alg)} (its algorithms: ${limits.algorithms.map(algorithmName).join(', ')})`);
  }
  if (store.get(c.id)) throw new AutomationError('conflict', 'a credential with this credentialId exists');
  if (c.discoverable) {
    const full = limits.maxDiscoverable !== undefined && store.count() >= limits.maxDiscoverable;
    if (full && !store.findByUser(c.rpId, c.userId)) throw new AutomationError('conflict', 'no room for another discoverable credential');
    const blobArray = largeBlob && arrayWithLargeBlob(store, c.largeBlobKey!, largeBlob);
    const { discoverable: _, ...stored } = c;
    store.put(stored);
    if (blobArray) store.setMeta(LARGE_BLOB_ARRAY_META, blobArray);
  } else {
    store.putImported(c);
  }
  return toCredentialJson(c, false, largeBlob);
}

/** Every credential the store can list: the discoverable ones, then imported non-discoverable ones. */
export function getCredentials(store: ImportingStore, options: GetCredentialsOptions = {}): CredentialJson[] {
  const out: CredentialJson[] = [];
  for (const c of allCredentials(store)) out.push(jsonOf(store, c, options.includePrivateKeys));
  for (const c of store.listImported()) out.push(jsonOf(store, c, options.includePrivateKeys));
  return out;
}

export function removeCredential(store: ImportingStore, id: string): void {
  store.delete(findCredential(store, id).id);
}

/** Every credential goes; the PIN, settings and the master secret stay (unlike reset). */
export function removeAllCredentials(store: ImportingStore): number {
  const ids = [...allCredentials(store), ...store.listImported()].map((c) => c.id);
  for (const id of ids) store.delete(id);
  return ids.length;
}

export function setSignCount(store: ImportingStore, id: string, signCount: unknown): CredentialJson {
  const c = findCredential(store, id);
  const n = parseSignCount(signCount);
  store.setSignCount(c.id, n);
  return jsonOf(store, { ...c, signCount: n });
}

export interface UserNames {
  name?: string;
  displayName?: string;
}

/** As credentialManagement's updateUserInformation: the names are replaced (an absent one is removed). */
export function setUser(store: ImportingStore, id: string, user: UserNames): CredentialJson {
  const c = findCredential(store, id);
  for (const k of ['name', 'displayName'] as const) {
    if (user[k] !== undefined && typeof user[k] !== 'string') throw new AutomationError('invalid', `user.${k} must be a string`);
  }
  const updated = {
    ...c,
    userName: user.name === undefined ? undefined : truncateUtf8(user.name),
    userDisplayName: user.displayName === undefined ? undefined : truncateUtf8(user.displayName),
  };
  store.put(updated);
  return jsonOf(store, updated);
}

/** WebAuthn Automation's Set Credential Properties: the credential's BE and BS flags from its next assertion on. */
export function setCredentialProperties(store: ImportingStore, id: string, properties: unknown): CredentialJson {
  const c = findCredential(store, id);
  const updated = { ...c, ...applyCredentialProperties(c, properties) };
  store.put(updated);
  return jsonOf(store, updated);
}
