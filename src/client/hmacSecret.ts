// The host side of hmac-secret (CTAP 2.1 §12.5) and the WebAuthn PRF extension built on it
// (WebAuthn L3 §10.1.4): salts encrypted to the key, outputs decrypted from the authenticator data.
import type { CborEncodable } from '../ctap/cbor.js';
import type { Crypto } from '../ctap/crypto.js';
import { nobleCrypto } from '../ctap/nobleCrypto.js';
import { HmacSecretKey } from '../ctap/keys.js';
import { concatBytes, utf8 } from '../util/bytes.js';
import type { ClientPin } from './clientPin.js';
import { request } from './ctap2.js';
import { hostRandom } from '../util/randomPool.js';

export interface HmacSecretSession {
  /** The getAssertion extension input (HmacSecretKey: keyAgreement, saltEnc, saltAuth, pinUvAuthProtocol). */
  input: Map<number, CborEncodable>;
  /** Decrypts the authenticator's output into one or two 32-byte secrets. */
  outputs(encrypted: Uint8Array): Uint8Array[];
}

export async function hmacSecretSession(pin: ClientPin, salt1: Uint8Array, salt2?: Uint8Array): Promise<HmacSecretSession> {
  if (salt1.length !== 32 || (salt2 && salt2.length !== 32)) throw new RangeError('hmac-secret salts are 32 bytes');
  const { platformKey, shared } = await pin.keyAgreement();
  const p = pin.protocol;
  const saltEnc = p.encrypt(shared, salt2 ? concatBytes(salt1, salt2) : salt1, hostRandom(16));
  return {
    input: request(HmacSecretKey, { keyAgreement: platformKey, saltEnc, saltAuth: p.authenticate(shared, saltEnc), pinUvAuthProtocol: p.version }),
    outputs: (encrypted) => {
      const plain = p.decrypt(shared, encrypted);
      if (!plain || (plain.length !== 32 && plain.length !== 64)) throw new Error('malformed hmac-secret output');
      return plain.length === 64 ? [plain.slice(0, 32), plain.slice(32)] : [plain];
    },
  };
}

/** WebAuthn PRF: the salt for an input is SHA-256("WebAuthn PRF" || 0x00 || input). */
export function prfSalt(input: Uint8Array, crypto: Crypto = nobleCrypto): Uint8Array {
  return crypto.sha256(concatBytes(utf8('WebAuthn PRF'), new Uint8Array([0]), input));
}
