// What a relying party checks of a registration and an assertion (WebAuthn L3 §7.1, §7.2), small
// enough for `ctap-emu demo` to show the ceremony without an RP library: challenge, origin, type,
// rpIdHash, flags, and the signature over authenticatorData || SHA-256(clientDataJSON).
import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { parseAuthData, type ParsedAuthData } from '../client/authData.js';
import { coseToSpki } from '../client/cose.js';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../client/webauthnTypes.js';
import { decodeCbor } from '../ctap/cbor.js';
import { CoseAlg, CoseKey } from '../ctap/cose.js';
import { concatBytes, equalBytes, fromBase64url, toBase64url, utf8 } from '../util/bytes.js';

const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());

export interface Expected {
  challenge: string;
  origin: string;
  rpId: string;
  requireUserVerification: boolean;
}

export interface RegisteredCredential {
  id: string;
  alg: number;
  /** SubjectPublicKeyInfo DER. */
  publicKey: Uint8Array;
  counter: number;
}

export class RpCheckError extends Error {}

function fail(what: string): never {
  throw new RpCheckError(what);
}

/** §7.1 steps 5-12 / §7.2 steps 10-15: the client data. */
function checkClientData(b64: string, type: string, e: Expected): Uint8Array {
  const json = fromBase64url(b64);
  const c = JSON.parse(new TextDecoder().decode(json)) as { type?: string; challenge?: string; origin?: string };
  if (c.type !== type) fail(`clientData.type is ${String(c.type)}, not ${type}`);
  if (c.challenge !== e.challenge) fail('clientData.challenge is not the challenge sent');
  if (c.origin !== e.origin) fail(`clientData.origin is ${String(c.origin)}, not ${e.origin}`);
  return sha256(json);
}

/** §7.1 steps 13-16 / §7.2 steps 15-17: rpIdHash and flags. */
function checkAuthData(authData: Uint8Array, e: Expected): ParsedAuthData {
  const ad = parseAuthData(authData);
  if (!equalBytes(ad.rpIdHash, sha256(utf8(e.rpId)))) fail(`rpIdHash is not SHA-256("${e.rpId}")`);
  if (!ad.up) fail('the user was not present (UP flag clear)');
  if (e.requireUserVerification && !ad.uv) fail('user verification was required (UV flag clear)');
  return ad;
}

function checkSignature(alg: number, spki: Uint8Array, data: Uint8Array, signature: Uint8Array): void {
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  const ok = alg === CoseAlg.ES256 || alg === CoseAlg.RS256 ? verify('sha256', data, key, signature)
    : alg === CoseAlg.ES384 ? verify('sha384', data, key, signature)
    : alg === CoseAlg.EdDSA ? verify(null, data, key, signature)
      : fail(`unsupported algorithm ${alg}`);
  if (!ok) fail('the signature does not verify with the credential public key');
}

/** WebAuthn L3 §7.1 (registration), for "none" and packed (self or basic) attestation. */
export function verifyRegistration(r: RegistrationResponseJSON, e: Expected): RegisteredCredential & { uv: boolean; fmt: string } {
  const clientDataHash = checkClientData(r.response.clientDataJSON, 'webauthn.create', e);
  const att = decodeCbor(fromBase64url(r.response.attestationObject));
  if (!(att instanceof Map)) fail('attestationObject is not a map');
  const authData = att.get('authData');
  const fmt = att.get('fmt');
  const attStmt = att.get('attStmt');
  if (!(authData instanceof Uint8Array) || typeof fmt !== 'string' || !(attStmt instanceof Map)) fail('malformed attestationObject');
  const ad = checkAuthData(authData, e);
  if (!ad.attested) fail('no attested credential data');
  if (toBase64url(ad.attested.credentialId) !== r.id) fail('the credential ID is not the one in the authenticator data');
  const alg = ad.attested.publicKey.get(CoseKey.alg) as number;
  const publicKey = coseToSpki(ad.attested.publicKey);
  // §8.7: "none" has nothing to check; §8.2 packed self attestation signs with the credential key,
  // basic attestation with the key of x5c[0] (its signature only: whom to trust is the RP's choice).
  if (fmt === 'packed' && !attStmt.has('x5c')) {
    if (attStmt.get('alg') !== alg) fail('packed self attestation with an algorithm not the credential\'s');
    checkSignature(alg, publicKey, concatBytes(authData, clientDataHash), attStmt.get('sig') as Uint8Array);
  } else if (fmt === 'packed') {
    const x5c = attStmt.get('x5c');
    if (!Array.isArray(x5c) || !(x5c[0] instanceof Uint8Array)) fail('packed x5c is not a list of certificates');
    const certKey = new X509Certificate(x5c[0]).publicKey.export({ format: 'der', type: 'spki' });
    checkSignature(attStmt.get('alg') as number, new Uint8Array(certKey), concatBytes(authData, clientDataHash), attStmt.get('sig') as Uint8Array);
  } else if (fmt !== 'none') fail(`attestation format ${fmt} is not checked here`);
  return { id: r.id, alg, publicKey, counter: ad.signCount, uv: ad.uv, fmt };
}

/** WebAuthn L3 §7.2 (authentication): returns the new signature counter. */
export function verifyAssertion(r: AuthenticationResponseJSON, e: Expected, cred: RegisteredCredential): { uv: boolean; counter: number } {
  if (r.id !== cred.id) fail('the assertion is for another credential');
  const clientDataHash = checkClientData(r.response.clientDataJSON, 'webauthn.get', e);
  const authData = fromBase64url(r.response.authenticatorData);
  const ad = checkAuthData(authData, e);
  checkSignature(cred.alg, cred.publicKey, concatBytes(authData, clientDataHash), fromBase64url(r.response.signature));
  // §7.2 step 22: a counter that did not rise (when either is non-zero) signals a cloned key.
  if ((ad.signCount !== 0 || cred.counter !== 0) && ad.signCount <= cred.counter) fail('the signature counter did not rise');
  return { uv: ad.uv, counter: ad.signCount };
}
