// A CTAP2 client (python-fido2's Ctap2): typed calls over a CTAPHID host connection.
import { decodeCbor, encodeCbor, type CborEncodable, type CborMap, type CborValue } from '../ctap/cbor.js';
import { Command } from '../ctap/constants.js';
import {
  GetAssertionKey, GetAssertionResponseKey, GetInfoKey, LargeBlobsKey, LargeBlobsResponseKey, MakeCredentialKey, MakeCredentialResponseKey,
} from '../ctap/keys.js';
import { CtapError, Status } from '../ctap/status.js';
import type { Crypto } from '../ctap/crypto.js';
import { nobleCrypto } from '../ctap/nobleCrypto.js';
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
  forcePINChange?: boolean;
  minPINLength?: number;
  firmwareVersion?: number;
  remainingDiscoverableCredentials?: number;
  maxSerializedLargeBlobArray?: number;
  maxCredBlobLength?: number;
  maxRPIDsForSetMinPINLength?: number;
  /** CTAP 2.2: formats besides "none" (absent: packed). */
  attestationFormats?: string[];
  uvCountSinceLastPinEntry?: number;
  longTouchForReset?: boolean;
  /** Under the persistent token: openInfoMember(token, 'encIdentifier', ...) in client/persistentToken. */
  encIdentifier?: Uint8Array;
  transportsForReset?: string[];
  pinComplexityPolicy?: boolean;
  maxPINLength?: number;
  /** CTAP 2.3, under the persistent token like encIdentifier. */
  encCredStoreState?: Uint8Array;
  authenticatorConfigCommands?: number[];
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
  /** The largeBlobKey extension's key (CTAP 2.1 §12.3), when asked for. */
  largeBlobKey?: Uint8Array;
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
  /** The credential's largeBlobKey, when asked for and it has one. */
  largeBlobKey?: Uint8Array;
}

/** One authenticatorLargeBlobs request (CTAP 2.1 §6.10.2): a read (get) or one fragment of a write (set). */
export interface LargeBlobsParams {
  offset: number;
  get?: number;
  set?: Uint8Array;
  /** The whole array's length, with the first fragment only. */
  length?: number;
  pinUvAuthParam?: Uint8Array;
  pinUvAuthProtocol?: number;
}

const get = <T>(m: CborMap, k: number | string): T => m.get(k) as T;

function stripUndefined(o: Record<string, unknown>): Record<string, CborEncodable> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, CborEncodable>;
}

/** A request map from named members (`keys` gives each its number); undefined members are left out. */
export function request<K extends string>(keys: Record<K, number>, params: Partial<Record<K, CborEncodable | undefined>>): Map<number, CborEncodable> {
  const m = new Map<number, CborEncodable>();
  for (const [name, v] of Object.entries(params) as [K, CborEncodable | undefined][]) if (v !== undefined) m.set(keys[name], v);
  return m;
}

const nonEmpty = <T>(v: T[] | undefined): T[] | undefined => (v?.length ? v : undefined);
/** No member rather than an empty map (extensions: the key would see `{}` otherwise). */
const nonEmptyMap = <T extends object>(m: T | undefined): T | undefined => (m && Object.keys(m).length > 0 ? m : undefined);

function textMap(m: CborMap | undefined): Record<string, boolean> {
  return Object.fromEntries([...(m ?? new Map())].map(([k, v]) => [String(k), v === true]));
}

export interface Ctap2ClientOptions {
  /** What this host computes with (key agreement, PIN encryption, MACs); default nobleCrypto. */
  crypto?: Crypto;
}

export class Ctap2Client {
  /** The host's crypto: ClientPin and the WebAuthn client over this connection use it. */
  readonly crypto: Crypto;

  constructor(
    readonly hid: CtapHidHost,
    options: Ctap2ClientOptions = {},
  ) {
    this.crypto = options.crypto ?? nobleCrypto;
  }

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
    const K = GetInfoKey;
    const algs = (get<CborValue[] | undefined>(m, K.algorithms) ?? []) as CborMap[];
    return {
      versions: get(m, K.versions),
      extensions: get<string[] | undefined>(m, K.extensions) ?? [],
      aaguid: get(m, K.aaguid),
      options: textMap(get(m, K.options)),
      maxMsgSize: get(m, K.maxMsgSize),
      pinUvAuthProtocols: get<number[] | undefined>(m, K.pinUvAuthProtocols) ?? [],
      maxCredentialCountInList: get(m, K.maxCredentialCountInList),
      maxCredentialIdLength: get(m, K.maxCredentialIdLength),
      transports: get<string[] | undefined>(m, K.transports) ?? [],
      algorithms: algs.map((a) => ({ alg: get<number>(a, 'alg'), type: get<string>(a, 'type') })),
      forcePINChange: get(m, K.forcePINChange),
      minPINLength: get(m, K.minPINLength),
      firmwareVersion: get(m, K.firmwareVersion),
      remainingDiscoverableCredentials: get(m, K.remainingDiscoverableCredentials),
      maxSerializedLargeBlobArray: get(m, K.maxSerializedLargeBlobArray),
      maxCredBlobLength: get(m, K.maxCredBlobLength),
      maxRPIDsForSetMinPINLength: get(m, K.maxRPIDsForSetMinPINLength),
      attestationFormats: get(m, K.attestationFormats),
      uvCountSinceLastPinEntry: get(m, K.uvCountSinceLastPinEntry),
      longTouchForReset: get(m, K.longTouchForReset),
      encIdentifier: get(m, K.encIdentifier),
      transportsForReset: get(m, K.transportsForReset),
      pinComplexityPolicy: get(m, K.pinComplexityPolicy),
      maxPINLength: get(m, K.maxPINLength),
      encCredStoreState: get(m, K.encCredStoreState),
      authenticatorConfigCommands: get(m, K.authenticatorConfigCommands),
      raw: m,
    };
  }

  async makeCredential(p: MakeCredentialParams, options?: TransactOptions): Promise<AttestationResponse> {
    const m = (await this.send(
      Command.authenticatorMakeCredential,
      request(MakeCredentialKey, {
        clientDataHash: p.clientDataHash,
        rp: stripUndefined(p.rp),
        user: stripUndefined(p.user),
        pubKeyCredParams: p.pubKeyCredParams,
        excludeList: nonEmpty(p.excludeList),
        extensions: nonEmptyMap(p.extensions),
        options: p.options && stripUndefined(p.options),
        pinUvAuthParam: p.pinUvAuthParam,
        pinUvAuthProtocol: p.pinUvAuthProtocol,
        attestationFormatsPreference: p.attestationFormatsPreference,
      }),
      options,
    ))!;
    const K = MakeCredentialResponseKey;
    return { fmt: get(m, K.fmt), authData: get(m, K.authData), attStmt: get(m, K.attStmt), largeBlobKey: get(m, K.largeBlobKey) };
  }

  async getAssertion(p: GetAssertionParams, options?: TransactOptions): Promise<AssertionResponse> {
    const m = await this.send(
      Command.authenticatorGetAssertion,
      request(GetAssertionKey, {
        rpId: p.rpId,
        clientDataHash: p.clientDataHash,
        allowList: nonEmpty(p.allowList),
        extensions: nonEmptyMap(p.extensions),
        options: p.options && stripUndefined(p.options),
        pinUvAuthParam: p.pinUvAuthParam,
        pinUvAuthProtocol: p.pinUvAuthProtocol,
      }),
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

  /** authenticatorLargeBlobs: a read answers the bytes (config); a write fragment answers nothing. */
  async largeBlobs(p: LargeBlobsParams): Promise<Uint8Array | undefined> {
    const m = await this.send(Command.authenticatorLargeBlobs, request(LargeBlobsKey, { ...p }));
    return m && get<Uint8Array | undefined>(m, LargeBlobsResponseKey.config);
  }

  async reset(options?: TransactOptions): Promise<void> {
    await this.send(Command.authenticatorReset, undefined, options);
  }

  async selection(options?: TransactOptions): Promise<void> {
    await this.send(Command.authenticatorSelection, undefined, options);
  }
}

function assertion(m: CborMap): AssertionResponse {
  const K = GetAssertionResponseKey;
  const cred = get<CborMap>(m, K.credential);
  const user = get<CborMap | undefined>(m, K.user);
  return {
    credential: { id: get(cred, 'id'), type: get(cred, 'type') },
    authData: get(m, K.authData),
    signature: get(m, K.signature),
    user: user && { id: get(user, 'id'), name: get(user, 'name'), displayName: get(user, 'displayName') },
    numberOfCredentials: get(m, K.numberOfCredentials),
    largeBlobKey: get(m, K.largeBlobKey),
  };
}
