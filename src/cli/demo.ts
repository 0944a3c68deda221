// `ctap-emu demo`: a relying party registers a passkey and signs in with it through ctap-emu, all
// in this process, saying each step in plain words. The RP's checks are rpCheck.ts: the CLI
// depends on no RP library.
import { randomBytes } from 'node:crypto';
import { WebAuthnClient } from '../node/clients.js';
import type { CreationOptionsJSON, RequestOptionsJSON } from '../client/webauthnTypes.js';
import { CtapError } from '../ctap/status.js';
import { VirtualAuthenticator } from '../node/virtual.js';
import { toBase64url } from '../util/bytes.js';
import { CliError, ExitCode } from './errors.js';
import { verifyAssertion, verifyRegistration, RpCheckError } from './rpCheck.js';

const say = (s: string): boolean => process.stdout.write(`${s}\n`);
const challenge = (): string => toBase64url(randomBytes(32));
const origin = 'https://demo.example';
const rpId = 'demo.example';

function registrationOptions(): CreationOptionsJSON {
  return {
    rp: { id: rpId, name: 'Demo' },
    user: { id: toBase64url(randomBytes(16)), name: 'alice', displayName: 'Alice' },
    challenge: challenge(),
    pubKeyCredParams: [{ alg: -7, type: 'public-key' }, { alg: -8, type: 'public-key' }],
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    attestation: 'none',
  };
}

function startKey(pin: string): VirtualAuthenticator {
  try {
    return new VirtualAuthenticator({
      pin,
      presence: (r) => (say(`   The key asks for a touch (${r.command} for ${r.rpId}); the demo user touches it.`), true),
    });
  } catch (e) {
    if (e instanceof CtapError) throw new CliError(`--pin: ${e.detail ?? e.message}`, ExitCode.usage);
    throw e;
  }
}

async function ceremonies(browser: WebAuthnClient): Promise<void> {
  say(`2. The relying party ${rpId} asks to register a passkey for "alice" (resident key, user verification required).`);
  const reg = registrationOptions();
  say('3. The WebAuthn client (the browser\'s part) gets a PIN token from the key and sends makeCredential over CTAPHID.');
  const created = await browser.create(reg);
  const cred = verifyRegistration(created, { challenge: reg.challenge, origin, rpId, requireUserVerification: true });
  say(`4. The relying party verifies the registration: verified=true, user verified=${cred.uv}, format=${cred.fmt}, algorithm=${cred.alg}.`);
  say(`   Credential ID ${cred.id}`);

  say('5. Later, alice signs in: the relying party sends a challenge with no allowCredentials (a passkey login).');
  const auth: RequestOptionsJSON = { challenge: challenge(), rpId, userVerification: 'required' };
  const asserted = await browser.get(auth);
  const a = verifyAssertion(asserted, { challenge: auth.challenge, origin, rpId, requireUserVerification: true }, cred);
  say(`6. The relying party verifies the assertion: verified=true, user verified=${a.uv}, ` +
    `signature counter ${cred.counter} -> ${a.counter} (the signature covers authenticator data and the client data hash).`);
  say(`   The key returned user handle ${asserted.response.userHandle}, which the server maps back to alice.`);
}

export async function demo(o: { pin: string }): Promise<void> {
  say('1. A software security key starts, in memory, with the PIN given (--pin, --pin-file or $CTAP_EMU_PIN; default 1234).');
  const key = startKey(o.pin);
  const browser = new WebAuthnClient(key, { origin, pin: o.pin });
  try {
    await ceremonies(browser);
    say('Done. Run `ctap-emu serve` to use the key from other programs (UDP, or /dev/uhid on Linux).');
  } catch (e) {
    if (e instanceof RpCheckError) throw new CliError(`the relying party rejected it: ${e.message}`);
    throw e;
  } finally {
    browser.close();
    key.close();
  }
}
