// A WebAuthn client: the browser's part of a ceremony (WebAuthn §5.1.3, §5.1.4), talking to a key
// over CTAPHID, taking and returning the JSON that RP libraries produce and verify.
import { encodeCbor, type CborEncodable } from '../ctap/cbor.js';
import { CredProtect } from '../ctap/constants.js';
import { sha256 } from '../ctap/crypto.js';
import { CtapError, Status, statusName } from '../ctap/status.js';
import { CtapHidHost } from '../hid/host.js';
import type { ReportPipe } from '../hid/pipe.js';
import { fromBase64url, toBase64url, utf8 } from '../util/bytes.js';
import { parseAuthData } from './authData.js';
import { coseToSpki } from './cose.js';
import { ClientPin, pinUvAuthParam } from './clientPin.js';
import { hmacSecretSession, prfSalt } from './hmacSecret.js';
import { Ctap2Client, type AssertionResponse, type AuthenticatorInfo } from './ctap2.js';
import type {
  AuthenticationResponseJSON, CreationOptionsJSON, CredentialDescriptorJSON, PrfInput, PublicKeyCredentialJSON, RegistrationResponseJSON,
  RequestOptionsJSON,
} from './webauthnTypes.js';

/** Anything a host can open a HID connection to: a VirtualAuthenticator, a UDP or node-hid device. */
export interface HidConnectable {
  connect(): ReportPipe | Promise<ReportPipe>;
}

/** Errors named as the DOMExceptions a browser would reject with. */
export class WebAuthnError extends Error {
  constructor(
    override readonly name: 'NotAllowedError' | 'InvalidStateError' | 'NotSupportedError' | 'SecurityError' | 'ConstraintError',
    message: string,
    readonly ctapStatus?: number,
  ) {
    super(message);
  }
}

export interface WebAuthnClientOptions {
  /** The page's origin, e.g. https://example.com. */
  origin: string;
  /** When several discoverable credentials match, which one the "user" picks (default: the first). */
  selectAccount?(accounts: AssertionResponse[]): number | Promise<number>;
  /** Default ceremony time-out when the options give none (ms). */
  timeoutMs?: number;
  /** The key's PIN, entered whenever the key asks for user verification with it. */
  pin?: string;
}

interface UvParams {
  pinUvAuthParam?: Uint8Array;
  pinUvAuthProtocol?: number;
  uv?: boolean;
}

const DEFAULT_TIMEOUT_MS = 120_000;

function effectiveDomain(origin: string): string {
  const url = new URL(origin);
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && url.hostname === 'localhost');
  if (!secure) throw new WebAuthnError('SecurityError', `${origin} is not a secure context`);
  return url.hostname;
}

function checkRpId(rpId: string, domain: string): void {
  // WebAuthn §5.1.3 step 8: the RP ID must be the origin's effective domain or a suffix of it.
  if (rpId !== domain && !domain.endsWith(`.${rpId}`)) {
    throw new WebAuthnError('SecurityError', `RP ID ${rpId} is not valid for origin domain ${domain}`);
  }
}

function translate(e: unknown): never {
  if (e instanceof CtapError) {
    const s = e.status;
    if (s === Status.CTAP2_ERR_CREDENTIAL_EXCLUDED) throw new WebAuthnError('InvalidStateError', 'the key already holds a credential in excludeCredentials', s);
    if (s === Status.CTAP2_ERR_UNSUPPORTED_ALGORITHM) throw new WebAuthnError('NotSupportedError', 'the key supports none of pubKeyCredParams', s);
    throw new WebAuthnError('NotAllowedError', `the key answered ${statusName(s)}`, s);
  }
  throw e;
}

/** The PublicKeyCredential JSON around a response (WebAuthn §5.1, toJSON()). */
function credentialJSON<R>(rawId: Uint8Array, clientExtensionResults: Record<string, unknown>, response: R): PublicKeyCredentialJSON<R> {
  const id = toBase64url(rawId);
  return { id, rawId: id, type: 'public-key', authenticatorAttachment: 'cross-platform', response, clientExtensionResults };
}

function prfBytes(v: PrfInput): Uint8Array {
  if (typeof v === 'string') return fromBase64url(v);
  return v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

const descriptors = (list: CredentialDescriptorJSON[] | undefined): { id: Uint8Array; type: string }[] =>
  (list ?? []).map((d) => ({ id: fromBase64url(d.id), type: d.type }));

export class WebAuthnClient {
  private ctap?: Promise<{ ctap: Ctap2Client; info: AuthenticatorInfo }>;

  constructor(
    private readonly key: HidConnectable,
    private readonly options: WebAuthnClientOptions,
  ) {
    effectiveDomain(options.origin);
  }

  private connection(): Promise<{ ctap: Ctap2Client; info: AuthenticatorInfo }> {
    this.ctap ??= (async () => {
      const hid = await CtapHidHost.open(await this.key.connect());
      const ctap = new Ctap2Client(hid);
      return { ctap, info: await ctap.getInfo() };
    })();
    return this.ctap;
  }

  private clientData(type: string, challenge: string): { json: Uint8Array; hash: Uint8Array } {
    const json = utf8(
      JSON.stringify({ type, challenge: toBase64url(fromBase64url(challenge)), origin: this.options.origin, crossOrigin: false }),
    );
    return { json, hash: sha256(json) };
  }

  private signal(timeout: number | undefined): AbortSignal {
    return AbortSignal.timeout(timeout ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  /** navigator.credentials.create({ publicKey }) */
  async create(o: CreationOptionsJSON): Promise<RegistrationResponseJSON> {
    const domain = effectiveDomain(this.options.origin);
    const rpId = o.rp.id ?? domain;
    checkRpId(rpId, domain);
    const { ctap, info } = await this.connection();
    const sel = o.authenticatorSelection ?? {};
    const rk = sel.residentKey === 'required' || (sel.residentKey === undefined && sel.requireResidentKey === true) ||
      (sel.residentKey === 'preferred' && info.options.rk === true);
    if (rk && !info.options.rk) throw new WebAuthnError('ConstraintError', 'the key cannot store discoverable credentials');
    const extensions: Record<string, CborEncodable> = {};
    const prf = o.extensions?.prf !== undefined && info.extensions.includes('hmac-secret');
    if (prf) extensions['hmac-secret'] = true; // WebAuthn PRF rides on hmac-secret
    const policy = o.extensions?.credentialProtectionPolicy;
    if (policy && info.extensions.includes('credProtect')) {
      extensions.credProtect =
        policy === 'userVerificationRequired' ? CredProtect.userVerificationRequired
          : policy === 'userVerificationOptionalWithCredentialIDList' ? CredProtect.userVerificationOptionalWithCredentialIDList
            : CredProtect.userVerificationOptional;
    }
    const cd = this.clientData('webauthn.create', o.challenge);
    const signal = this.signal(o.timeout);
    // makeCredUvNotRqd: a protected key makes discoverable credentials only for a verified user.
    const uvParams = await this.userVerification(ctap, info, sel.userVerification, rk, 0x01, rpId, cd.hash);
    const att = await ctap
      .makeCredential(
        {
          clientDataHash: cd.hash,
          rp: { id: rpId, name: o.rp.name },
          user: { id: fromBase64url(o.user.id), name: o.user.name, displayName: o.user.displayName },
          pubKeyCredParams: o.pubKeyCredParams,
          excludeList: descriptors(o.excludeCredentials),
          extensions,
          options: rk || uvParams.uv ? { rk: rk || undefined, uv: uvParams.uv } : undefined,
          pinUvAuthParam: uvParams.pinUvAuthParam,
          pinUvAuthProtocol: uvParams.pinUvAuthProtocol,
          attestationFormatsPreference: (o.attestation ?? 'none') === 'none' ? ['none'] : undefined,
        },
        { signal },
      )
      .catch(translate);
    const parsed = parseAuthData(att.authData);
    const attested = parsed.attested!;
    const clientExtensionResults: Record<string, unknown> = {};
    if (o.extensions?.credProps) clientExtensionResults.credProps = { rk };
    if (o.extensions?.prf) clientExtensionResults.prf = { enabled: parsed.extensions?.get('hmac-secret') === true };
    return credentialJSON(attested.credentialId, clientExtensionResults, {
      clientDataJSON: toBase64url(cd.json),
      attestationObject: toBase64url(encodeCbor({ fmt: att.fmt, attStmt: att.attStmt, authData: att.authData })),
      authenticatorData: toBase64url(att.authData),
      transports: info.transports,
      publicKeyAlgorithm: attested.publicKey.get(3) as number,
      publicKey: toBase64url(coseToSpki(attested.publicKey)),
    });
  }

  /** navigator.credentials.get({ publicKey }) */
  async get(o: RequestOptionsJSON): Promise<AuthenticationResponseJSON> {
    const domain = effectiveDomain(this.options.origin);
    const rpId = o.rpId ?? domain;
    checkRpId(rpId, domain);
    const { ctap, info } = await this.connection();
    const cd = this.clientData('webauthn.get', o.challenge);
    const signal = this.signal(o.timeout);
    let allowList = descriptors(o.allowCredentials);
    const max = info.maxCredentialCountInList ?? 1;
    if (allowList.length > max) {
      // Too many for one request: find the batch holding one of ours without a touch (up=false).
      allowList = await this.preflight(ctap, rpId, cd.hash, allowList, max);
    }
    const uvParams = await this.userVerification(ctap, info, o.userVerification, false, 0x02, rpId, cd.hash);
    const prfEval = info.extensions.includes('hmac-secret') ? o.extensions?.prf?.eval : undefined;
    const prf = prfEval && (await hmacSecretSession(
      new ClientPin(ctap, info.pinUvAuthProtocols),
      prfSalt(prfBytes(prfEval.first)),
      prfEval.second === undefined ? undefined : prfSalt(prfBytes(prfEval.second)),
    ).catch(translate));
    const assertions = await ctap
      .getAssertions(
        {
          rpId,
          clientDataHash: cd.hash,
          allowList,
          extensions: prf ? { 'hmac-secret': prf.input } : undefined,
          options: uvParams.uv ? { uv: true } : undefined,
          pinUvAuthParam: uvParams.pinUvAuthParam,
          pinUvAuthProtocol: uvParams.pinUvAuthProtocol,
        },
        { signal },
      )
      .catch(translate);
    const picked = assertions[(await this.options.selectAccount?.(assertions)) ?? 0];
    if (!picked) throw new WebAuthnError('NotAllowedError', 'no account was selected');
    const clientExtensionResults: Record<string, unknown> = {};
    const hmacOutput = prf && parseAuthData(picked.authData).extensions?.get('hmac-secret');
    if (prf && hmacOutput instanceof Uint8Array) {
      const [first, second] = prf.outputs(hmacOutput).map(toBase64url);
      clientExtensionResults.prf = { results: second === undefined ? { first } : { first, second } };
    }
    return credentialJSON(picked.credential.id, clientExtensionResults, {
      clientDataJSON: toBase64url(cd.json),
      authenticatorData: toBase64url(picked.authData),
      signature: toBase64url(picked.signature),
      userHandle: picked.user ? toBase64url(picked.user.id) : undefined,
    });
  }

  /**
   * What a browser does for userVerification (WebAuthn §5.1.3 step 20, CTAP 2.1 §6.1.1): with
   * "required", or "preferred" on a key that can verify, get a pinUvAuthToken from the built-in
   * method or from the PIN and send its MAC over clientDataHash.
   */
  private async userVerification(
    ctap: Ctap2Client,
    info: AuthenticatorInfo,
    requirement: string | undefined,
    needed: boolean,
    permission: number,
    rpId: string,
    clientDataHash: Uint8Array,
  ): Promise<UvParams> {
    const pinSet = info.options.clientPin === true;
    const uvEnrolled = info.options.uv === true;
    const able = pinSet || uvEnrolled;
    const want = requirement === 'required' || (able && (requirement !== 'discouraged' || needed || info.options.alwaysUv === true));
    if (!want) return {};
    if (!able) throw new WebAuthnError('NotAllowedError', 'user verification required, and the key has no PIN or built-in verification');
    try {
      if (uvEnrolled && !info.options.pinUvAuthToken) return { uv: true };
      const cp = new ClientPin(ctap, info.pinUvAuthProtocols);
      const tokens = info.options.pinUvAuthToken === true;
      let token;
      if (uvEnrolled) token = await cp.getUvToken(permission, rpId);
      else if (this.options.pin === undefined) {
        throw new WebAuthnError('NotAllowedError', 'the key asks for its PIN: give WebAuthnClient the pin option');
      } else token = await cp.getPinToken(this.options.pin, tokens ? permission : undefined, tokens ? rpId : undefined);
      return { pinUvAuthParam: pinUvAuthParam(token, clientDataHash), pinUvAuthProtocol: token.protocol.version };
    } catch (e) {
      return translate(e);
    }
  }

  private async preflight(
    ctap: Ctap2Client,
    rpId: string,
    clientDataHash: Uint8Array,
    list: { id: Uint8Array; type: string }[],
    max: number,
  ): Promise<{ id: Uint8Array; type: string }[]> {
    for (let i = 0; i < list.length; i += max) {
      try {
        const a = await ctap.getAssertion({ rpId, clientDataHash, allowList: list.slice(i, i + max), options: { up: false } });
        return [a.credential];
      } catch (e) {
        if (!(e instanceof CtapError && e.status === Status.CTAP2_ERR_NO_CREDENTIALS)) translate(e);
      }
    }
    throw new WebAuthnError('NotAllowedError', 'none of allowCredentials is on this key', Status.CTAP2_ERR_NO_CREDENTIALS);
  }

  close(): void {
    void this.ctap?.then(({ ctap }) => ctap.hid.close()).catch(() => undefined);
    this.ctap = undefined;
  }
}
