// The passkey flow end to end (node dist/bench/passkey.js after a build): a VirtualAuthenticator
// with a PIN and the WebAuthn client in one process, residentKey and userVerification required, so
// every ceremony does a fresh key agreement and pinUvAuthToken on both sides, as a browser does.
// Each line is one choice of crypto for the key and for the host; rounds alternate between the
// lines so that a shared machine's load falls on all alike. Figures: ceremonies per second.
import { randomBytes } from 'node:crypto';
import { VirtualAuthenticator } from '../src/node/virtual.js';
import { WebAuthnClient } from '../src/client/webauthn.js';
import { nobleCrypto } from '../src/ctap/nobleCrypto.js';
import type { Crypto } from '../src/ctap/crypto.js';
import { NodeCrypto } from '../src/node/nodeCrypto.js';
import { toBase64url } from '../src/util/bytes.js';

const origin = 'https://example.com';
const rpId = 'example.com';
const challenge = (): string => toBase64url(new Uint8Array(randomBytes(32)));

/** What the key signed with before issue 11: noble for everything else. */
function signingOnly(): Crypto {
  const openssl = new NodeCrypto();
  return { ...nobleCrypto, sign: openssl.sign, forget: openssl.forget };
}

const setups: [string, () => Crypto, () => Crypto][] = [
  ['key noble + OpenSSL signing, host noble (before)', signingOnly, () => nobleCrypto],
  ['key noble, host noble', () => nobleCrypto, () => nobleCrypto],
  ['key OpenSSL, host noble', () => new NodeCrypto(), () => nobleCrypto],
  ['key OpenSSL, host OpenSSL (after: the package default)', () => new NodeCrypto(), () => new NodeCrypto({ keyCacheSize: 0 })],
];

async function main(): Promise<void> {
  const rows = await Promise.all(setups.map(async ([name, keyCrypto, hostCrypto]) => {
    const key = new VirtualAuthenticator({ pin: '1234', crypto: keyCrypto() });
    const client = new WebAuthnClient(key, { origin, pin: '1234', crypto: hostCrypto() });
    // One user, registered again and again: the store keeps one credential, sign-in finds it.
    const register = () => client.create({
      challenge: challenge(), rp: { id: rpId, name: 'Example' }, user: { id: toBase64url(new Uint8Array([1])), name: 'alice', displayName: 'Alice' },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }], authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    const login = () => client.get({ challenge: challenge(), rpId, userVerification: 'required' });
    await register();
    await login();
    return { name, key, client, register, login, rates: { register: [] as number[], login: [] as number[] } };
  }));
  for (let round = 0; round < 5; round++) {
    for (const row of rows) {
      for (const kind of ['register', 'login'] as const) {
        let n = 0;
        const start = performance.now();
        while (performance.now() - start < 300) {
          await row[kind]();
          n++;
        }
        row.rates[kind].push(n / ((performance.now() - start) / 1000));
      }
    }
  }
  const median = (v: number[]): number => v.sort((a, b) => a - b)[2]!;
  console.log(`passkey ceremonies/s (PIN token, ES256, discoverable; node ${process.version})`);
  console.log(`${''.padEnd(56)} ${'register'.padStart(9)} ${'login'.padStart(9)}`);
  for (const r of rows) console.log(`${r.name.padEnd(56)} ${median(r.rates.register).toFixed(0).padStart(9)} ${median(r.rates.login).toFixed(0).padStart(9)}`);
  for (const r of rows) {
    r.client.close();
    r.key.close();
  }
}

void main();
