// Non-discoverable credential IDs: the key itself, sealed under a device key and bound to the RP ID
// hash, so these credentials need no storage and a foreign ID is simply not found. (Discoverable
// credentials get random IDs and live in the store.)
import { isSupportedAlgorithm, type Crypto } from '../ctap/crypto.js';
import type { CoseAlgorithm } from '../ctap/cose.js';

/** 2 added the hmac-secret flag; IDs of version 1 answered hmac-secret whatever they were made with. */
const VERSION = 0x02;
const VERSION_1 = 0x01;
const NONCE_LENGTH = 12;
const PLAIN_LENGTH = 4 + 32; // flags, credProtect, alg (int16), private key
const TAG_LENGTH = 16;
export const CREDENTIAL_ID_LENGTH = 1 + NONCE_LENGTH + PLAIN_LENGTH + TAG_LENGTH;

const Flag = { discoverable: 0x01, hmacSecret: 0x02 } as const;

export interface CredentialSecret {
  alg: CoseAlgorithm;
  privateKey: Uint8Array;
  credProtect: number;
  /** Made with hmac-secret (CTAP 2.1 §12.5): only such credentials answer it. */
  hmacSecret: boolean;
  /** Sealed into discoverable IDs by earlier versions: valid only while the store holds the credential. */
  discoverable?: boolean;
}

export function sealCredentialId(crypto: Crypto, key: Uint8Array, nonce: Uint8Array, rpIdHash: Uint8Array, secret: CredentialSecret): Uint8Array {
  const plain = new Uint8Array(PLAIN_LENGTH);
  plain[0] = (secret.discoverable ? Flag.discoverable : 0) | (secret.hmacSecret ? Flag.hmacSecret : 0);
  plain[1] = secret.credProtect;
  new DataView(plain.buffer).setInt16(2, secret.alg);
  plain.set(secret.privateKey, 4);
  const out = new Uint8Array(CREDENTIAL_ID_LENGTH);
  out[0] = VERSION;
  out.set(nonce, 1);
  out.set(crypto.aeadSeal(key, nonce, plain, rpIdHash), 1 + NONCE_LENGTH);
  plain.fill(0);
  return out;
}

/** The sealed secret, or undefined when the ID is not one of this device's for this RP. */
export function openCredentialId(crypto: Crypto, key: Uint8Array, rpIdHash: Uint8Array, id: Uint8Array): CredentialSecret | undefined {
  if (id.length !== CREDENTIAL_ID_LENGTH || (id[0] !== VERSION && id[0] !== VERSION_1)) return undefined;
  const plain = crypto.aeadOpen(key, id.subarray(1, 1 + NONCE_LENGTH), id.subarray(1 + NONCE_LENGTH), rpIdHash);
  if (!plain) return undefined;
  const alg = new DataView(plain.buffer, plain.byteOffset).getInt16(2);
  if (!isSupportedAlgorithm(alg)) return undefined;
  const flags = plain[0]!;
  return {
    discoverable: (flags & Flag.discoverable) !== 0,
    hmacSecret: id[0] === VERSION_1 || (flags & Flag.hmacSecret) !== 0,
    credProtect: plain[1]!,
    alg,
    privateKey: plain.slice(4),
  };
}
