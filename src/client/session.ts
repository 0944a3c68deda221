// What one WebAuthnClient call works with: the key's CTAP2 client and getInfo, the client's
// options, and the JSON shapes both ceremonies return.
import { fromBase64url, toBase64url } from '../util/bytes.js';
import type { Crypto } from '../ctap/crypto.js';
import type { Compression } from './largeBlobs.js';
import type { AssertionResponse, AuthenticatorInfo, Ctap2Client } from './ctap2.js';
import type { CredentialDescriptorJSON, PublicKeyCredentialJSON } from './webauthnTypes.js';

export interface WebAuthnClientOptions {
  /** The page's origin, e.g. https://example.com. */
  origin: string;
  /**
   * An account chooser: when several discoverable credentials match, the client walks them all
   * (getNextAssertion) and this picks one. Without it the client takes the key's first answer (its
   * newest credential) and walks nothing, which costs the same with 3 passkeys or 100,000.
   */
  selectAccount?(accounts: AssertionResponse[]): number | Promise<number>;
  /** Default ceremony time-out when the options give none (ms). */
  timeoutMs?: number;
  /** The key's PIN, entered whenever the key asks for user verification with it. */
  pin?: string;
  /** What the client computes with (client data hash, key agreement, PIN/UV protocol); default nobleCrypto. */
  crypto?: Crypto;
  /** DEFLATE for the largeBlob extension (client/ has none of its own; the Node WebAuthnClient gives node:zlib's). */
  compression?: Compression;
}

export interface Session {
  ctap: Ctap2Client;
  info: AuthenticatorInfo;
  options: WebAuthnClientOptions;
  /**
   * When the ceremony times out, as a performance.now() time (from the options' timeout, else the
   * client's default, counted from the start of the call): the request that waits for the user is
   * cancelled then. NotAllowedError when that time has passed already.
   */
  deadline(timeout: number | undefined): number;
}

export type Descriptor = { id: Uint8Array; type: string };

export const descriptors = (list: CredentialDescriptorJSON[] | undefined): Descriptor[] =>
  (list ?? []).map((d) => ({ id: fromBase64url(d.id), type: d.type }));

/** The PublicKeyCredential JSON around a response (WebAuthn §5.1, toJSON()). */
export function credentialJSON<R>(rawId: Uint8Array, clientExtensionResults: Record<string, unknown>, response: R): PublicKeyCredentialJSON<R> {
  const id = toBase64url(rawId);
  return { id, rawId: id, type: 'public-key', authenticatorAttachment: 'cross-platform', response, clientExtensionResults };
}
