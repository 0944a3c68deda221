// The DOMException names a browser rejects WebAuthn calls with, and CTAP statuses mapped onto them.
import { CtapError, Status, statusName } from '../ctap/status.js';

export type WebAuthnErrorName = 'NotAllowedError' | 'InvalidStateError' | 'NotSupportedError' | 'SecurityError' | 'ConstraintError' | 'SyntaxError';

/** Errors named as the DOMExceptions a browser would reject with. */
export class WebAuthnError extends Error {
  constructor(
    override readonly name: WebAuthnErrorName,
    message: string,
    readonly ctapStatus?: number,
  ) {
    super(message);
  }
}

/** WebAuthn §6.3.2 / §6.3.3: what a CTAP error means to the page. */
export function translate(e: unknown): never {
  if (e instanceof CtapError) {
    const s = e.status;
    if (s === Status.CTAP2_ERR_CREDENTIAL_EXCLUDED) throw new WebAuthnError('InvalidStateError', 'the key already holds a credential in excludeCredentials', s);
    if (s === Status.CTAP2_ERR_UNSUPPORTED_ALGORITHM) throw new WebAuthnError('NotSupportedError', 'the key supports none of pubKeyCredParams', s);
    throw new WebAuthnError('NotAllowedError', `the key answered ${statusName(s)}`, s);
  }
  throw e;
}
