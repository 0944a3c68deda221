// Attestation as the browser hands it to the page (WebAuthn L3 §5.1.3, attestation conveyance).
import type { CborMap } from '../ctap/cbor.js';
import { AuthDataFlag } from '../ctap/constants.js';
import type { AttestationResponse } from './ctap2.js';

/** Where the AAGUID sits in authenticator data: after rpIdHash (32), flags (1), signCount (4). */
const AAGUID_OFFSET = 37;
const AAGUID_LENGTH = 16;

/**
 * WebAuthn L3 §5.1.3 step 22 ("none" conveyance): self attestation (zero AAGUID, packed, no x5c)
 * stays; anything else becomes fmt "none" with an empty attStmt and a zero AAGUID (§8.7), so the
 * page learns nothing that identifies the make of key. Works with keys that ignore
 * attestationFormatsPreference (CTAP 2.1 and older).
 */
export function conveyNone(att: AttestationResponse): AttestationResponse {
  const aaguid = att.authData.subarray(AAGUID_OFFSET, AAGUID_OFFSET + AAGUID_LENGTH);
  const zero = aaguid.every((b) => b === 0);
  if (zero && att.fmt === 'packed' && !att.attStmt.has('x5c')) return att;
  const authData = att.authData.slice();
  if (authData[32]! & AuthDataFlag.AT) authData.fill(0, AAGUID_OFFSET, AAGUID_OFFSET + AAGUID_LENGTH);
  return { fmt: 'none', attStmt: new Map() as CborMap, authData };
}
