// hmac-secret-mc extension (CTAP 2.2 §12.8): hmac-secret's outputs already at makeCredential, so a
// platform (WebAuthn PRF at create()) has its secrets without a getAssertion. The input is
// getAssertion's hmac-secret input; the outputs are the ones a getAssertion with the same salts
// and the same uv gives (CredRandom is derived from the credential ID: hmacSecret.ts).
import type { CborValue } from '../../ctap/cbor.js';
import type { CommandContext } from '../context.js';
import type { HmacSecretRequest } from '../session.js';
import { parseHmacSecretGet } from './hmacSecret.js';

export const HMAC_SECRET_MC = 'hmac-secret-mc';

/**
 * The salts, checked and decrypted. The extension rides on hmac-secret: without `hmac-secret: true`
 * in the same request its (still checked) input is ignored, as platforms never send it alone.
 */
export function parseHmacSecretMc(ctx: CommandContext, v: CborValue | undefined, hmacSecret: boolean): HmacSecretRequest | undefined {
  const req = parseHmacSecretGet(ctx, v, HMAC_SECRET_MC);
  return hmacSecret ? req : undefined;
}
