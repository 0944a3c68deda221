// The WebAuthn largeBlob extension (WebAuthn L3 §10.1.5) over CTAP largeBlobKey and
// authenticatorLargeBlobs, as Chrome maps it: support at create() asks for a largeBlobKey; read or
// write at get() asks for it again and reads or rewrites the credential's entry of the array.
import { Permission } from '../ctap/permissions.js';
import { fromBase64url, toBase64url } from '../util/bytes.js';
import type { PinUvAuthToken } from './clientPin.js';
import type { AssertionResponse, AuthenticatorInfo } from './ctap2.js';
import { LargeBlobs } from './largeBlobs.js';
import type { Session } from './session.js';
import { WebAuthnError } from './webauthnErrors.js';
import type { ExtensionsInputJSON, PrfInput } from './webauthnTypes.js';

type LargeBlobInput = NonNullable<ExtensionsInputJSON['largeBlob']>;

/** The key has what the extension needs: largeBlobKey, and the largeBlobs command. */
export function largeBlobSupported(info: AuthenticatorInfo): boolean {
  return info.options.largeBlobs === true && info.extensions.includes('largeBlobKey');
}

/** A PRF or blob input as WebAuthn takes it: base64url (the JSON form) or bytes. */
export function bytesOf(v: PrfInput): Uint8Array {
  if (typeof v === 'string') return fromBase64url(v);
  return v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * create(): whether to ask for a largeBlobKey. read or write is for get() (NotSupportedError); with
 * "required", a key or a credential that cannot have one is NotSupportedError (a largeBlobKey needs
 * a discoverable credential, CTAP 2.1 §12.3).
 */
export function largeBlobCreateInput(input: LargeBlobInput | undefined, info: AuthenticatorInfo, rk: boolean): boolean {
  if (!input) return false;
  if (input.read !== undefined || input.write !== undefined) throw new WebAuthnError('NotSupportedError', 'largeBlob read and write are for get()');
  const able = largeBlobSupported(info) && rk;
  if (input.support === 'required' && !able) {
    throw new WebAuthnError('NotSupportedError', rk ? 'the key has no large-blob storage' : 'largeBlob needs a discoverable credential');
  }
  return able;
}

/** get(): the checks before the ceremony; whether to ask for the largeBlobKey, and the permission a write adds. */
export function largeBlobGetInput(input: LargeBlobInput | undefined, info: AuthenticatorInfo): { largeBlobKey: boolean; permission: number } {
  if (!input || (input.read === undefined && input.write === undefined)) return { largeBlobKey: false, permission: 0 };
  if (input.support !== undefined) throw new WebAuthnError('NotSupportedError', 'largeBlob support is for create()');
  if (input.read !== undefined && input.write !== undefined) throw new WebAuthnError('NotSupportedError', 'largeBlob takes read or write, not both');
  if (!largeBlobSupported(info)) return { largeBlobKey: false, permission: 0 };
  return { largeBlobKey: true, permission: input.write !== undefined ? Permission.lbw : 0 };
}

/** get(): after the assertion, the read ({blob}) or the write ({written}). */
export async function largeBlobGetResult(
  s: Session,
  input: LargeBlobInput | undefined,
  picked: AssertionResponse,
  token: PinUvAuthToken | undefined,
): Promise<Record<string, unknown>> {
  if (!input || (input.read === undefined && input.write === undefined)) return {};
  const key = picked.largeBlobKey;
  const compression = s.options.compression;
  if (input.read) {
    if (!key || !compression) return { largeBlob: {} };
    const blob = await new LargeBlobs(s.ctap, s.info, { compression }).getBlob(key).catch(() => undefined);
    return { largeBlob: blob ? { blob: toBase64url(blob) } : {} };
  }
  if (input.write === undefined || !key || !compression) return { largeBlob: { written: false } };
  const written = await new LargeBlobs(s.ctap, s.info, { compression, token })
    .putBlob(key, bytesOf(input.write))
    .then(() => true, () => false);
  return { largeBlob: { written } };
}
