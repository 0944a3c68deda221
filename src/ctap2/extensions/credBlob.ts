// credBlob extension (CTAP 2.1 §12.2): a few bytes the RP stores with a discoverable credential at
// registration and reads back in assertions (getCredBlob).
import type { CborValue } from '../../ctap/cbor.js';
import { asBool, asBytes } from '../../ctap/params.js';
import type { StoredCredential } from '../../keystore/types.js';

export const CRED_BLOB = 'credBlob';
export const GET_CRED_BLOB = 'getCredBlob';

/** getInfo maxCredBlobLength: the spec's floor, as most hardware keys have it. */
export const MAX_CRED_BLOB_LENGTH = 32;

/**
 * makeCredential input: the blob to keep, or undefined (absent). What is kept is decided by
 * credBlobToStore; a byte string of any length parses (the output says false when it does not fit).
 */
export function parseCredBlobCreate(v: CborValue | undefined): Uint8Array | undefined {
  return v === undefined ? undefined : asBytes(v, 'extensions.credBlob');
}

/** §12.2: only a discoverable credential keeps a blob, and only one that fits maxCredBlobLength. */
export function credBlobToStore(blob: Uint8Array | undefined, rk: boolean): Uint8Array | undefined {
  return blob !== undefined && rk && blob.length <= MAX_CRED_BLOB_LENGTH ? blob : undefined;
}

/** getAssertion input: getCredBlob must be a boolean; true asks for the blob. */
export function parseGetCredBlob(v: CborValue | undefined): boolean {
  return v === undefined ? false : asBool(v, 'extensions.getCredBlob');
}

/** getAssertion output: the credential's blob, empty when it has none (a non-discoverable one never has). */
export function credBlobOutput(stored: StoredCredential | undefined): Uint8Array {
  return stored?.credBlob ?? new Uint8Array(0);
}
