// The "floor" of a passkey ceremony: what no client+key could avoid. The RP's own work (options and
// verification, measured alone on recorded responses) and the crypto of a UV-token ceremony with
// OpenSSL: two P-256 ECDH (client and key agree on the PIN/UV shared secret), one ECDSA signature,
// and for a registration one new P-256 key pair.
import { createCipheriv, createDecipheriv, createECDH, createHash, createHmac, generateKeyPairSync, hkdfSync, randomBytes, sign } from 'node:crypto';
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

/**
 * The rest of the crypto a PIN/UV-token ceremony (protocol 2) takes, both sides, beyond the floor's:
 * the platform's one-time key pair; HKDF of the shared secret into an HMAC key and an AES key on
 * each side (4); AES-256-CBC for the PIN hash (the platform encrypts, the key decrypts) and the
 * token (the key encrypts, the platform decrypts) (4); the pinUvAuthParam HMAC, made and checked
 * (2); SHA-256 of the PIN, of clientDataJSON and of the RP ID (3). µs per ceremony.
 */
export async function tokenProtocolRestUs(): Promise<number> {
  const z = randomBytes(32);
  const salt = new Uint8Array(32);
  const iv = randomBytes(16);
  const block = randomBytes(32);
  const key = randomBytes(32);
  const aes = (decrypt: boolean): Buffer => {
    const c = decrypt ? createDecipheriv('aes-256-cbc', key, iv) : createCipheriv('aes-256-cbc', key, iv);
    c.setAutoPadding(false);
    return Buffer.concat([c.update(block), c.final()]);
  };
  const clientData = randomBytes(180);
  const rest = await rate(() => {
    createECDH('prime256v1').generateKeys();
    for (let i = 0; i < 2; i++) {
      hkdfSync('sha256', z, salt, 'CTAP2 HMAC key', 32);
      hkdfSync('sha256', z, salt, 'CTAP2 AES key', 32);
      aes(false);
      aes(true);
      createHmac('sha256', key).update(block).digest();
    }
    createHash('sha256').update('1234').digest();
    createHash('sha256').update(clientData).digest();
    createHash('sha256').update('localhost').digest();
  }, 300);
  return 1e6 / rest.perSecond;
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
