// A WebAuthn client: the browser's part of a ceremony (WebAuthn L3 §5.1.3, §5.1.4), talking to a
// key over CTAPHID, taking and returning the JSON that RP libraries produce and verify. The
// ceremonies are create.ts and get.ts; user verification, extensions and attestation have theirs.
import { CtapHidHost } from '../hid/host.js';
import type { ReportPipe } from '../hid/pipe.js';
import { effectiveDomain } from './clientData.js';
import { create } from './create.js';
import { Ctap2Client, type AuthenticatorInfo } from './ctap2.js';
import { get } from './get.js';
import type { Session, WebAuthnClientOptions } from './session.js';
import type { AuthenticationResponseJSON, CreationOptionsJSON, RegistrationResponseJSON, RequestOptionsJSON } from './webauthnTypes.js';

export { WebAuthnError, type WebAuthnErrorName } from './webauthnErrors.js';
export type { WebAuthnClientOptions } from './session.js';

/** Anything a host can open a HID connection to: a VirtualAuthenticator, a UDP or node-hid device. */
export interface HidConnectable {
  connect(): ReportPipe | Promise<ReportPipe>;
}

const DEFAULT_TIMEOUT_MS = 120_000;

export class WebAuthnClient {
  private ctap?: Promise<{ ctap: Ctap2Client; info: AuthenticatorInfo }>;

  constructor(
    private readonly key: HidConnectable,
    private readonly options: WebAuthnClientOptions,
  ) {
    effectiveDomain(options.origin);
  }

  private async session(): Promise<Session> {
    this.ctap ??= (async () => {
      const hid = await CtapHidHost.open(await this.key.connect());
      const ctap = new Ctap2Client(hid, { crypto: this.options.crypto });
      return { ctap, info: await ctap.getInfo() };
    })();
    const { ctap, info } = await this.ctap;
    const options = this.options;
    return { ctap, info, options, signal: (t) => AbortSignal.timeout(t ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS) };
  }

  /** navigator.credentials.create({ publicKey }) */
  async create(o: CreationOptionsJSON): Promise<RegistrationResponseJSON> {
    return create(await this.session(), o);
  }

  /** navigator.credentials.get({ publicKey }) */
  async get(o: RequestOptionsJSON): Promise<AuthenticationResponseJSON> {
    return get(await this.session(), o);
  }

  close(): void {
    void this.ctap?.then(({ ctap }) => ctap.hid.close()).catch(() => undefined);
    this.ctap = undefined;
  }
}
