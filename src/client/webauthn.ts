// A WebAuthn client: the browser's part of a ceremony (WebAuthn L3 §5.1.3, §5.1.4), talking to a
// key over CTAPHID, taking and returning the JSON that RP libraries produce and verify. The
// ceremonies are create.ts and get.ts; user verification, extensions and attestation have theirs.
import { CtapHidHost, MAX_TIMEOUT_MS } from '../hid/host.js';
import type { ReportPipe } from '../hid/pipe.js';
import { effectiveDomain } from './clientData.js';
import { create } from './create.js';
import { Ctap2Client, type AuthenticatorInfo } from './ctap2.js';
import { get } from './get.js';
import type { Session, WebAuthnClientOptions } from './session.js';
import { WebAuthnError } from './webauthnErrors.js';
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

  /** One ceremony's session; its time-out is a deadline the request's exchange keeps (no timer of its own). */
  private async ceremony<T>(run: (s: Session) => Promise<T>): Promise<T> {
    this.ctap ??= (async () => {
      const hid = await CtapHidHost.open(await this.key.connect());
      const ctap = new Ctap2Client(hid, { crypto: this.options.crypto });
      return { ctap, info: await ctap.getInfo() };
    })();
    const { ctap, info } = await this.ctap;
    const options = this.options;
    // WebAuthn §5.1.3 step 10: the timer runs from the start of the call, whatever came before the request.
    const start = performance.now();
    const deadline = (t: number | undefined): number => {
      const ms = t ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      // A time-out out of range is brought to the nearest in range (§5.1.3); one that is no number, to the default.
      const at = start + (Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS);
      if (performance.now() >= at) throw new WebAuthnError('NotAllowedError', 'the ceremony timed out');
      return at;
    };
    return run({ ctap, info, options, deadline });
  }

  /** navigator.credentials.create({ publicKey }) */
  async create(o: CreationOptionsJSON): Promise<RegistrationResponseJSON> {
    return this.ceremony((s) => create(s, o));
  }

  /** navigator.credentials.get({ publicKey }) */
  async get(o: RequestOptionsJSON): Promise<AuthenticationResponseJSON> {
    return this.ceremony((s) => get(s, o));
  }

  close(): void {
    void this.ctap?.then(({ ctap }) => ctap.hid.close()).catch(() => undefined);
    this.ctap = undefined;
  }
}
