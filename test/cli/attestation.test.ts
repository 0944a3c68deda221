// `ctap-emu attestation export`, run as a user runs it: the CA certificate and the MDS3 statement it
// writes are the ones the key attests with, the same on every export, and trusted by OpenSSL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/keystore/sqlite.js';
import { VirtualAuthenticator } from '../../src/node/virtual.js';

const CLI = join(process.cwd(), 'dist/src/cli.js');
let dir: string;
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/src/cli.js is missing: npm test builds it first (tsc)');
  dir = mkdtempSync(join(tmpdir(), 'ctap-emu-att-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  const env = { ...process.env };
  delete env.CTAP_EMU_STORE;
  delete env.CTAP_EMU_PASSPHRASE;
  return spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
}

describe('ctap-emu attestation export', () => {
  it('writes the CA (PEM) and a metadata statement for the AAGUID; the same CA every time, and after a reset', () => {
    const store = join(dir, 'k.sqlite');
    new SqliteStore(store).close();
    const out = join(dir, 'out');
    const r = run(['attestation', 'export', '--store', store, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const caPath = join(out, 'ctap-emu-attestation-ca.pem');
    const mdsPath = join(out, 'd311f9db-f2b1-440a-abd1-247767021afc.json');
    expect(r.stdout).toBe(`${caPath}\n${mdsPath}\n`);
    const ca = new X509Certificate(readFileSync(caPath));
    expect(ca.ca).toBe(true);
    const mds = JSON.parse(readFileSync(mdsPath, 'utf8'));
    expect(mds).toMatchObject({ aaguid: 'd311f9db-f2b1-440a-abd1-247767021afc', schema: 3, protocolFamily: 'fido2', attestationTypes: ['basic_full'] });
    // Every algorithm getInfo lists has its FIDO registry name (ES384 is on by default).
    expect(mds.authenticationAlgorithms).toEqual(['secp256r1_ecdsa_sha256_raw', 'ed25519_eddsa_sha512_raw', 'secp384r1_ecdsa_sha384_raw']);
    expect(mds.attestationRootCertificates).toEqual([ca.raw.toString('base64')]);
    expect(mds.authenticatorGetInfo.versions).toContain('U2F_V2');
    // The key on that store attests with a certificate the exported CA issued; a reset keeps it.
    const key = new VirtualAuthenticator({ store });
    const batch = new X509Certificate(key.authenticator.attestation().x5c[0]!);
    key.store.wipe();
    key.close();
    expect(batch.verify(ca.publicKey)).toBe(true);
    const again = run(['attestation', 'export', '--store', store, '--out', out]);
    expect(again.status, again.stderr).toBe(0);
    expect(new X509Certificate(readFileSync(caPath)).raw).toEqual(ca.raw);
  });

  it('names the AAGUID it was given, and says so when the keystore is missing', () => {
    const out = join(dir, 'mem');
    const r = run(['attestation', 'export', '--memory', '--out', out, '--aaguid', '00112233-4455-6677-8899-aabbccddeeff']);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(out, '00112233-4455-6677-8899-aabbccddeeff.json'))).toBe(true);
    const missing = run(['attestation', 'export', '--store', join(dir, 'none.sqlite'), '--out', out]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^ctap-emu: no keystore/);
  });
});
