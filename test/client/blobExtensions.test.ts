// The WebAuthn client's credBlob / getCredBlob and largeBlob extensions, as Chrome exposes them,
// through CTAPHID over loopback; every ceremony verified by @simplewebauthn/server.
import { describe, expect, it } from 'vitest';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { VirtualAuthenticator, WebAuthnClient, WebAuthnError } from '../../src/index.js';
import type { ExtensionsInputJSON } from '../../src/client/webauthnTypes.js';
import { toBase64url, utf8 } from '../../src/util/bytes.js';
import { closeLater } from '../helpers/cleanup.js';

const origin = 'https://example.com';
const rpID = 'example.com';

function client(pin?: string): WebAuthnClient {
  const key = new VirtualAuthenticator({ pin });
  closeLater(() => key.close());
  return new WebAuthnClient(key, { origin, pin });
}

async function register(c: WebAuthnClient, extensions: ExtensionsInputJSON, residentKey: 'required' | 'discouraged' = 'required') {
  const options = await generateRegistrationOptions({
    rpName: 'Example', rpID, userName: 'alice', attestationType: 'none', supportedAlgorithmIDs: [-7],
    authenticatorSelection: { residentKey, userVerification: 'preferred' },
  });
  const response = await c.create({ ...options, extensions: extensions as never });
  const result = await verifyRegistrationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false });
  expect(result.verified).toBe(true);
  return { response, credential: result.registrationInfo!.credential };
}

async function authenticate(c: WebAuthnClient, reg: Awaited<ReturnType<typeof register>>, extensions: ExtensionsInputJSON) {
  const options = await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: reg.credential.id }], userVerification: 'discouraged' });
  const response = await c.get({ ...options, extensions: extensions as never });
  const result = await verifyAuthenticationResponse({
    response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, credential: reg.credential, requireUserVerification: false,
  });
  expect(result.verified).toBe(true);
  return response.clientExtensionResults;
}

describe('credBlob and getCredBlob', () => {
  it('stores the blob with a discoverable credential and reads it back', async () => {
    const c = client();
    const blob = utf8('a hash of something: 32 bytes..!');
    const reg = await register(c, { credBlob: toBase64url(blob) });
    expect(reg.response.clientExtensionResults).toEqual({ credBlob: true });
    expect(await authenticate(c, reg, { getCredBlob: true })).toEqual({ getCredBlob: toBase64url(blob) });
    expect(await authenticate(c, reg, {})).toEqual({});
  });

  it('says false for a non-discoverable credential, whose getCredBlob is empty', async () => {
    const c = client();
    const reg = await register(c, { credBlob: toBase64url(utf8('x')) }, 'discouraged');
    expect(reg.response.clientExtensionResults).toEqual({ credBlob: false });
    expect(await authenticate(c, reg, { getCredBlob: true })).toEqual({ getCredBlob: '' });
  });
});

describe('largeBlob', () => {
  it('registers with support, writes with a PIN (lbw token), reads back', async () => {
    const c = client('1234');
    const reg = await register(c, { largeBlob: { support: 'required' } });
    expect(reg.response.clientExtensionResults).toEqual({ largeBlob: { supported: true } });
    expect(await authenticate(c, reg, { largeBlob: { read: true } })).toEqual({ largeBlob: {} });
    const data = utf8('a certificate, say, '.repeat(20));
    expect(await authenticate(c, reg, { largeBlob: { write: toBase64url(data) } })).toEqual({ largeBlob: { written: true } });
    expect(await authenticate(c, reg, { largeBlob: { read: true } })).toEqual({ largeBlob: { blob: toBase64url(data) } });
    expect(await authenticate(c, reg, { largeBlob: { write: new Uint8Array([1, 2, 3]) } })).toEqual({ largeBlob: { written: true } });
    expect(await authenticate(c, reg, { largeBlob: { read: true } })).toEqual({ largeBlob: { blob: toBase64url(new Uint8Array([1, 2, 3])) } });
  });

  it('without a PIN: writes with no token at all', async () => {
    const c = client();
    const reg = await register(c, { largeBlob: { support: 'preferred' } });
    expect(reg.response.clientExtensionResults).toEqual({ largeBlob: { supported: true } });
    expect(await authenticate(c, reg, { largeBlob: { write: toBase64url(utf8('hi')) } })).toEqual({ largeBlob: { written: true } });
    expect(await authenticate(c, reg, { largeBlob: { read: true } })).toEqual({ largeBlob: { blob: toBase64url(utf8('hi')) } });
  });

  it('preferred on a non-discoverable credential: supported false; required: NotSupportedError; misuse: NotSupportedError', async () => {
    const c = client();
    const reg = await register(c, { largeBlob: { support: 'preferred' } }, 'discouraged');
    expect(reg.response.clientExtensionResults).toEqual({ largeBlob: { supported: false } });
    await expect(register(c, { largeBlob: { support: 'required' } }, 'discouraged')).rejects.toMatchObject({ name: 'NotSupportedError' });
    await expect(register(c, { largeBlob: { read: true } })).rejects.toBeInstanceOf(WebAuthnError);
    await expect(authenticate(c, reg, { largeBlob: { read: true, write: 'AA' } })).rejects.toMatchObject({ name: 'NotSupportedError' });
    // A credential without a largeBlobKey: nothing to read, nothing written.
    expect(await authenticate(c, reg, { largeBlob: { read: true } })).toEqual({ largeBlob: {} });
    expect(await authenticate(c, reg, { largeBlob: { write: 'AA' } })).toEqual({ largeBlob: { written: false } });
  });
});
