// Credentials made outside ctap-emu (as Chrome's DevTools would hand them over: PKCS#8 keys, random
// IDs) and a sign-in with one that @simplewebauthn/server checks against the key it was given.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { generateAuthenticationOptions, verifyAuthenticationResponse } from '@simplewebauthn/server';
import type { WebAuthnClient } from '../../src/node/clients.js';
import type { ExtensionsInputJSON } from '../../src/client/webauthnTypes.js';
import { encodeCbor } from '../../src/ctap/cbor.js';
import { coseKey, type CoseAlgorithm } from '../../src/ctap/cose.js';
import { NodeCrypto } from '../../src/node/nodeCrypto.js';
import { fromPkcs8 } from '../../src/node/automation/pkcs8.js';
import type { CredentialJson } from '../../src/node/automation/credentialJson.js';
import { toBase64url } from '../../src/util/bytes.js';

export const origin = 'https://example.com';
export const rpID = 'example.com';

export type KeyType = 'P-256' | 'P-384' | 'Ed25519' | 'RSA';

/** A fresh PKCS#8 key of this type (OpenSSL's generator, not ctap-emu's). */
export function pkcs8Key(type: KeyType): Uint8Array {
  const { privateKey } = type === 'Ed25519' ? generateKeyPairSync('ed25519')
    : type === 'RSA' ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: type });
  return new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
}

export interface Outside {
  json: CredentialJson;
  /** The COSE public key an RP would have stored at registration. */
  publicKey: Uint8Array<ArrayBuffer>;
}

/** A credential as another authenticator would export it. */
export function outsideCredential(type: KeyType, o: Partial<CredentialJson> = {}): Outside {
  const pkcs8 = pkcs8Key(type);
  const { alg, privateKey } = fromPkcs8(pkcs8);
  const publicKey = new Uint8Array(encodeCbor(coseKey(alg as CoseAlgorithm, new NodeCrypto().publicKeyOf(alg, privateKey))));
  const json: CredentialJson = {
    credentialId: toBase64url(randomBytes(16)), isResidentCredential: true, rpId: rpID, privateKey: toBase64url(pkcs8),
    userHandle: toBase64url(randomBytes(16)), signCount: 0, userName: 'alice', backupEligibility: false, backupState: false, ...o,
  };
  return { json, publicKey };
}

/** Signs in with the credential (in allowCredentials unless `discoverable`); what the RP verified, and the client's extension outputs. */
export async function signIn(client: WebAuthnClient, c: Outside, counter: number, discoverable = false, extensions?: ExtensionsInputJSON) {
  const options = await generateAuthenticationOptions({
    rpID, userVerification: 'discouraged', allowCredentials: discoverable ? [] : [{ id: c.json.credentialId }],
  });
  const response = await client.get({ ...options, ...(extensions && { extensions: extensions as never }) });
  const result = await verifyAuthenticationResponse({
    response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false,
    credential: { id: c.json.credentialId, publicKey: c.publicKey, counter },
  });
  const { newCounter, credentialDeviceType, credentialBackedUp } = result.authenticationInfo;
  return {
    verified: result.verified, newCounter, userHandle: response.response.userHandle, credentialDeviceType, credentialBackedUp,
    extensions: response.clientExtensionResults,
  };
}
