// Client extensions a browser maps onto CTAP ones (WebAuthn L3 §9, §10): credProps, credProtect
// (CTAP 2.1 §12.1), minPinLength (§12.4), PRF on hmac-secret and hmac-secret-mc (WebAuthn L3
// §10.1.4, CTAP 2.1 §12.5, CTAP 2.2 §12.8), Secure Payment Confirmation's payment on
// thirdPartyPayment (CTAP 2.2 §12.9), credBlob / getCredBlob (CTAP 2.1 §12.2, as Chrome exposes
// them) and largeBlob (largeBlob.ts).
import type { CborEncodable } from '../ctap/cbor.js';
import { CredProtect } from '../ctap/constants.js';
import { fromBase64url, toBase64url } from '../util/bytes.js';
import type { ParsedAuthData } from './authData.js';
import { ClientPin } from './clientPin.js';
import type { AttestationResponse, AuthenticatorInfo, Ctap2Client } from './ctap2.js';
import { bytesOf, largeBlobCreateInput } from './largeBlob.js';
import { hmacSecretSession, prfSalt, type HmacSecretSession } from './hmacSecret.js';
import { translate, WebAuthnError } from './webauthnErrors.js';
import type { ExtensionsInputJSON, PrfValues } from './webauthnTypes.js';

const PROTECTION = {
  userVerificationOptional: CredProtect.userVerificationOptional,
  userVerificationOptionalWithCredentialIDList: CredProtect.userVerificationOptionalWithCredentialIDList,
  userVerificationRequired: CredProtect.userVerificationRequired,
} as const;

/** The makeCredential extension inputs for the client extensions of create(). */
export function createExtensionInputs(ext: ExtensionsInputJSON | undefined, info: AuthenticatorInfo, rk = false): Record<string, CborEncodable> {
  const out: Record<string, CborEncodable> = {};
  // §10.1.4 registration: "If evalByCredential is present, return a NotSupportedError."
  if (ext?.prf?.evalByCredential !== undefined) throw new WebAuthnError('NotSupportedError', 'prf.evalByCredential is for get(), not create()');
  if (ext?.prf !== undefined && info.extensions.includes('hmac-secret')) out['hmac-secret'] = true;
  if (ext?.minPinLength === true && info.extensions.includes('minPinLength')) out.minPinLength = true;
  if (ext?.payment?.isPayment === true && info.extensions.includes('thirdPartyPayment')) out.thirdPartyPayment = true;
  const policy = ext?.credentialProtectionPolicy;
  if (policy && info.extensions.includes('credProtect')) {
    out.credProtect = PROTECTION[policy as keyof typeof PROTECTION] ?? CredProtect.userVerificationOptional;
  }
  if (ext?.credBlob !== undefined && info.extensions.includes('credBlob')) out.credBlob = bytesOf(ext.credBlob);
  if (largeBlobCreateInput(ext?.largeBlob, info, rk)) out.largeBlobKey = true;
  return out;
}

/**
 * PRF at create() with eval (WebAuthn L3 §10.1.4 registration step 3): where the key has
 * hmac-secret-mc, the salts go with makeCredential and the results come back at once, as Chrome
 * does; without it, only `enabled` (the RP then evaluates with get()).
 */
export async function prfCreateSession(ext: ExtensionsInputJSON | undefined, ctap: Ctap2Client, info: AuthenticatorInfo): Promise<HmacSecretSession | undefined> {
  if (!ext?.prf?.eval || !info.extensions.includes('hmac-secret-mc')) return undefined;
  return prfSession(ext.prf.eval, ctap, info);
}

export function createExtensionResults(
  ext: ExtensionsInputJSON | undefined,
  authData: ParsedAuthData,
  rk: boolean,
  prf?: HmacSecretSession,
  made?: AttestationResponse,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (ext?.credProps) out.credProps = { rk };
  if (ext?.prf) {
    const enabled = authData.extensions?.get('hmac-secret') === true;
    const mc = authData.extensions?.get('hmac-secret-mc');
    const results = enabled && prf && mc instanceof Uint8Array ? prfResults(prf, mc) : undefined;
    out.prf = results ? { enabled, results } : { enabled };
  }
  if (ext?.credBlob !== undefined) out.credBlob = authData.extensions?.get('credBlob') === true;
  if (ext?.largeBlob) out.largeBlob = { supported: made?.largeBlobKey !== undefined };
  return out;
}

function prfResults(session: HmacSecretSession, output: Uint8Array): { first: string; second?: string } {
  const [first, second] = session.outputs(output).map(toBase64url);
  return second === undefined ? { first: first! } : { first: first!, second };
}

/**
 * WebAuthn L3 §10.1.4 get() steps 1-2: evalByCredential only with allowCredentials, and keyed by
 * the base64url IDs in it. Returns whether the salts depend on which credential answers.
 */
export function checkEvalByCredential(ext: ExtensionsInputJSON | undefined, allowList: { id: Uint8Array }[]): boolean {
  const byCred = ext?.prf?.evalByCredential;
  if (!byCred || Object.keys(byCred).length === 0) return false;
  if (allowList.length === 0) throw new WebAuthnError('NotSupportedError', 'prf.evalByCredential needs allowCredentials');
  const allowed = new Set(allowList.map((d) => toBase64url(d.id)));
  for (const key of Object.keys(byCred)) {
    let canonical: string | undefined;
    try {
      canonical = key === '' ? undefined : toBase64url(fromBase64url(key));
    } catch {
      canonical = undefined;
    }
    if (canonical !== key || !allowed.has(key)) {
      throw new WebAuthnError('SyntaxError', `prf.evalByCredential key "${key}" is not the base64url ID of a credential in allowCredentials`);
    }
  }
  return true;
}

/** §10.1.4 get() step 4: the inputs for the credential that will answer, else eval. */
export function prfValuesFor(ext: ExtensionsInputJSON | undefined, credentialId: Uint8Array | undefined): PrfValues | undefined {
  const prf = ext?.prf;
  const byCred = credentialId && prf?.evalByCredential?.[toBase64url(credentialId)];
  return byCred ?? prf?.eval;
}


/** §10.1.4 step 5: hmac-secret salts from the PRF inputs, encrypted to the key. */
export async function prfSession(values: PrfValues | undefined, ctap: Ctap2Client, info: AuthenticatorInfo): Promise<HmacSecretSession | undefined> {
  if (!values || !info.extensions.includes('hmac-secret')) return undefined;
  const second = values.second === undefined ? undefined : prfSalt(bytesOf(values.second), ctap.crypto);
  return hmacSecretSession(new ClientPin(ctap, info.pinUvAuthProtocols), prfSalt(bytesOf(values.first), ctap.crypto), second).catch(translate);
}

/** The getAssertion extension inputs: hmac-secret for PRF, thirdPartyPayment for payment. */
export function getExtensionInputs(
  ext: ExtensionsInputJSON | undefined,
  info: AuthenticatorInfo,
  prf: HmacSecretSession | undefined,
): Record<string, CborEncodable> | undefined {
  const out: Record<string, CborEncodable> = {};
  if (prf) out['hmac-secret'] = prf.input;
  if (ext?.payment?.isPayment === true && info.extensions.includes('thirdPartyPayment')) out.thirdPartyPayment = true;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** get(): the CTAP inputs of getCredBlob (the largeBlobKey of largeBlob is largeBlob.ts's). */
export function getCredBlobInput(ext: ExtensionsInputJSON | undefined, info: AuthenticatorInfo): Record<string, CborEncodable> {
  return ext?.getCredBlob === true && info.extensions.includes('credBlob') ? { getCredBlob: true } : {};
}

/** get(): getCredBlob's result, the blob as base64url (empty when the credential has none). */
export function getCredBlobResult(ext: ExtensionsInputJSON | undefined, authData: ParsedAuthData): Record<string, unknown> {
  const blob = authData.extensions?.get('credBlob');
  return ext?.getCredBlob === true && blob instanceof Uint8Array ? { getCredBlob: toBase64url(blob) } : {};
}

export function getExtensionResults(session: HmacSecretSession | undefined, authData: ParsedAuthData): Record<string, unknown> {
  const output = session && authData.extensions?.get('hmac-secret');
  if (!session || !(output instanceof Uint8Array)) return {};
  return { prf: { results: prfResults(session, output) } };
}
