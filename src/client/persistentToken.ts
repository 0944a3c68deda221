// The host's side of CTAP 2.2's persistent pinUvAuthToken (pcmr): get it once with the PIN, keep it,
// and later recognise the key (encIdentifier) and see whether its discoverable credentials changed
// (encCredStoreState, CTAP 2.3) from getInfo alone, without the PIN.
import type { Crypto } from '../ctap/crypto.js';
import { nobleCrypto } from '../ctap/nobleCrypto.js';

/**
 * The 16 bytes inside encIdentifier or encCredStoreState (iv || one AES-128-CBC block, the key
 * HKDF-SHA-256 of the persistent token with 32 zero bytes of salt and the member's name as info).
 * Undefined when the member is missing or malformed.
 */
export function openInfoMember(
  token: Uint8Array,
  label: 'encIdentifier' | 'encCredStoreState',
  member: Uint8Array | undefined,
  crypto: Crypto = nobleCrypto,
): Uint8Array | undefined {
  if (!(member instanceof Uint8Array) || member.length !== 32) return undefined;
  const key = crypto.hkdfSha256(token, new Uint8Array(32), label, 16);
  return crypto.cbcDecrypt(key, member.subarray(0, 16), member.subarray(16));
}
