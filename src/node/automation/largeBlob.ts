// A credential's large blob in the key's own large-blob array (CTAP 2.1 §6.10), read and written
// straight in the store, as automation moves credentials: export opens the credential's entry with
// its largeBlobKey, import seals the blob into a new entry, as a host's authenticatorLargeBlobs
// write would (DEFLATE, AES-256-GCM, the array's SHA-256 trailer).
import { randomBytes } from 'node:crypto';
import { encodeCbor, type CborEncodable } from '../../ctap/cbor.js';
import {
  largeBlobArrayEntries, openLargeBlob, sealLargeBlob, serializeLargeBlobArray, unsealLargeBlob,
} from '../../ctap/largeBlobArray.js';
import { LARGE_BLOB_ARRAY_META, MAX_SERIALIZED_LARGE_BLOB_ARRAY } from '../../ctap2/commands/largeBlobs.js';
import type { CredentialStore } from '../../keystore/types.js';
import { nodeCompression } from '../clients.js';
import { NodeCrypto } from '../nodeCrypto.js';
import { AutomationError } from './credentialJson.js';

/** AEAD and SHA-256 only: no credential key passes through it, so one without a key cache serves all. */
let crypto: NodeCrypto | undefined;
const aead = (): NodeCrypto => (crypto ??= new NodeCrypto({ keyCacheSize: 0 }));

function entries(store: CredentialStore) {
  const serialized = store.getMeta(LARGE_BLOB_ARRAY_META);
  return serialized ? largeBlobArrayEntries(aead(), serialized) : [];
}

/** The blob of the credential whose largeBlobKey this is, or undefined (none, or no key). */
export function readLargeBlob(store: CredentialStore, largeBlobKey: Uint8Array | undefined): Uint8Array | undefined {
  if (!largeBlobKey) return undefined;
  for (const entry of entries(store)) {
    const data = openLargeBlob(aead(), nodeCompression, largeBlobKey, entry);
    if (data) return data;
  }
  return undefined;
}

/**
 * The serialized array with `data` as the credential's one entry (its old entries dropped, as a
 * host's write does); AutomationError 'conflict' when it would not fit the key's array. Nothing stored.
 */
export function arrayWithLargeBlob(store: CredentialStore, largeBlobKey: Uint8Array, data: Uint8Array): Uint8Array {
  const kept = entries(store).filter((e) => !unsealLargeBlob(aead(), largeBlobKey, e)) as CborEncodable[];
  kept.push(sealLargeBlob(aead(), nodeCompression, largeBlobKey, data, new Uint8Array(randomBytes(12))));
  const serialized = serializeLargeBlobArray(aead(), encodeCbor(kept));
  if (serialized.length > MAX_SERIALIZED_LARGE_BLOB_ARRAY) {
    throw new AutomationError('conflict', `no room for this largeBlob: the key's large-blob array would be ${serialized.length} bytes (at most ${MAX_SERIALIZED_LARGE_BLOB_ARRAY})`);
  }
  return serialized;
}

