// What a browser does for userVerification (WebAuthn §5.1.3 step 20, CTAP 2.1 §6.1.1, §6.5.5.7):
// with "required", or "preferred" on a key that can verify, get a pinUvAuthToken from the built-in
// method or from the PIN, with the right permission and RP ID, and send its MAC over clientDataHash.
import { ClientPin, pinUvAuthParam, type PinUvAuthToken } from './clientPin.js';
import type { AuthenticatorInfo, Ctap2Client } from './ctap2.js';
import { translate, WebAuthnError } from './webauthnErrors.js';

export interface UvParams {
  pinUvAuthParam?: Uint8Array;
  pinUvAuthProtocol?: number;
  uv?: boolean;
  /** The token the param was made with (a largeBlob write MACs its fragments with it too). */
  token?: PinUvAuthToken;
}

export interface UvRequest {
  /** The RP's userVerification: 'required' | 'preferred' | 'discouraged'. */
  requirement: string | undefined;
  /** The key will verify anyway (a discoverable credential on a makeCredUvNotRqd key...). */
  needed: boolean;
  /** mc or ga, and lbw with them for a largeBlob write. */
  permission: number;
  rpId: string;
  clientDataHash: Uint8Array;
  /** The PIN the "user" types when asked. */
  pin: string | undefined;
}

/** The key can verify its user: a PIN is set, or built-in verification is enrolled. */
export function canVerifyUser(info: AuthenticatorInfo): boolean {
  return info.options.clientPin === true || info.options.uv === true;
}

function wanted(info: AuthenticatorInfo, r: UvRequest): boolean {
  const able = canVerifyUser(info);
  const want = r.requirement === 'required' || (able && (r.requirement !== 'discouraged' || r.needed || info.options.alwaysUv === true));
  if (want && !able) throw new WebAuthnError('NotAllowedError', 'user verification required, and the key has no PIN or built-in verification');
  return want;
}

async function token(ctap: Ctap2Client, info: AuthenticatorInfo, r: UvRequest): Promise<PinUvAuthToken> {
  const cp = new ClientPin(ctap, info.pinUvAuthProtocols);
  if (info.options.uv === true) return cp.getUvToken(r.permission, r.rpId);
  if (r.pin === undefined) throw new WebAuthnError('NotAllowedError', 'the key asks for its PIN: give WebAuthnClient the pin option');
  // CTAP 2.0 keys (no pinUvAuthToken option) know only getPinToken, without permissions.
  const perms = info.options.pinUvAuthToken === true;
  return cp.getPinToken(r.pin, perms ? r.permission : undefined, perms ? r.rpId : undefined);
}

export async function userVerification(ctap: Ctap2Client, info: AuthenticatorInfo, r: UvRequest): Promise<UvParams> {
  if (!wanted(info, r)) return {};
  // A CTAP 2.0 key with built-in UV: the uv option alone asks for it.
  if (info.options.uv === true && !info.options.pinUvAuthToken) return { uv: true };
  try {
    const t = await token(ctap, info, r);
    return { pinUvAuthParam: pinUvAuthParam(t, r.clientDataHash), pinUvAuthProtocol: t.protocol.version, token: t };
  } catch (e) {
    return translate(e);
  }
}
