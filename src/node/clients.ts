// The host roles as the package gives them to Node users: the portable WebAuthn and CTAP2 clients
// (client/ may not import node:*) with OpenSSL as their default crypto, so a passkey flow against a
// VirtualAuthenticator runs OpenSSL on both sides. ClientPin and the rest take the Ctap2Client's.
import type { CtapHidHost } from '../hid/host.js';
import { Ctap2Client as PortableCtap2Client, type Ctap2ClientOptions } from '../client/ctap2.js';
import { WebAuthnClient as PortableWebAuthnClient, type HidConnectable, type WebAuthnClientOptions } from '../client/webauthn.js';
import { LargeBlobs as PortableLargeBlobs, type Compression, type LargeBlobsOptions } from '../client/largeBlobs.js';
import type { AuthenticatorInfo } from '../client/ctap2.js';
import { deflateRawSync, inflateRawSync, inflateSync } from 'node:zlib';
import { NodeCrypto } from './nodeCrypto.js';

/**
 * node:zlib's DEFLATE for large blobs: raw (RFC 1951) as CTAP 2.1 §6.10.3 says; read back as raw, or
 * as zlib-wrapped (RFC 1950), which python-fido2 0.9.1 and early libfido2 wrote.
 */
export const nodeCompression: Compression = {
  compress: (data) => new Uint8Array(deflateRawSync(data)),
  decompress(data, maxLength) {
    const limit = { maxOutputLength: Math.max(1, maxLength) };
    try {
      return new Uint8Array(inflateRawSync(data, limit));
    } catch {
      return new Uint8Array(inflateSync(data, limit));
    }
  },
};

/** LargeBlobs compressing with node:zlib unless options.compression says otherwise. */
export class LargeBlobs extends PortableLargeBlobs {
  constructor(ctap: PortableCtap2Client, info: AuthenticatorInfo, options: Partial<LargeBlobsOptions> = {}) {
    super(ctap, info, { ...options, compression: options.compression ?? nodeCompression });
  }
}

/** WebAuthnClient computing with node:crypto unless options.crypto says otherwise. */
export class WebAuthnClient extends PortableWebAuthnClient {
  constructor(key: HidConnectable, options: WebAuthnClientOptions) {
    super(key, { ...options, crypto: options.crypto ?? new NodeCrypto({ keyCacheSize: 0 }), compression: options.compression ?? nodeCompression });
  }
}

/** Ctap2Client computing with node:crypto unless options.crypto says otherwise. */
export class Ctap2Client extends PortableCtap2Client {
  constructor(hid: CtapHidHost, options: Ctap2ClientOptions = {}) {
    super(hid, { ...options, crypto: options.crypto ?? new NodeCrypto({ keyCacheSize: 0 }) });
  }
}
