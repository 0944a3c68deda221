// Section "crypto": per primitive, NodeCrypto (OpenSSL) against nobleCrypto (the portable one the
// tests hold it against), on the input sizes the key and the host use. NodeCrypto keeps noble's code
// where OpenSSL's per-call overhead loses; the last line shows that alternative.
import { hkdfSync } from 'node:crypto';
import { nobleCrypto } from '../../src/ctap/nobleCrypto.js';
import { NodeCrypto } from '../../src/node/nodeCrypto.js';
import type { Crypto } from '../../src/ctap/crypto.js';
import type { Report } from '../lib/report.js';

/** ops/s of a and of b, measured in alternating short rounds (medians of 9), so a shared machine's load falls on both alike. */
function rates(a: () => unknown, b: () => unknown, ms = 40): [number, number] {
  const ra: number[] = [];
  const rb: number[] = [];
  for (let r = 0; r < 9; r++) {
    for (const [fn, out] of [[a, ra], [b, rb]] as const) {
      let n = 0;
      const start = performance.now();
      while (performance.now() - start < ms) {
        fn();
        n++;
      }
      out.push(n / ((performance.now() - start) / 1000));
    }
  }
  const median = (v: number[]): number => v.sort((x, y) => x - y)[4]!;
  return [median(ra), median(rb)];
}

const k32 = new Uint8Array(32).fill(3);
const d32 = new Uint8Array(32).fill(7);
const json = new Uint8Array(180).fill(0x61); // a clientDataJSON's size
const seed = new Uint8Array(48).fill(5);
const iv = new Uint8Array(16);
const nonce = new Uint8Array(12);
const sk = nobleCrypto.generatePrivateKey(-7, seed);
const ed = nobleCrypto.generatePrivateKey(-8, seed);
const peer = nobleCrypto.keyAgreementKey(new Uint8Array(48).fill(9)).publicKey;
const msg = new Uint8Array(100);

const cases: [string, (c: Crypto) => () => unknown][] = [
  ['sha256, 32 bytes', (c) => () => c.sha256(d32)],
  ['sha256, 180 bytes', (c) => () => c.sha256(json)],
  ['hmacSha256, 32-byte key, 32 bytes', (c) => () => c.hmacSha256(k32, d32)],
  ['hkdfSha256 to 32 bytes', (c) => () => c.hkdfSha256(d32, d32, 'CTAP2 HMAC key', 32)],
  ['aeadSeal, 36 bytes (a credential ID)', (c) => () => c.aeadSeal(k32, nonce, new Uint8Array(36), d32)],
  ['aeadOpen, 36 bytes', (c) => { const s = c.aeadSeal(k32, nonce, new Uint8Array(36), d32); return () => c.aeadOpen(k32, nonce, s, d32); }],
  ['cbcEncrypt, 64 bytes (newPinEnc)', (c) => () => c.cbcEncrypt(k32, iv, new Uint8Array(64))],
  ['cbcDecrypt, 32 bytes (a pinUvAuthToken)', (c) => () => c.cbcDecrypt(k32, iv, new Uint8Array(32))],
  ['generatePrivateKey ES256', (c) => () => c.generatePrivateKey(-7, seed)],
  ['publicKeyOf ES256', (c) => () => c.publicKeyOf(-7, sk)],
  ['publicKeyOf EdDSA', (c) => () => c.publicKeyOf(-8, ed)],
  ['sign ES256 (key imported once)', (c) => () => c.sign(-7, sk, msg)],
  ['sign EdDSA (key imported once)', (c) => () => c.sign(-8, ed, msg)],
  ['sign ES256, a new key each time', (c) => () => { c.forget?.(); return c.sign(-7, sk, msg); }],
  ['keyAgreementKey', (c) => () => c.keyAgreementKey(seed)],
  ['keyAgreementKey + agree', (c) => () => c.keyAgreementKey(seed).agree(peer)],
  ['one-time agreement (the host, each ceremony: agreeOnce where there is one)', (c) => () => (c.agreeOnce ? c.agreeOnce(seed, peer) : c.keyAgreementKey(seed).agree(peer))],
  ['agree (the key, its key made at power-up)', (c) => { const k = c.keyAgreementKey(seed); return () => k.agree(peer); }],
];

export async function cryptoSection(r: Report): Promise<void> {
  r.section('crypto', '0. primitives: NodeCrypto (OpenSSL) vs nobleCrypto, ops/s');
  const node = new NodeCrypto();
  const pair = (name: string, [a, b]: [number, number]): void => {
    r.figure(`${name}: noble`, a, 'ops/s');
    r.figure(`${name}: NodeCrypto`, b, 'ops/s');
    r.ratio(`${name}: NodeCrypto / noble`, b / a);
  };
  for (const [name, make] of cases) pair(name, rates(make(nobleCrypto), make(node)));
  r.note('node:crypto direct, for the primitive NodeCrypto computes its own way (second figure):');
  pair('hkdf to 32 bytes, hkdfSync', rates(() => nobleCrypto.hkdfSha256(d32, d32, 'CTAP2 HMAC key', 32), () => hkdfSync('sha256', d32, d32, 'CTAP2 HMAC key', 32)));
  r.note('AES-CBC: alike here in a tight loop; NodeCrypto takes OpenSSL for it, which cost less inside a ceremony (noble\'s key schedule runs cold between other work)');
}
