// The attestation statement of a new credential (WebAuthn L3 §8): packed basic with the batch
// certificate, packed self, or none, as the platform prefers (CTAP 2.2 §6.1.2 step 19).
import type { CborEncodable } from '../../ctap/cbor.js';
import { CoseAlg, type CoseAlgorithm } from '../../ctap/cose.js';
import { concatBytes } from '../../util/bytes.js';
import type { CommandContext } from '../context.js';
import { attestationOf } from './batch.js';

/** Formats this key can produce, in its order of preference. */
export const ATTESTATION_FORMATS = ['packed', 'none'] as const;
export type AttestationFormat = (typeof ATTESTATION_FORMATS)[number];

/** CTAP 2.2 §6.1.2: the first supported format in the platform's preference, else packed. */
export function chooseFormat(preference: string[] | undefined): AttestationFormat {
  const found = preference?.find((f) => (ATTESTATION_FORMATS as readonly string[]).includes(f));
  return (found as AttestationFormat | undefined) ?? 'packed';
}

export interface AttestationInput {
  fmt: AttestationFormat;
  authData: Uint8Array;
  clientDataHash: Uint8Array;
  /** The credential's own key, for self attestation. */
  alg: CoseAlgorithm;
  privateKey: Uint8Array;
  /** Enterprise attestation was granted: always this key's enterprise certificate, whatever the configuration. */
  enterprise: boolean;
}

/** The attStmt map for `fmt` (WebAuthn L3 §8.2 packed, §8.7 none). */
export function attestationStatement(ctx: CommandContext, a: AttestationInput): Record<string, CborEncodable> {
  if (a.fmt === 'none') return {};
  const signed = concatBytes(a.authData, a.clientDataHash);
  if (ctx.config.attestation === 'self' && !a.enterprise) {
    // §8.2 self attestation: the credential's own key, its own alg, no x5c.
    return { alg: a.alg, sig: ctx.crypto.sign(a.alg, a.privateKey, signed) };
  }
  // §8.2 basic: the batch (or this key's enterprise) key signs with ES256 whatever the credential's algorithm.
  const m = attestationOf(ctx, a.enterprise ? 'enterprise' : 'batch');
  return { alg: CoseAlg.ES256, sig: ctx.crypto.sign(CoseAlg.ES256, m.privateKey, signed), x5c: m.x5c };
}
