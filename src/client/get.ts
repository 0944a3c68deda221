// navigator.credentials.get({ publicKey }) (WebAuthn L3 §5.1.4) over CTAP 2.1 getAssertion.
import { Permission } from '../ctap/permissions.js';
import { CtapError, Status } from '../ctap/status.js';
import { toBase64url } from '../util/bytes.js';
import { parseAuthData } from './authData.js';
import { clientData, rpIdFor } from './clientData.js';
import { checkEvalByCredential, getCredBlobInput, getCredBlobResult, getExtensionInputs, getExtensionResults, prfSession, prfValuesFor } from './extensions.js';
import { largeBlobGetInput, largeBlobGetResult } from './largeBlob.js';
import { credentialJSON, descriptors, type Descriptor, type Session } from './session.js';
import { canVerifyUser, userVerification } from './userVerification.js';
import { translate, WebAuthnError } from './webauthnErrors.js';
import type { AuthenticationResponseJSON, RequestOptionsJSON } from './webauthnTypes.js';

/**
 * CTAP 2.1 §6.2.2 (silent pre-flight): the credential of `list` this key holds, found with up=false
 * in batches of at most `max`, so nothing asks the user for a touch.
 */
async function preflight(s: Session, rpId: string, clientDataHash: Uint8Array, list: Descriptor[], max: number): Promise<Descriptor[]> {
  for (let i = 0; i < list.length; i += max) {
    try {
      const a = await s.ctap.getAssertion({ rpId, clientDataHash, allowList: list.slice(i, i + max), options: { up: false } });
      return [a.credential];
    } catch (e) {
      if (!(e instanceof CtapError && e.status === Status.CTAP2_ERR_NO_CREDENTIALS)) translate(e);
    }
  }
  throw new WebAuthnError('NotAllowedError', 'none of allowCredentials is on this key', Status.CTAP2_ERR_NO_CREDENTIALS);
}

/** The allowList to send: narrowed to one credential when it is too long, or when PRF salts depend on which answers. */
async function allowListFor(s: Session, o: RequestOptionsJSON, rpId: string, clientDataHash: Uint8Array): Promise<Descriptor[]> {
  const list = descriptors(o.allowCredentials);
  const perCredential = checkEvalByCredential(o.extensions, list);
  const max = s.info.maxCredentialCountInList ?? 1;
  return list.length > max || (perCredential && list.length > 1) ? preflight(s, rpId, clientDataHash, list, max) : list;
}

export async function get(s: Session, o: RequestOptionsJSON): Promise<AuthenticationResponseJSON> {
  const rpId = rpIdFor(s.options.origin, o.rpId);
  const cd = clientData(s.ctap.crypto, 'webauthn.get', o.challenge, s.options.origin);
  const allowList = await allowListFor(s, o, rpId, cd.hash);
  const largeBlob = largeBlobGetInput(o.extensions?.largeBlob, s.info);
  // A largeBlob write on a protected key needs a token with lbw: user verification it is.
  const uv = await userVerification(s.ctap, s.info, {
    requirement: largeBlob.permission && canVerifyUser(s.info) ? 'required' : o.userVerification,
    needed: false, permission: Permission.ga | largeBlob.permission, rpId, clientDataHash: cd.hash, pin: s.options.pin,
  });
  const prf = await prfSession(prfValuesFor(o.extensions, allowList.length === 1 ? allowList[0]!.id : undefined), s.ctap, s.info);
  const request = {
      rpId,
      clientDataHash: cd.hash,
      allowList,
      // Ctap2Client leaves an empty extensions map out of the request.
      extensions: {
        ...getExtensionInputs(o.extensions, s.info, prf),
        ...getCredBlobInput(o.extensions, s.info),
        ...(largeBlob.largeBlobKey ? { largeBlobKey: true } : {}),
      },
      options: uv.uv ? { uv: true } : undefined,
      pinUvAuthParam: uv.pinUvAuthParam,
      pinUvAuthProtocol: uv.pinUvAuthProtocol,
  };
  const until = { deadline: s.deadline(o.timeout) };
  // Every account only when there is a chooser to show them to; else the first, as a key with one passkey.
  const choose = s.options.selectAccount;
  const assertions = await (choose ? s.ctap.getAssertions(request, until) : s.ctap.getAssertion(request, until).then((a) => [a])).catch(translate);
  const picked = assertions[choose ? await choose(assertions) : 0];
  if (!picked) throw new WebAuthnError('NotAllowedError', 'no account was selected');
  const authData = parseAuthData(picked.authData);
  const results = {
    ...getExtensionResults(prf, authData),
    ...getCredBlobResult(o.extensions, authData),
    ...(await largeBlobGetResult(s, o.extensions?.largeBlob, picked, uv.token)),
  };
  return credentialJSON(picked.credential.id, results, {
    clientDataJSON: toBase64url(cd.json),
    authenticatorData: toBase64url(picked.authData),
    signature: toBase64url(picked.signature),
    userHandle: picked.user ? toBase64url(picked.user.id) : undefined,
  });
}
