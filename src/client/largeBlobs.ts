// The host side of authenticatorLargeBlobs (CTAP 2.1 §6.10; python-fido2's fido2.ctap2.blob.LargeBlobs):
// the serialized large-blob array read and written in fragments, and per-credential blobs in it,
// each sealed with the credential's largeBlobKey (§6.10.3). Compression comes from outside:
// client/ imports no node:* (src/node/clients.ts supplies node:zlib's).
import { encodeCbor, type CborEncodable, type CborValue } from '../ctap/cbor.js';
import {
  largeBlobArrayEntries, largeBlobsMacMessage, openLargeBlob, sealLargeBlob, serializeLargeBlobArray, unsealLargeBlob, type Compression,
} from '../ctap/largeBlobArray.js';
import { concatBytes } from '../util/bytes.js';
import { pinUvAuthParam, type PinUvAuthToken } from './clientPin.js';
import type { AuthenticatorInfo, Ctap2Client } from './ctap2.js';
import { hostRandom } from '../util/randomPool.js';

export type { Compression } from '../ctap/largeBlobArray.js';

export interface LargeBlobsOptions {
  compression: Compression;
  /** A token with the lbw permission: needed to write to a key with a PIN or built-in UV. */
  token?: PinUvAuthToken;
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
    return largeBlobArrayEntries(this.ctap.crypto, await this.readSerialized());
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

  /** The plaintext of an entry sealed with `key`, else undefined. */
  open(key: Uint8Array, entry: CborValue): Uint8Array | undefined {
    return openLargeBlob(this.ctap.crypto, this.options.compression, key, entry);
  }

  /** A large-blob map for `data`, sealed with `key` under a fresh 12-byte nonce. */
  seal(key: Uint8Array, data: Uint8Array): Map<number, CborEncodable> {
    return sealLargeBlob(this.ctap.crypto, this.options.compression, key, data, hostRandom(12));
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
      if (unsealLargeBlob(this.ctap.crypto, largeBlobKey, entry)) modified = true;
      else kept.push(entry as CborEncodable);
    }
    if (data !== undefined) kept.push(this.seal(largeBlobKey, data));
    if (modified) await this.writeBlobArray(kept);
  }

  async deleteBlob(largeBlobKey: Uint8Array): Promise<void> {
    return this.putBlob(largeBlobKey, undefined);
  }
}
