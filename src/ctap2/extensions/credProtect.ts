// credProtect extension (CTAP 2.1 §12.1): a credential's level of protection against being
// discovered or used without user verification.
import { asUint } from '../../ctap/params.js';
import type { CborValue } from '../../ctap/cbor.js';
import { CredProtect } from '../../ctap/constants.js';
import { CtapError, Status } from '../../ctap/status.js';

export const CRED_PROTECT = 'credProtect';

/** The requested level from makeCredential's extensions input; default userVerificationOptional. */
export function parseCredProtect(input: CborValue | undefined): number {
  if (input === undefined) return CredProtect.userVerificationOptional;
  const level = asUint(input, 'extensions.credProtect');
  if (level < 1 || level > 3) throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, 'credProtect level');
  return level;
}

/**
 * Whether a credential may be used in getAssertion (CTAP 2.1 §12.1 table): level 2 needs the
 * credential named in allowList or uv, level 3 needs uv.
 */
export function credProtectAllows(level: number, uv: boolean, fromAllowList: boolean): boolean {
  if (uv) return true;
  if (level === CredProtect.userVerificationRequired) return false;
  if (level === CredProtect.userVerificationOptionalWithCredentialIDList) return fromAllowList;
  return true;
}

/** The highest level a getAssertion without allowList may find (the table above): all with uv, else level 1 only. */
export function discoverableLevel(uv: boolean): number {
  return uv ? CredProtect.userVerificationRequired : CredProtect.userVerificationOptional;
}
