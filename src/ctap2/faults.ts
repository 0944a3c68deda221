// Fault injection the core must apply itself (env.faults): changes to what is signed, made before
// signing, so the signature stays valid and a host has to reject the content, not the signature.
// Which request gets which fault is decided outside (node/faults); the core only asks and applies.
import { AuthDataFlag } from '../ctap/constants.js';

/** The response about to be signed. */
export interface SigningTarget {
  command: 'makeCredential' | 'getAssertion' | 'getNextAssertion' | 'U2F_AUTHENTICATE';
  /** CTAP2 names the RP; U2F only its hash, the application parameter. */
  rpId?: string;
  rpIdHash?: Uint8Array;
  credentialId: Uint8Array;
}

/** What to change in it. Flags are set, then cleared, then flipped; only UP, UV, BE and BS. */
export interface SigningFault {
  flags?: { set?: number; clear?: number; flip?: number };
  /** Put in the authenticator data in place of SHA-256(rpId). */
  rpIdHash?: Uint8Array;
  /** getAssertion's user entity (unsigned, but a host relies on it): left out, or this one given. */
  user?: 'omit' | { id: Uint8Array };
  /** U2F_AUTHENTICATE: the counter given and signed in place of the key's own (which still goes on). */
  signCount?: number;
}

export interface Faults {
  /** Asked once per signature the key is about to make; undefined: no fault. */
  signing(target: SigningTarget): SigningFault | undefined;
}

/** The flags a fault may touch: AT and ED follow from the content and stay truthful. */
export const FAULTABLE_FLAGS = AuthDataFlag.UP | AuthDataFlag.UV | AuthDataFlag.BE | AuthDataFlag.BS;

export function faultedFlags(flags: number, fault: SigningFault | undefined): number {
  const f = fault?.flags;
  if (!f) return flags;
  const out = ((flags | (f.set ?? 0)) & ~(f.clear ?? 0)) ^ (f.flip ?? 0);
  return (out & FAULTABLE_FLAGS) | (flags & ~FAULTABLE_FLAGS);
}
