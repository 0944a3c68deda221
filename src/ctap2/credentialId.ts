// Credential IDs: the key itself, sealed under the device's master secret and bound to the RP ID
// hash, so non-discoverable credentials need no storage and a foreign ID is simply not found.
import { aeadOpen, aeadSeal, hkdfSha256, isSupportedAlgorithm } from '../ctap/crypto.js';
import type { CoseAlgorithm } from '../ctap/cose.js';

const VERSION = 0x01;
const NONCE_LENGTH = 12;
const PLAIN_LENGTH = 4 + 32; // flags, credProtect, alg (int16), private key
const TAG_LENGTH = 16;
export const CREDENTIAL_ID_LENGTH = 1 + NONCE_LENGTH + PLAIN_LENGTH + TAG_LENGTH;

export interface CredentialSecret {
  alg: CoseAlgorithm;
  privateKey: Uint8Array;
  credProtect: number;
  /** The credential is discoverable: it is valid only while the store still holds it. */
  discoverable: boolean;
}

export function credentialIdKey(masterSecret: Uint8Array): Uint8Array {
  return hkdfSha256(masterSecret, new Uint8Array(32), 'ctap-emu credential id v1', 32);
}

export function sealCredentialId(
  key: Uint8Array,
  nonce: Uint8Array,
  rpIdHash: Uint8Array,
  secret: CredentialSecret,
): Uint8Array {
  const plain = new Uint8Array(PLAIN_LENGTH);
  plain[0] = secret.discoverable ? 1 : 0;
  plain[1] = secret.credProtect;
  new DataView(plain.buffer).setInt16(2, secret.alg);
  plain.set(secret.privateKey, 4);
  const out = new Uint8Array(CREDENTIAL_ID_LENGTH);
  out[0] = VERSION;
  out.set(nonce, 1);
  out.set(aeadSeal(key, nonce, plain, rpIdHash), 1 + NONCE_LENGTH);
  plain.fill(0);
  return out;
}

/** The sealed secret, or undefined when the ID is not one of this device's for this RP. */
export function openCredentialId(key: Uint8Array, rpIdHash: Uint8Array, id: Uint8Array): CredentialSecret | undefined {
  if (id.length !== CREDENTIAL_ID_LENGTH || id[0] !== VERSION) return undefined;
  const plain = aeadOpen(key, id.subarray(1, 1 + NONCE_LENGTH), id.subarray(1 + NONCE_LENGTH), rpIdHash);
  if (!plain) return undefined;
  const alg = new DataView(plain.buffer, plain.byteOffset).getInt16(2);
  if (!isSupportedAlgorithm(alg)) return undefined;
  return { discoverable: plain[0] === 1, credProtect: plain[1]!, alg, privateKey: plain.slice(4) };
}
