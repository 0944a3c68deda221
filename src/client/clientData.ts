// The origin checks and the client data a browser makes for a ceremony (WebAuthn §5.1.3, §5.8.1).
import type { Crypto } from '../ctap/crypto.js';
import { fromBase64url, toBase64url, utf8 } from '../util/bytes.js';
import { WebAuthnError } from './webauthnErrors.js';

export function effectiveDomain(origin: string): string {
  const url = new URL(origin);
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && url.hostname === 'localhost');
  if (!secure) throw new WebAuthnError('SecurityError', `${origin} is not a secure context`);
  return url.hostname;
}

/** WebAuthn §5.1.3 step 8 / §5.1.4 step 9: the RP ID (default: the origin's effective domain), checked. */
export function rpIdFor(origin: string, rpId: string | undefined): string {
  const domain = effectiveDomain(origin);
  const id = rpId ?? domain;
  // The RP ID must be the origin's effective domain or a registrable suffix of it.
  if (id !== domain && !domain.endsWith(`.${id}`)) throw new WebAuthnError('SecurityError', `RP ID ${id} is not valid for origin domain ${domain}`);
  return id;
}

/** §5.8.1 CollectedClientData, serialized, and its hash (what the key signs over). */
export function clientData(
  crypto: Crypto, type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string,
): { json: Uint8Array; hash: Uint8Array } {
  const json = utf8(JSON.stringify({ type, challenge: toBase64url(fromBase64url(challenge)), origin, crossOrigin: false }));
  return { json, hash: crypto.sha256(json) };
}
