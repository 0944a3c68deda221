// The makeCredential extensions of CTAP 2.1 §12.4 and CTAP 2.2 (minPinLength, hmac-secret-mc,
// thirdPartyPayment), read and answered in one place so the command handler only calls in.
import type { CborEncodable, CborMap } from '../../ctap/cbor.js';
import type { CommandContext } from '../context.js';
import type { HmacSecretRequest } from '../session.js';
import { hmacSecretOutput } from './hmacSecret.js';
import { HMAC_SECRET_MC, parseHmacSecretMc } from './hmacSecretMc.js';
import { MIN_PIN_LENGTH, minPinLengthOutput, parseMinPinLength } from './minPinLength.js';
import { parseThirdPartyPayment, THIRD_PARTY_PAYMENT } from './thirdPartyPayment.js';

export interface RegistrationExtensions {
  minPinLength: boolean;
  hmacSecretMc?: HmacSecretRequest;
  /** Kept with the credential. */
  thirdPartyPayment: boolean;
}

/** CTAP 2.1 §6.1.2 step 15, the inputs: checked after user verification (hmac-secret-mc does key agreement). */
export function parseRegistrationExtensions(ctx: CommandContext, extensions: CborMap, hmacSecret: boolean): RegistrationExtensions {
  return {
    minPinLength: parseMinPinLength(extensions.get(MIN_PIN_LENGTH)),
    thirdPartyPayment: parseThirdPartyPayment(extensions.get(THIRD_PARTY_PAYMENT)),
    hmacSecretMc: parseHmacSecretMc(ctx, extensions.get(HMAC_SECRET_MC), hmacSecret),
  };
}

/** Step 15, the outputs, added to the authenticator data's extensions. thirdPartyPayment has none at makeCredential. */
export function addRegistrationOutputs(
  ctx: CommandContext,
  ext: RegistrationExtensions,
  made: { rpId: string; credentialId: Uint8Array; uv: boolean },
  out: Map<string, CborEncodable>,
): void {
  if (ext.minPinLength) {
    const min = minPinLengthOutput(ctx, made.rpId);
    if (min !== undefined) out.set(MIN_PIN_LENGTH, min);
  }
  if (ext.hmacSecretMc) out.set(HMAC_SECRET_MC, hmacSecretOutput(ctx, ext.hmacSecretMc, made.credentialId, made.uv));
}
