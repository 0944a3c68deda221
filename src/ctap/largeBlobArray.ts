// The serialized large-blob array (CTAP 2.1 §6.10) as key and host both see it: the contents and
// a trailer LEFT(SHA-256(contents), 16); the message a write fragment's pinUvAuthParam is over; and
// its entries, each a credential's blob sealed with that credential's largeBlobKey (§6.10.3).
import { decodeCbor, type CborEncodable, type CborValue } from './cbor.js';
import type { Crypto } from './crypto.js';
import { LargeBlobMapKey as M } from './keys.js';
import { concatBytes, equalBytes } from '../util/bytes.js';

/** The trailer's length. */
export const LARGE_BLOB_TRAILER = 16;

/** `contents` || LEFT(SHA-256(contents), 16) (§6.10.3). */
export function serializeLargeBlobArray(crypto: Crypto, contents: Uint8Array): Uint8Array {
  return concatBytes(contents, crypto.sha256(contents).subarray(0, LARGE_BLOB_TRAILER));
}

/** The contents of a serialized array, or undefined when its trailer is not right (or it is too short). */
export function largeBlobArrayContents(crypto: Crypto, data: Uint8Array): Uint8Array | undefined {
  if (data.length < LARGE_BLOB_TRAILER + 1) return undefined;
  const contents = data.subarray(0, data.length - LARGE_BLOB_TRAILER);
  return equalBytes(crypto.sha256(contents).subarray(0, LARGE_BLOB_TRAILER), data.subarray(contents.length)) ? contents : undefined;
}

/** 32 x 0xff || 0x0c 0x00 || uint32LE(offset) || SHA-256(fragment): what a set fragment's MAC is over (§6.10.2). */
export function largeBlobsMacMessage(crypto: Crypto, offset: number, fragment: Uint8Array): Uint8Array {
  const off = new Uint8Array(4);
  new DataView(off.buffer).setUint32(0, offset, true);
  return concatBytes(new Uint8Array(32).fill(0xff), new Uint8Array([0x0c, 0x00]), off, crypto.sha256(fragment));
}

/**
 * DEFLATE (RFC 1951) as §6.10.3 asks. decompress gives at most `maxLength` bytes (the entry's
 * origSize: no decompression bomb) and throws on bytes that are not a stream it knows.
 */
export interface Compression {
  compress(data: Uint8Array): Uint8Array;
  decompress(data: Uint8Array, maxLength: number): Uint8Array;
}

/** The entries of a serialized array; one whose trailer or CBOR is wrong reads as empty (§6.10.4). */
export function largeBlobArrayEntries(crypto: Crypto, serialized: Uint8Array): CborValue[] {
  const contents = largeBlobArrayContents(crypto, serialized);
  if (!contents) return [];
  try {
    const value = decodeCbor(contents);
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

/** associatedData = "blob" || uint64LittleEndian(origSize) (§6.10.3). */
function associatedData(origSize: number): Uint8Array {
  const ad = new Uint8Array(12);
  ad.set([0x62, 0x6c, 0x6f, 0x62]);
  new DataView(ad.buffer).setBigUint64(4, BigInt(origSize), true);
  return ad;
}

/** An entry of the array as a large-blob map, or undefined when it is not one. */
function asEntry(v: CborValue): { ciphertext: Uint8Array; nonce: Uint8Array; origSize: number } | undefined {
  if (!(v instanceof Map)) return undefined;
  const [ciphertext, nonce, origSize] = [v.get(M.ciphertext), v.get(M.nonce), v.get(M.origSize)];
  if (!(ciphertext instanceof Uint8Array) || !(nonce instanceof Uint8Array) || typeof origSize !== 'number') return undefined;
  if (nonce.length !== 12 || ciphertext.length < 16 || !Number.isSafeInteger(origSize) || origSize < 0) return undefined;
  return { ciphertext, nonce, origSize };
}

/** The compressed bytes of an entry sealed with `key`, else undefined (another credential's, or not a blob). */
export function unsealLargeBlob(crypto: Crypto, key: Uint8Array, entry: CborValue): { compressed: Uint8Array; origSize: number } | undefined {
  const e = asEntry(entry);
  const compressed = e && crypto.aeadOpen(key, e.nonce, e.ciphertext, associatedData(e.origSize));
  return compressed && { compressed, origSize: e.origSize };
}

/** The plaintext of an entry sealed with `key`, else undefined. */
export function openLargeBlob(crypto: Crypto, compression: Compression, key: Uint8Array, entry: CborValue): Uint8Array | undefined {
  const sealed = unsealLargeBlob(crypto, key, entry);
  if (!sealed) return undefined;
  try {
    const data = compression.decompress(sealed.compressed, sealed.origSize);
    return data.length === sealed.origSize ? data : undefined;
  } catch {
    return undefined;
  }
}

/** A large-blob map for `data`, sealed with `key` under `nonce` (12 fresh random bytes). */
export function sealLargeBlob(crypto: Crypto, compression: Compression, key: Uint8Array, data: Uint8Array, nonce: Uint8Array): Map<number, CborEncodable> {
  const ciphertext = crypto.aeadSeal(key, nonce, compression.compress(data), associatedData(data.length));
  return new Map<number, CborEncodable>([[M.ciphertext, ciphertext], [M.nonce, nonce], [M.origSize, data.length]]);
}
