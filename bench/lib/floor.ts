// The "floor" of a passkey ceremony: what no client+key could avoid. The RP's own work (options and
// verification, measured alone on recorded responses) and the crypto of a UV-token ceremony with
// OpenSSL: two P-256 ECDH (client and key agree on the PIN/UV shared secret), one ECDSA signature,
// and for a registration one new P-256 key pair.
import { createECDH, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../../src/client/webauthnTypes.js';
import { rate } from './measure.js';
import { PasskeyRp, type CreationOptions, type RequestOptions } from './rp.js';

export interface CryptoCosts {
  ecdhUs: number;
  signUs: number;
  keypairUs: number;
}

export async function cryptoCosts(): Promise<CryptoCosts> {
  const a = createECDH('prime256v1');
  const b = createECDH('prime256v1');
  a.generateKeys();
  const peer = b.generateKeys();
  const ecdh = await rate(() => a.computeSecret(peer), 300);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const msg = randomBytes(69);
  const sig = await rate(() => sign('sha256', msg, privateKey), 300);
  const kp = await rate(() => generateKeyPairSync('ec', { namedCurve: 'P-256' }), 300);
  return { ecdhUs: 1e6 / ecdh.perSecond, signUs: 1e6 / sig.perSecond, keypairUs: 1e6 / kp.perSecond };
}

export interface RecordedCeremony {
  rp: PasskeyRp;
  reg: { options: CreationOptions; response: RegistrationResponseJSON };
  auth: { options: RequestOptions; response: AuthenticationResponseJSON };
}

/** The RP alone, µs per ceremony: fresh options, then verification of a recorded response. */
export async function rpCosts(rec: RecordedCeremony): Promise<{ registerUs: number; loginUs: number }> {
  const reg = await rate(async () => {
    await rec.rp.registrationOptions();
    await rec.rp.verifyRegistration(rec.reg.options, rec.reg.response);
  }, 400);
  const login = await rate(async () => {
    await rec.rp.authenticationOptions();
    rec.rp.resetCounters();
    await rec.rp.verifyAuthentication(rec.auth.options, rec.auth.response);
  }, 400);
  return { registerUs: 1e6 / reg.perSecond, loginUs: 1e6 / login.perSecond };
}
