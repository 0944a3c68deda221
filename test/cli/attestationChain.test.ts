// A vendor's own attestation material: PEM files parsed (and refused with a message naming the
// file), then `serve --attestation-chain --attestation-key` attesting with them, verified by
// @simplewebauthn/server with the supplied root as the only trust anchor.
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRegistrationOptions, SettingsService, verifyRegistrationResponse } from '@simplewebauthn/server';
import { attestationMaterial } from '../../src/ctap2/attestation/batch.js';
import { pem } from '../../src/ctap2/attestation/der.js';
import { CoseAlg } from '../../src/ctap/cose.js';
import { nobleCrypto } from '../../src/ctap/nobleCrypto.js';
import { connectUdp } from '../../src/hid/udp.js';
import { MemoryStore } from '../../src/keystore/memory.js';
import { WebAuthnClient } from '../../src/client/webauthn.js';
import { AttestationChainError, parseAttestationChain } from '../../src/node/attestationChain.js';
import { toBase64url } from '../../src/util/bytes.js';
import { requireBuiltCli, runCli, serveUdpCli } from '../helpers/serveProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-chain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(requireBuiltCli);

/** A CA and an attestation certificate it signed (ctap-emu's generator, standing in for a vendor's). */
function vendor(aaguidByte: number) {
  const m = attestationMaterial({
    store: new MemoryStore(), crypto: nobleCrypto, config: { aaguid: new Uint8Array(16).fill(aaguidByte) }, now: Date.now,
    randomBytes: (n) => nobleCrypto.sha256(new Uint8Array([n, aaguidByte])).slice(0, n),
  });
  const point = nobleCrypto.publicKeyOf(CoseAlg.ES256, m.privateKey);
  const keyPem = createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', d: toBase64url(m.privateKey), x: toBase64url(point.subarray(1, 33)), y: toBase64url(point.subarray(33)) },
    format: 'jwk',
  }).export({ format: 'pem', type: 'pkcs8' }) as string;
  return { m, leafPem: pem('CERTIFICATE', m.x5c[0]!), rootPem: pem('CERTIFICATE', m.root!), keyPem };
}

describe('parseAttestationChain', () => {
  const v = vendor(1);
  const other = vendor(2);

  it('takes the attestation certificate, its key, and a self-signed last certificate as the root', () => {
    const c = parseAttestationChain(v.leafPem + v.rootPem, v.keyPem);
    expect(c.certificates).toEqual([v.m.x5c[0]]);
    expect(c.root).toEqual(v.m.root);
    expect(c.privateKey).toEqual(v.m.privateKey);
    expect(parseAttestationChain(v.leafPem, v.keyPem).root).toBeUndefined();
  });

  it.each([
    ['no certificate', () => parseAttestationChain('hello', v.keyPem), /no PEM certificate/],
    ['a key that is not the certificate\'s', () => parseAttestationChain(v.leafPem, other.keyPem), /not the key of the first certificate/],
    ['a chain out of order', () => parseAttestationChain(v.leafPem + other.rootPem, v.keyPem), /did not issue/],
    ['not a key', () => parseAttestationChain(v.leafPem, 'nope'), /not a PEM private key/],
  ])('refuses %s', (_name, f, message) => {
    expect(f).toThrow(AttestationChainError);
    expect(f).toThrow(message);
  });
});

describe('serve --attestation-chain --attestation-key', () => {
  it('attests with the supplied certificate, which @simplewebauthn/server chains to the supplied root', async () => {
    const v = vendor(3);
    const certs = join(dir, 'chain.pem');
    const key = join(dir, 'key.pem');
    writeFileSync(certs, v.leafPem + v.rootPem);
    writeFileSync(key, v.keyPem, { mode: 0o600 });
    const s = await serveUdpCli(['--memory', '--attestation-chain', certs, '--attestation-key', key]);
    expect(s.stderr()).not.toContain('PRIVATE KEY');
    const client = new WebAuthnClient({ connect: () => connectUdp('127.0.0.1', s.port) }, { origin: 'https://example.com' });
    const options = await generateRegistrationOptions({ rpName: 'Ex', rpID: 'example.com', userName: 'a', attestationType: 'direct' });
    const response = await client.create(options);
    SettingsService.setRootCertificates({ identifier: 'packed', certificates: [v.rootPem] });
    const verify = () => verifyRegistrationResponse({
      response, expectedChallenge: options.challenge, expectedOrigin: 'https://example.com', expectedRPID: 'example.com', requireUserVerification: false,
    });
    const ok = await verify();
    expect(ok.verified).toBe(true);
    expect(ok.registrationInfo!.aaguid).toBe('03030303-0303-0303-0303-030303030303'); // the certificate's, taken by serve
    SettingsService.setRootCertificates({ identifier: 'packed', certificates: [vendor(4).rootPem] });
    await expect(verify()).rejects.toThrow(/chain|path|certificate/i);
  });

  it('refuses one file without the other, and a key that does not match, in one line', async () => {
    const v = vendor(5);
    const certs = join(dir, 'c5.pem');
    writeFileSync(certs, v.leafPem);
    const alone = await runCli(['serve', '--memory', '--transport', 'udp', '--port', '0', '--attestation-chain', certs]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/go together/);
    const wrong = join(dir, 'k5.pem');
    writeFileSync(wrong, vendor(6).keyPem);
    const mismatch = await runCli(['serve', '--memory', '--transport', 'udp', '--port', '0', '--attestation-chain', certs, '--attestation-key', wrong]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr.trim().split('\n')).toHaveLength(1);
    expect(mismatch.stderr).toMatch(/is not the key of the first certificate/);
    expect(mismatch.stderr).not.toContain('PRIVATE');
    const key5 = join(dir, 'key5.pem');
    writeFileSync(key5, v.keyPem);
    const aaguid = await runCli(['serve', '--memory', '--transport', 'udp', '--port', '0', '--attestation-chain', certs, '--attestation-key', key5, '--aaguid', '00'.repeat(16)]);
    expect(aaguid.code).toBe(2);
    expect(aaguid.stderr).toMatch(/differs from the AAGUID the attestation certificate names \((05){16}\)/);
  });
});
