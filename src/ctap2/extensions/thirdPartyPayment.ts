// thirdPartyPayment extension (CTAP 2.2 §12.9): a credential made with it may be used for payments
// a party other than its RP starts (Secure Payment Confirmation). The flag is kept with the
// credential (the store's third_party_payment, or the sealed ID's flags) and reported when asked.
import type { CborValue } from '../../ctap/cbor.js';
import { asBool } from '../../ctap/params.js';

export const THIRD_PARTY_PAYMENT = 'thirdPartyPayment';

/** makeCredential input: `true` marks the new credential; getAssertion input: `true` asks whether it is marked. */
export function parseThirdPartyPayment(v: CborValue | undefined): boolean {
  return v === undefined ? false : asBool(v, 'extensions.thirdPartyPayment');
}
