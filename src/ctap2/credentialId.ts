// Non-discoverable credential IDs: the key itself, sealed under a device key and bound to the RP ID
// hash, so these credentials need no storage and a foreign ID is simply not found. (Discoverable
// credentials get random IDs and live in the store.)
import { isSupportedAlgorithm, privateKeyLength, type Crypto } from '../ctap/crypto.js';
import type { CoseAlgorithm } from '../ctap/cose.js';

/**
 * 3: the key's length follows from its algorithm (48 bytes for ES384), the thirdPartyPayment flag,
 * and the version byte bound into the AAD. 2 added the hmac-secret flag; IDs of version 1 answered
 * hmac-secret whatever they were made with. Versions 1 and 2 hold 32-byte keys and stay readable.
 */
const VERSION = 0x03;
const VERSION_2 = 0x02;
const VERSION_1 = 0x01;
const NONCE_LENGTH = 12;
const HEADER_LENGTH = 4; // flags, credProtect, alg (int16)
const TAG_LENGTH = 16;
const OVERHEAD = 1 + NONCE_LENGTH + HEADER_LENGTH + TAG_LENGTH;
/** The length of every ID of versions 1 and 2 (and of version 3 with a 32-byte key). */
const LEGACY_LENGTH = OVERHEAD + 32;
/** The longest ID this key makes: an ES384 key (RS256 credentials are discoverable only). */
export const CREDENTIAL_ID_LENGTH = OVERHEAD + 48;

const Flag = { discoverable: 0x01, hmacSecret: 0x02, thirdPartyPayment: 0x04 } as const;

export interface CredentialSecret {
  alg: CoseAlgorithm;
  privateKey: Uint8Array;
  credProtect: number;
  /** Made with hmac-secret (CTAP 2.1 §12.5): only such credentials answer it. */
  hmacSecret: boolean;
  /** Made with thirdPartyPayment (CTAP 2.2): getAssertion reports it when asked. */
  thirdPartyPayment?: boolean;
  /** Sealed into discoverable IDs by earlier versions: valid only while the store holds the credential. */
  discoverable?: boolean;
}

/** Version 3 authenticates its version byte too, so an ID cannot be passed off as another version's. */
const aadOf = (version: number, rpIdHash: Uint8Array): Uint8Array => {
  if (version !== VERSION) return rpIdHash;
  const aad = new Uint8Array(1 + rpIdHash.length);
  aad[0] = version;
  aad.set(rpIdHash, 1);
  return aad;
};

export function sealCredentialId(crypto: Crypto, key: Uint8Array, nonce: Uint8Array, rpIdHash: Uint8Array, secret: CredentialSecret): Uint8Array {
  const keyLength = privateKeyLength(secret.alg);
  if (keyLength === undefined || secret.privateKey.length !== keyLength) throw new RangeError(`no sealed credential ID for algorithm ${secret.alg}`);
  const plain = new Uint8Array(HEADER_LENGTH + keyLength);
  plain[0] =
    (secret.discoverable ? Flag.discoverable : 0) | (secret.hmacSecret ? Flag.hmacSecret : 0) | (secret.thirdPartyPayment ? Flag.thirdPartyPayment : 0);
  plain[1] = secret.credProtect;
  new DataView(plain.buffer).setInt16(2, secret.alg);
  plain.set(secret.privateKey, HEADER_LENGTH);
  const out = new Uint8Array(OVERHEAD + keyLength);
  out[0] = VERSION;
  out.set(nonce, 1);
  out.set(crypto.aeadSeal(key, nonce, plain, aadOf(VERSION, rpIdHash)), 1 + NONCE_LENGTH);
  plain.fill(0);
  return out;
}

/** The sealed secret, or undefined when the ID is not one of this device's for this RP. */
export function openCredentialId(crypto: Crypto, key: Uint8Array, rpIdHash: Uint8Array, id: Uint8Array): CredentialSecret | undefined {
  const version = id[0];
  const legacy = version === VERSION_1 || version === VERSION_2;
  if (legacy ? id.length !== LEGACY_LENGTH : version !== VERSION || id.length < LEGACY_LENGTH || id.length > CREDENTIAL_ID_LENGTH) return undefined;
  const plain = crypto.aeadOpen(key, id.subarray(1, 1 + NONCE_LENGTH), id.subarray(1 + NONCE_LENGTH), aadOf(version, rpIdHash));
  if (!plain) return undefined;
  const alg = new DataView(plain.buffer, plain.byteOffset).getInt16(2);
  if (!isSupportedAlgorithm(alg) || privateKeyLength(alg) !== plain.length - HEADER_LENGTH) return undefined;
  const flags = plain[0]!;
  return {
    discoverable: (flags & Flag.discoverable) !== 0,
    hmacSecret: version === VERSION_1 || (flags & Flag.hmacSecret) !== 0,
    thirdPartyPayment: version === VERSION && (flags & Flag.thirdPartyPayment) !== 0,
    credProtect: plain[1]!,
    alg,
    privateKey: plain.slice(HEADER_LENGTH),
  };
}
