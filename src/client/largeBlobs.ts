// The host side of authenticatorLargeBlobs (CTAP 2.1 §6.10; python-fido2's fido2.ctap2.blob.LargeBlobs):
// the serialized large-blob array read and written in fragments, and per-credential blobs in it,
// each sealed with the credential's largeBlobKey (§6.10.3). Compression comes from outside:
// client/ imports no node:* (src/node/clients.ts supplies node:zlib's).
import { decodeCbor, encodeCbor, type CborEncodable, type CborValue } from '../ctap/cbor.js';
import { LargeBlobMapKey as M } from '../ctap/keys.js';
import { largeBlobArrayContents, largeBlobsMacMessage, serializeLargeBlobArray } from '../ctap/largeBlobArray.js';
import { concatBytes } from '../util/bytes.js';
import { pinUvAuthParam, type PinUvAuthToken } from './clientPin.js';
import type { AuthenticatorInfo, Ctap2Client } from './ctap2.js';

/**
 * DEFLATE (RFC 1951) as §6.10.3 asks. decompress gives at most `maxLength` bytes (the entry's
 * origSize: no decompression bomb) and throws on bytes that are not a stream it knows.
 */
export interface Compression {
  compress(data: Uint8Array): Uint8Array;
  decompress(data: Uint8Array, maxLength: number): Uint8Array;
}

export interface LargeBlobsOptions {
  compression: Compression;
  /** A token with the lbw permission: needed to write to a key with a PIN or built-in UV. */
  token?: PinUvAuthToken;
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

export class LargeBlobs {
  readonly maxFragmentLength: number;

  constructor(
    private readonly ctap: Ctap2Client,
    info: AuthenticatorInfo,
    private readonly options: LargeBlobsOptions,
  ) {
    if (info.options.largeBlobs !== true) throw new Error('the key does not support largeBlobs');
    this.maxFragmentLength = (info.maxMsgSize ?? 1024) - 64;
  }

  /** The serialized array as stored, read in fragments of maxFragmentLength. */
  async readSerialized(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for (let offset = 0; ; ) {
      const part = (await this.ctap.largeBlobs({ offset, get: this.maxFragmentLength })) ?? new Uint8Array(0);
      parts.push(part);
      offset += part.length;
      if (part.length < this.maxFragmentLength) return concatBytes(...parts);
    }
  }

  /** The array's entries; an array whose trailer is wrong reads as empty (§6.10.4). */
  async readBlobArray(): Promise<CborValue[]> {
    const contents = largeBlobArrayContents(this.ctap.crypto, await this.readSerialized());
    if (!contents) return [];
    try {
      const value = decodeCbor(contents);
      return Array.isArray(value) ? value : [];
    } catch {
      return [];
    }
  }

  /** Replaces the whole array: fragments in order, length with the first, each MACed when a token is given. */
  async writeBlobArray(entries: CborEncodable[]): Promise<void> {
    const data = serializeLargeBlobArray(this.ctap.crypto, encodeCbor(entries));
    const t = this.options.token;
    for (let offset = 0; offset < data.length; offset += this.maxFragmentLength) {
      const set = data.subarray(offset, offset + this.maxFragmentLength);
      let auth: Pick<Parameters<Ctap2Client['largeBlobs']>[0], 'pinUvAuthParam' | 'pinUvAuthProtocol'> = {};
      if (t) {
        const message = largeBlobsMacMessage(this.ctap.crypto, offset, set);
        auth = { pinUvAuthParam: pinUvAuthParam(t, message), pinUvAuthProtocol: t.protocol.version };
      }
      await this.ctap.largeBlobs({ offset, set, length: offset === 0 ? data.length : undefined, ...auth });
    }
  }

  /** The compressed bytes of an entry sealed with `key`, else undefined (another credential's, or not a blob). */
  private unseal(key: Uint8Array, entry: CborValue): { compressed: Uint8Array; origSize: number } | undefined {
    const e = asEntry(entry);
    const compressed = e && this.ctap.crypto.aeadOpen(key, e.nonce, e.ciphertext, associatedData(e.origSize));
    return compressed && { compressed, origSize: e.origSize };
  }

  /** The plaintext of an entry sealed with `key`, else undefined. */
  open(key: Uint8Array, entry: CborValue): Uint8Array | undefined {
    const sealed = this.unseal(key, entry);
    if (!sealed) return undefined;
    try {
      const data = this.options.compression.decompress(sealed.compressed, sealed.origSize);
      return data.length === sealed.origSize ? data : undefined;
    } catch {
      return undefined;
    }
  }

  /** A large-blob map for `data`, sealed with `key` under a fresh 12-byte nonce. */
  seal(key: Uint8Array, data: Uint8Array): Map<number, CborEncodable> {
    const nonce = globalThis.crypto.getRandomValues(new Uint8Array(12));
    const ciphertext = this.ctap.crypto.aeadSeal(key, nonce, this.options.compression.compress(data), associatedData(data.length));
    return new Map<number, CborEncodable>([[M.ciphertext, ciphertext], [M.nonce, nonce], [M.origSize, data.length]]);
  }

  /** The blob of the credential whose largeBlobKey this is, or undefined. */
  async getBlob(largeBlobKey: Uint8Array): Promise<Uint8Array | undefined> {
    for (const entry of await this.readBlobArray()) {
      const data = this.open(largeBlobKey, entry);
      if (data) return data;
    }
    return undefined;
  }

  /** Stores `data` for the credential (replacing its entries); undefined deletes them. Writes only on a change. */
  async putBlob(largeBlobKey: Uint8Array, data: Uint8Array | undefined): Promise<void> {
    const kept: CborEncodable[] = [];
    let modified = data !== undefined;
    for (const entry of await this.readBlobArray()) {
      if (this.unseal(largeBlobKey, entry)) modified = true;
      else kept.push(entry as CborEncodable);
    }
    if (data !== undefined) kept.push(this.seal(largeBlobKey, data));
    if (modified) await this.writeBlobArray(kept);
  }

  async deleteBlob(largeBlobKey: Uint8Array): Promise<void> {
    return this.putBlob(largeBlobKey, undefined);
  }
}
