// The serialized large-blob array (CTAP 2.1 §6.10) as key and host both see it: the contents and
// a trailer LEFT(SHA-256(contents), 16); and the message a write fragment's pinUvAuthParam is over.
import type { Crypto } from './crypto.js';
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
