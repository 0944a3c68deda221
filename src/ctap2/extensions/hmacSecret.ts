// hmac-secret extension (CTAP 2.1 §12.5): a per-credential secret the platform can turn salts into
// keys with (disk encryption, password managers, WebAuthn PRF). CredRandom is derived, not stored:
// the key store's HMAC over the credential ID, one value with UV, one without. Only credentials made
// with hmac-secret answer it.
import type { CborValue } from '../../ctap/cbor.js';
import { asBool, asBytes, asMap, asUint, optional, required } from '../../ctap/params.js';
import { sharedSecret } from '../pin/pinCheck.js';
import { protocolFor, verifyMac } from '../../ctap/pinUvAuthProtocol.js';
import type { CommandContext } from '../context.js';
import type { HmacSecretRequest } from '../session.js';
import { CtapError, Status } from '../../ctap/status.js';
import { concatBytes } from '../../util/bytes.js';
import { HmacSecretKey } from '../../ctap/keys.js';

export const HMAC_SECRET = 'hmac-secret';

/** makeCredential input: `true` asks for a CredRandom. */
export function parseHmacSecretCreate(v: CborValue | undefined): boolean {
  return v === undefined ? false : asBool(v, 'extensions.hmac-secret');
}

/**
 * getAssertion input (and hmac-secret-mc's at makeCredential, `name` telling which): checks
 * saltAuth and decrypts the one or two 32-byte salts.
 */
export function parseHmacSecretGet(ctx: CommandContext, v: CborValue | undefined, name = HMAC_SECRET): HmacSecretRequest | undefined {
  if (v === undefined) return undefined;
  const K = HmacSecretKey;
  const m = asMap(v, `extensions.${name}`);
  const keyAgreement = required(m, K.keyAgreement, (x) => x, `${name}.keyAgreement`);
  const saltEnc = required(m, K.saltEnc, asBytes, `${name}.saltEnc`);
  const saltAuth = required(m, K.saltAuth, asBytes, `${name}.saltAuth`);
  const protocol = protocolFor(optional(m, K.pinUvAuthProtocol, asUint, `${name}.pinUvAuthProtocol`) ?? 1, ctx.crypto);
  const shared = sharedSecret(ctx, protocol, keyAgreement);
  if (!verifyMac(protocol, shared, saltEnc, saltAuth)) throw new CtapError(Status.CTAP2_ERR_PIN_AUTH_INVALID, `${name} saltAuth`);
  const salts = protocol.decrypt(shared, saltEnc);
  if (!salts || (salts.length !== 32 && salts.length !== 64)) {
    throw new CtapError(Status.CTAP1_ERR_INVALID_LENGTH, `${name} takes one or two 32-byte salts`);
  }
  return { protocol, shared, salts };
}

/** The extension output: encrypt(shared, HMAC(CredRandom, salt1) [|| HMAC(CredRandom, salt2)]). */
export function hmacSecretOutput(ctx: CommandContext, req: HmacSecretRequest, credentialId: Uint8Array, uv: boolean): Uint8Array {
  const cr = ctx.keys.credRandom(credentialId, uv);
  const outputs = [ctx.crypto.hmacSha256(cr, req.salts.subarray(0, 32))];
  if (req.salts.length === 64) outputs.push(ctx.crypto.hmacSha256(cr, req.salts.subarray(32)));
  return req.protocol.encrypt(req.shared, concatBytes(...outputs), ctx.env.randomBytes(16));
}
