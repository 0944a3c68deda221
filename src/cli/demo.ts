// `ctap-emu demo`: a relying party (@simplewebauthn/server) registers a passkey and signs in with
// it through ctap-emu, all in this process, saying each step in plain words.
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { WebAuthnClient } from '../client/webauthn.js';
import { VirtualAuthenticator } from '../node/virtual.js';

const say = (s: string): boolean => process.stdout.write(`${s}\n`);

export async function demo(o: { pin: string }): Promise<void> {
  const origin = 'https://demo.example';
  const rpID = 'demo.example';
  say(`1. A software security key starts, in memory, with PIN ${JSON.stringify(o.pin)}.`);
  const key = new VirtualAuthenticator({
    pin: o.pin,
    presence: (r) => (say(`   The key asks for a touch (${r.command} for ${r.rpId}); the demo user touches it.`), true),
  });
  const browser = new WebAuthnClient(key, { origin, pin: o.pin });
  try {
    say(`2. The relying party ${rpID} asks to register a passkey for "alice" (resident key, user verification required).`);
    const reg = await generateRegistrationOptions({
      rpName: 'Demo', rpID, userName: 'alice', userDisplayName: 'Alice',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    say('3. The WebAuthn client (the browser\'s part) gets a PIN token from the key and sends makeCredential over CTAPHID.');
    const created = await browser.create(reg);
    const r = await verifyRegistrationResponse({
      response: created, expectedChallenge: reg.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true,
    });
    const info = r.registrationInfo!;
    say(`4. The relying party verifies the registration: verified=${r.verified}, user verified=${info.userVerified}, ` +
      `format=${info.fmt}, algorithm=${created.response.publicKeyAlgorithm}.`);
    say(`   Credential ID ${info.credential.id}`);

    say('5. Later, alice signs in: the relying party sends a challenge with no allowCredentials (a passkey login).');
    const auth = await generateAuthenticationOptions({ rpID, userVerification: 'required' });
    const asserted = await browser.get(auth);
    const a = await verifyAuthenticationResponse({
      response: asserted, expectedChallenge: auth.challenge, expectedOrigin: origin, expectedRPID: rpID,
      credential: info.credential, requireUserVerification: true,
    });
    say(`6. The relying party verifies the assertion: verified=${a.verified}, user verified=${a.authenticationInfo.userVerified}, ` +
      `signature counter ${info.credential.counter} -> ${a.authenticationInfo.newCounter}.`);
    say(`   The key returned user handle ${asserted.response.userHandle}, which the server maps back to alice.`);
    say('Done. Run `ctap-emu serve` to use the key from other programs (UDP, or /dev/uhid on Linux).');
  } finally {
    browser.close();
    key.close();
  }
}
