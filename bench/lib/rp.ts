// The relying party of the passkey benchmarks: @simplewebauthn/server makes the options a passkey
// site sends (residentKey and userVerification 'required', discoverable login) and verifies every
// response. A ceremony whose response does not verify throws: a broken run is never a fast one.
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON, type WebAuthnCredential,
} from '@simplewebauthn/server';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../../src/client/webauthnTypes.js';

export type CreationOptions = PublicKeyCredentialCreationOptionsJSON;
export type RequestOptions = PublicKeyCredentialRequestOptionsJSON;

/** Chrome's virtual authenticator holds at most 3 discoverable credentials: both keys get 3 users. */
export const USERS_PER_KEY = 3;

export class PasskeyRp {
  private readonly credentials = new Map<string, WebAuthnCredential>();
  private slot = 0;

  constructor(readonly rpID: string, readonly origin: string) {}

  /** Registration options for the next of USERS_PER_KEY users (the same user again replaces its passkey). */
  async registrationOptions(): Promise<CreationOptions> {
    const slot = this.slot++ % USERS_PER_KEY;
    return generateRegistrationOptions({
      rpName: 'Bench', rpID: this.rpID, userName: `user${slot}`, userID: new Uint8Array([1, 2, 3, slot]),
      attestationType: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
  }

  async verifyRegistration(options: CreationOptions, response: RegistrationResponseJSON): Promise<void> {
    const r = await verifyRegistrationResponse({
      response: response as never, expectedChallenge: options.challenge, expectedOrigin: this.origin, expectedRPID: this.rpID,
      requireUserVerification: true,
    });
    if (!r.verified || !r.registrationInfo) throw new Error('registration did not verify');
    this.credentials.set(r.registrationInfo.credential.id, r.registrationInfo.credential);
  }

  /** A passkey site's login: no allowCredentials, user verification required. */
  async authenticationOptions(): Promise<RequestOptions> {
    return generateAuthenticationOptions({ rpID: this.rpID, userVerification: 'required' });
  }

  async verifyAuthentication(options: RequestOptions, response: AuthenticationResponseJSON): Promise<void> {
    const credential = this.credentials.get(response.id);
    if (!credential) throw new Error(`login with an unknown credential ${response.id}`);
    const r = await verifyAuthenticationResponse({
      response: response as never, expectedChallenge: options.challenge, expectedOrigin: this.origin, expectedRPID: this.rpID,
      credential, requireUserVerification: true,
    });
    if (!r.verified) throw new Error('authentication did not verify');
    credential.counter = r.authenticationInfo.newCounter;
  }

  /** For measuring the RP alone: forget counters so a recorded response verifies again. */
  resetCounters(): void {
    for (const c of this.credentials.values()) c.counter = 0;
  }
}
