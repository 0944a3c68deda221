// U2F_REGISTER (FIDO U2F Raw Message Formats §4): a new P-256 credential for an application,
// attested by the batch certificate. The key handle is the sealed credential ID the CTAP2 side
// makes for non-discoverable credentials, bound to the application parameter as rpIdHash, so a
// U2F registration answers CTAP2 getAssertion for the RP ID whose SHA-256 that is (CTAP 2.1 §10).
import { CredProtect } from '../../ctap/constants.js';
import { CoseAlg } from '../../ctap/cose.js';
import { concatBytes } from '../../util/bytes.js';
import type { CommandContext } from '../context.js';
import { Ctap1Error, StatusWord, type Apdu } from './apdu.js';
import { takePresence } from './presence.js';
import { attestationOf } from '../attestation/batch.js';
import { createCredential } from '../credentials.js';

/** §4.3: the reserved byte that opens a registration response, and the one the signed data opens with. */
const REGISTER_ID = 0x05;
const SIGNED_PREFIX = 0x00;

export function register(ctx: CommandContext, apdu: Apdu): Uint8Array {
  // §4.1: challenge parameter (32) and application parameter (32).
  if (apdu.data.length !== 64) throw new Ctap1Error(StatusWord.SW_WRONG_LENGTH, 'REGISTER takes 64 bytes');
  const challenge = apdu.data.subarray(0, 32);
  const application = apdu.data.subarray(32, 64);
  if (!takePresence(ctx, concatBytes(new Uint8Array([apdu.ins]), apdu.data), { command: 'ctap1' })) {
    throw new Ctap1Error(StatusWord.SW_CONDITIONS_NOT_SATISFIED, 'waiting for a touch');
  }
  // The credential CTAP2 makes for a non-discoverable request of the RP whose ID hash is `application`.
  const cred = createCredential(ctx, {
    alg: CoseAlg.ES256, rpIdHash: application, credProtect: CredProtect.userVerificationOptional,
    hmacSecret: false, thirdPartyPayment: false, discoverable: false,
  });
  cred.privateKey.fill(0);
  const { id: keyHandle, publicKey } = cred;
  // §4.3: the attestation signature over 0x00 | application | challenge | key handle | public key.
  const m = attestationOf(ctx);
  const signed = concatBytes(new Uint8Array([SIGNED_PREFIX]), application, challenge, keyHandle, publicKey);
  const signature = ctx.crypto.sign(CoseAlg.ES256, m.privateKey, signed);
  return concatBytes(new Uint8Array([REGISTER_ID]), publicKey, new Uint8Array([keyHandle.length]), keyHandle, m.x5c[0]!, signature);
}
