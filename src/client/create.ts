// navigator.credentials.create({ publicKey }) (WebAuthn L3 §5.1.3) over CTAP 2.1 makeCredential.
import { encodeCbor } from '../ctap/cbor.js';
import { CoseKey } from '../ctap/cose.js';
import { Permission } from '../ctap/permissions.js';
import { fromBase64url, toBase64url } from '../util/bytes.js';
import { parseAuthData } from './authData.js';
import { conveyNone } from './attestation.js';
import { clientData, rpIdFor } from './clientData.js';
import { coseToSpki } from './cose.js';
import type { AttestationResponse, AuthenticatorInfo } from './ctap2.js';
import { createExtensionInputs, createExtensionResults, prfCreateSession } from './extensions.js';
import type { HmacSecretSession } from './hmacSecret.js';
import { userVerification } from './userVerification.js';
import { credentialJSON, descriptors, type Session } from './session.js';
import { translate, WebAuthnError } from './webauthnErrors.js';
import type { CreationOptionsJSON, RegistrationResponseJSON } from './webauthnTypes.js';

/** §5.1.3 step 10: public-key entries only; none given means ES256 and RS256. */
function credParams(given: CreationOptionsJSON['pubKeyCredParams']): { alg: number; type: string }[] {
  if (given.length === 0) return [{ type: 'public-key', alg: -7 }, { type: 'public-key', alg: -257 }];
  const known = given.filter((p) => p.type === 'public-key').map((p) => ({ type: p.type, alg: p.alg }));
  if (known.length === 0) throw new WebAuthnError('NotSupportedError', 'pubKeyCredParams has no public-key entry');
  return known;
}

/** §5.4.6 residentKey (requireResidentKey when absent): whether to ask for a discoverable credential. */
function residentKey(o: CreationOptionsJSON, info: AuthenticatorInfo): boolean {
  const sel = o.authenticatorSelection ?? {};
  const rk = sel.residentKey === 'required' || (sel.residentKey === undefined && sel.requireResidentKey === true) ||
    (sel.residentKey === 'preferred' && info.options.rk === true);
  if (rk && !info.options.rk) throw new WebAuthnError('ConstraintError', 'the key cannot store discoverable credentials');
  return rk;
}

/**
 * L3 §5.1.3 steps 18-19: the RP's attestationFormats, or just "none" when it conveys none (the key
 * then signs no attestation the client would discard). Sent only to keys of CTAP 2.2 and later, which
 * know attestationFormatsPreference; older ones get their attestation replaced by conveyNone().
 */
function attestationFormats(o: CreationOptionsJSON, info: AuthenticatorInfo): string[] | undefined {
  if (!info.versions.some((v) => v === 'FIDO_2_2' || v === 'FIDO_2_3')) return undefined;
  const formats = (o.attestation ?? 'none') === 'none' ? ['none'] : o.attestationFormats;
  return formats?.length ? formats : undefined;
}

async function makeCredential(
  s: Session, o: CreationOptionsJSON, rpId: string, clientDataHash: Uint8Array, rk: boolean, prf: (p: HmacSecretSession) => void,
): Promise<AttestationResponse> {
  const extensions = createExtensionInputs(o.extensions, s.info, rk);
  // makeCredUvNotRqd: a protected key makes discoverable credentials only for a verified user.
  const uv = await userVerification(s.ctap, s.info, {
    requirement: o.authenticatorSelection?.userVerification, needed: rk, permission: Permission.mc, rpId, clientDataHash, pin: s.options.pin,
  });
  // PRF eval at create(): the salts ride on hmac-secret-mc, alongside hmac-secret: true.
  const session = extensions['hmac-secret'] === true ? await prfCreateSession(o.extensions, s.ctap, s.info) : undefined;
  if (session) {
    extensions['hmac-secret-mc'] = session.input;
    prf(session);
  }
  return s.ctap.makeCredential(
    {
      clientDataHash,
      rp: { id: rpId, name: o.rp.name },
      user: { id: fromBase64url(o.user.id), name: o.user.name, displayName: o.user.displayName },
      pubKeyCredParams: credParams(o.pubKeyCredParams),
      excludeList: descriptors(o.excludeCredentials),
      extensions,
      options: rk || uv.uv ? { rk: rk || undefined, uv: uv.uv } : undefined,
      pinUvAuthParam: uv.pinUvAuthParam,
      pinUvAuthProtocol: uv.pinUvAuthProtocol,
      attestationFormatsPreference: attestationFormats(o, s.info),
    },
    { deadline: s.deadline(o.timeout) },
  ).catch(translate);
}

export async function create(s: Session, o: CreationOptionsJSON): Promise<RegistrationResponseJSON> {
  const rpId = rpIdFor(s.options.origin, o.rp.id);
  const rk = residentKey(o, s.info);
  const cd = clientData(s.ctap.crypto, 'webauthn.create', o.challenge, s.options.origin);
  let prf: HmacSecretSession | undefined;
  const made = await makeCredential(s, o, rpId, cd.hash, rk, (p) => (prf = p));
  // §5.1.3 step 22: "none" (the default) is made client-side; other conveyances pass through.
  const att = (o.attestation ?? 'none') === 'none' ? conveyNone(made) : made;
  const parsed = parseAuthData(att.authData);
  const attested = parsed.attested!;
  return credentialJSON(attested.credentialId, createExtensionResults(o.extensions, parsed, rk, prf, made), {
    clientDataJSON: toBase64url(cd.json),
    attestationObject: toBase64url(encodeCbor({ fmt: att.fmt, attStmt: att.attStmt, authData: att.authData })),
    authenticatorData: toBase64url(att.authData),
    transports: s.info.transports,
    publicKeyAlgorithm: attested.publicKey.get(CoseKey.alg) as number,
    publicKey: toBase64url(coseToSpki(attested.publicKey)),
  });
}
