// A CTAP2 client (python-fido2's Ctap2): typed calls over a CTAPHID host connection.
import { decodeCbor, encodeCbor, type CborEncodable, type CborMap, type CborValue } from '../ctap/cbor.js';
import { Command } from '../ctap/constants.js';
import { CtapError, Status } from '../ctap/status.js';
import type { CtapHidHost, TransactOptions } from '../hid/host.js';

export interface AuthenticatorInfo {
  versions: string[];
  extensions: string[];
  aaguid: Uint8Array;
  options: Record<string, boolean>;
  maxMsgSize?: number;
  pinUvAuthProtocols: number[];
  maxCredentialCountInList?: number;
  maxCredentialIdLength?: number;
  transports: string[];
  algorithms: { alg: number; type: string }[];
  firmwareVersion?: number;
  remainingDiscoverableCredentials?: number;
  /** Every member as the key sent it, by its integer key. */
  raw: CborMap;
}

export interface MakeCredentialParams {
  clientDataHash: Uint8Array;
  rp: { id: string; name?: string };
  user: { id: Uint8Array; name?: string; displayName?: string };
  pubKeyCredParams: { alg: number; type: string }[];
  excludeList?: { id: Uint8Array; type: string }[];
  extensions?: Record<string, CborEncodable>;
  options?: { rk?: boolean; up?: boolean; uv?: boolean };
  pinUvAuthParam?: Uint8Array;
  pinUvAuthProtocol?: number;
  attestationFormatsPreference?: string[];
}

export interface AttestationResponse {
  fmt: string;
  authData: Uint8Array;
  attStmt: CborMap;
}

export interface GetAssertionParams {
  rpId: string;
  clientDataHash: Uint8Array;
  allowList?: { id: Uint8Array; type: string }[];
  extensions?: Record<string, CborEncodable>;
  options?: { up?: boolean; uv?: boolean };
  pinUvAuthParam?: Uint8Array;
  pinUvAuthProtocol?: number;
}

export interface AssertionResponse {
  credential: { id: Uint8Array; type: string };
  authData: Uint8Array;
  signature: Uint8Array;
  user?: { id: Uint8Array; name?: string; displayName?: string };
  numberOfCredentials?: number;
}

const get = <T>(m: CborMap, k: number | string): T => m.get(k) as T;

function stripUndefined(o: Record<string, unknown>): Record<string, CborEncodable> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, CborEncodable>;
}

function request(params: (CborEncodable | undefined)[]): Map<number, CborEncodable> {
  const m = new Map<number, CborEncodable>();
  params.forEach((v, i) => {
    if (v !== undefined) m.set(i + 1, v);
  });
  return m;
}

function textMap(m: CborMap | undefined): Record<string, boolean> {
  return Object.fromEntries([...(m ?? new Map())].map(([k, v]) => [String(k), v === true]));
}

export class Ctap2Client {
  constructor(readonly hid: CtapHidHost) {}

  /** Sends one command; the response map, or a CtapError carrying the status byte. */
  async send(command: number, params?: Map<number, CborEncodable>, options?: TransactOptions): Promise<CborMap | undefined> {
    const body = params ? encodeCbor(params) : new Uint8Array(0);
    const req = new Uint8Array(body.length + 1);
    req[0] = command;
    req.set(body, 1);
    const res = await this.hid.cbor(req, options);
    if (res.length === 0) throw new CtapError(Status.CTAP1_ERR_OTHER, 'empty response');
    if (res[0] !== Status.CTAP2_OK) throw new CtapError(res[0]!);
    if (res.length === 1) return undefined;
    const value = decodeCbor(res.subarray(1));
    if (!(value instanceof Map)) throw new CtapError(Status.CTAP2_ERR_INVALID_CBOR, 'response is not a map');
    return value;
  }

  async getInfo(): Promise<AuthenticatorInfo> {
    const m = (await this.send(Command.authenticatorGetInfo))!;
    const algs = (get<CborValue[] | undefined>(m, 0x0a) ?? []) as CborMap[];
    return {
      versions: get(m, 0x01),
      extensions: get<string[] | undefined>(m, 0x02) ?? [],
      aaguid: get(m, 0x03),
      options: textMap(get(m, 0x04)),
      maxMsgSize: get(m, 0x05),
      pinUvAuthProtocols: get<number[] | undefined>(m, 0x06) ?? [],
      maxCredentialCountInList: get(m, 0x07),
      maxCredentialIdLength: get(m, 0x08),
      transports: get<string[] | undefined>(m, 0x09) ?? [],
      algorithms: algs.map((a) => ({ alg: get<number>(a, 'alg'), type: get<string>(a, 'type') })),
      firmwareVersion: get(m, 0x0e),
      remainingDiscoverableCredentials: get(m, 0x14),
      raw: m,
    };
  }

  async makeCredential(p: MakeCredentialParams, options?: TransactOptions): Promise<AttestationResponse> {
    const m = (await this.send(
      Command.authenticatorMakeCredential,
      request([
        p.clientDataHash,
        stripUndefined(p.rp),
        stripUndefined(p.user),
        p.pubKeyCredParams,
        p.excludeList?.length ? p.excludeList : undefined,
        p.extensions && Object.keys(p.extensions).length ? p.extensions : undefined,
        p.options && stripUndefined(p.options),
        p.pinUvAuthParam,
        p.pinUvAuthProtocol,
        undefined,
        p.attestationFormatsPreference,
      ]),
      options,
    ))!;
    return { fmt: get(m, 1), authData: get(m, 2), attStmt: get(m, 3) };
  }

  async getAssertion(p: GetAssertionParams, options?: TransactOptions): Promise<AssertionResponse> {
    const m = await this.send(
      Command.authenticatorGetAssertion,
      request([
        p.rpId,
        p.clientDataHash,
        p.allowList?.length ? p.allowList : undefined,
        p.extensions && Object.keys(p.extensions).length ? p.extensions : undefined,
        p.options && stripUndefined(p.options),
        p.pinUvAuthParam,
        p.pinUvAuthProtocol,
      ]),
      options,
    );
    return assertion(m!);
  }

  async getNextAssertion(): Promise<AssertionResponse> {
    return assertion((await this.send(Command.authenticatorGetNextAssertion))!);
  }

  /** getAssertion then getNextAssertion for every further credential the key reports. */
  async getAssertions(p: GetAssertionParams, options?: TransactOptions): Promise<AssertionResponse[]> {
    const first = await this.getAssertion(p, options);
    const out = [first];
    for (let i = 1; i < (first.numberOfCredentials ?? 1); i++) out.push(await this.getNextAssertion());
    return out;
  }

  async reset(options?: TransactOptions): Promise<void> {
    await this.send(Command.authenticatorReset, undefined, options);
  }

  async selection(options?: TransactOptions): Promise<void> {
    await this.send(Command.authenticatorSelection, undefined, options);
  }
}

function assertion(m: CborMap): AssertionResponse {
  const cred = get<CborMap>(m, 1);
  const user = get<CborMap | undefined>(m, 4);
  return {
    credential: { id: get(cred, 'id'), type: get(cred, 'type') },
    authData: get(m, 2),
    signature: get(m, 3),
    user: user && { id: get(user, 'id'), name: get(user, 'name'), displayName: get(user, 'displayName') },
    numberOfCredentials: get(m, 5),
  };
}
