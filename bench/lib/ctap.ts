// CTAP2 requests to the core directly (Authenticator.handle), without CTAPHID or a client: the
// bytes a host would send, built from the named CBOR keys.
import { randomBytes } from 'node:crypto';
import type { Authenticator } from '../../src/ctap2/authenticator.js';
import { decodeCbor, encodeCbor, type CborEncodable, type CborMap } from '../../src/ctap/cbor.js';
import { Command } from '../../src/ctap/constants.js';
import { GetAssertionKey, MakeCredentialKey, MakeCredentialResponseKey } from '../../src/ctap/keys.js';
import { Status } from '../../src/ctap/status.js';
import { parseAuthData } from '../../src/client/authData.js';

const ctx = { channel: 1, signal: new AbortController().signal, keepalive: (): void => undefined };

function request(command: number, params: Map<number, CborEncodable | undefined>): Uint8Array {
  const body = encodeCbor(params);
  const out = new Uint8Array(body.length + 1);
  out[0] = command;
  out.set(body, 1);
  return out;
}

export interface McOptions {
  rpId: string;
  userId?: Uint8Array;
  rk?: boolean;
  /** The uv option: built-in user verification (the key must have it). */
  uv?: boolean;
}

export function makeCredentialRequest(o: McOptions): Uint8Array {
  const K = MakeCredentialKey;
  const options = o.rk || o.uv ? { rk: o.rk || undefined, uv: o.uv || undefined } : undefined;
  return request(Command.authenticatorMakeCredential, new Map<number, CborEncodable | undefined>([
    [K.clientDataHash, randomBytes(32)],
    [K.rp, { id: o.rpId, name: o.rpId }],
    [K.user, { id: o.userId ?? randomBytes(16), name: 'bench', displayName: 'Bench' }],
    [K.pubKeyCredParams, [{ alg: -7, type: 'public-key' }]],
    [K.options, options],
  ]));
}

export function getAssertionRequest(rpId: string, allow: Uint8Array[] = [], uv = false): Uint8Array {
  const K = GetAssertionKey;
  return request(Command.authenticatorGetAssertion, new Map<number, CborEncodable | undefined>([
    [K.rpId, rpId],
    [K.clientDataHash, randomBytes(32)],
    [K.allowList, allow.length ? allow.map((id) => ({ id, type: 'public-key' })) : undefined],
    [K.options, uv ? { uv: true } : undefined],
  ]));
}

/** Sends one request; throws on any status but OK (or `accept`), so a broken run cannot pass for a fast one. */
export async function send(a: Authenticator, req: Uint8Array, accept: number[] = []): Promise<Uint8Array> {
  const res = await a.handle(req, ctx);
  if (res[0] !== Status.CTAP2_OK && !accept.includes(res[0]!)) throw new Error(`CTAP status 0x${res[0]!.toString(16)}`);
  return res;
}

/** makeCredential, returning the new credential's ID. */
export async function makeCredential(a: Authenticator, o: McOptions): Promise<Uint8Array> {
  const res = await send(a, makeCredentialRequest(o));
  const authData = (decodeCbor(res.subarray(1)) as CborMap).get(MakeCredentialResponseKey.authData) as Uint8Array;
  return parseAuthData(authData).attested!.credentialId;
}
