// The attestation CA and batch certificate (WebAuthn L3 §8.2.1), packed basic attestation checked by
// OpenSSL (node:crypto X509Certificate), python-fido2's rules in test/python, and @simplewebauthn/server
// with the exported CA as the only trust anchor.
import { X509Certificate, verify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateRegistrationOptions, MetadataService, SettingsService, verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { NO_EXPIRY, oid, pem, time, unsignedInteger } from '../../../src/ctap2/attestation/der.js';
import { attestationMaterial } from '../../../src/ctap2/attestation/batch.js';
import { nobleCrypto } from '../../../src/ctap/nobleCrypto.js';
import { DEFAULT_CONFIG } from '../../../src/ctap2/env.js';
import type { CborMap } from '../../../src/ctap/cbor.js';
import { MemoryStore } from '../../../src/keystore/memory.js';
import { VirtualAuthenticator, WebAuthnClient } from '../../../src/index.js';
import { concatBytes, toHex } from '../../../src/util/bytes.js';
import { TestKey } from '../../helpers/core.js';
import { metadataStatement } from '../../../src/node/metadata.js';

const ascii = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('DER', () => {
  // Expected strings: RFC 5280 §4.1.2.5 forms, times from `date -u -d @...`.
  it.each([
    [0, 0x17, '700101000000Z'],
    [1_700_000_000_000, 0x17, '231114221320Z'],
    [951_782_400_000, 0x17, '000229000000Z'], // a leap day
    [2_524_608_000_000, 0x18, '20500101000000Z'],
    [-631_152_000_001, 0x18, '19491231235959Z'],
  ])('encodes %d ms as tag %d %s', (ms, tag, text) => {
    const t = time(ms);
    expect(t[0]).toBe(tag);
    expect(ascii(t.subarray(2))).toBe(text);
  });

  it('encodes OIDs, positive integers and the no-expiry time as X.690 says', () => {
    // 1.3.6.1.4.1.45724.1.1.4: FIDO's id-fido-gen-ce-aaguid, as it appears in certificates.
    expect(toHex(oid('1.3.6.1.4.1.45724.1.1.4'))).toBe('060b2b0601040182e51c010104');
    expect(toHex(oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(toHex(unsignedInteger(new Uint8Array([0x00, 0x80])))).toBe('02020080');
    expect(toHex(unsignedInteger(new Uint8Array([0, 0, 1])))).toBe('020101');
    expect(ascii(NO_EXPIRY.subarray(2))).toBe('99991231235959Z');
  });
});

function material(store = new MemoryStore(), aaguid = DEFAULT_CONFIG.aaguid) {
  return attestationMaterial({
    store, crypto: nobleCrypto, config: { aaguid }, now: () => 1_700_000_000_000,
    randomBytes: (n) => nobleCrypto.sha256(new Uint8Array([n])).slice(0, n),
  });
}

describe('the attestation CA and batch certificate', () => {
  it('chain as OpenSSL sees it: a v3 CA, a batch certificate it signed with the FIDO fields', () => {
    const m = material();
    const ca = new X509Certificate(m.root!);
    const batch = new X509Certificate(m.x5c[0]!);
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(batch.ca).toBe(false);
    expect(batch.verify(ca.publicKey)).toBe(true);
    expect(batch.checkIssued(ca)).toBe(true);
    expect(batch.subject.split('\n')).toEqual(['C=US', 'O=ctap-emu', 'OU=Authenticator Attestation', 'CN=ctap-emu Batch Attestation']);
    expect(batch.validTo).toBe('Dec 31 23:59:59 9999 GMT');
    expect(batch.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    // id-fido-gen-ce-aaguid, not critical (no BOOLEAN), the AAGUID in an OCTET STRING in the extnValue.
    const ext = toHex(concatBytes(oid('1.3.6.1.4.1.45724.1.1.4'), new Uint8Array([0x04, 0x12, 0x04, 0x10]), DEFAULT_CONFIG.aaguid));
    expect(toHex(m.x5c[0]!)).toContain(ext);
    expect(pem('CERTIFICATE', m.root!)).toBe(ca.toString());
  });

  it('is made once per store, survives a reset, and gets a batch certificate per AAGUID', async () => {
    const key = new TestKey();
    const first = material(key.store);
    key.store.wipe();
    const again = material(key.store);
    expect(again.root).toEqual(first.root);
    expect(again.x5c).toEqual(first.x5c);
    const other = material(key.store, new Uint8Array(16).fill(7));
    expect(other.root).toEqual(first.root);
    expect(other.x5c[0]).not.toEqual(first.x5c[0]);
  });
});

describe('packed basic attestation', () => {
  const MC = 0x01;
  const params = (extra: Record<number, unknown> = {}) => new Map<number, unknown>(Object.entries({
    1: new Uint8Array(32).fill(9), 2: { id: 'example.com' }, 3: { id: new Uint8Array([1]), name: 'a' },
    4: [{ alg: -8, type: 'public-key' }], ...extra,
  }).map(([k, v]) => [Number(k), v]));

  it('signs authData || clientDataHash with the batch key (ES256, even for an EdDSA credential), x5c = [batch]', async () => {
    const key = new TestKey();
    const [st, res] = await key.call(MC, params() as never);
    expect(st).toBe(0);
    const attStmt = res!.get(3) as CborMap;
    expect(attStmt.get('alg')).toBe(-7);
    const x5c = attStmt.get('x5c') as Uint8Array[];
    expect(x5c).toHaveLength(1);
    const cert = new X509Certificate(x5c[0]!);
    const signed = concatBytes(res!.get(2) as Uint8Array, new Uint8Array(32).fill(9));
    expect(verify('sha256', signed, cert.publicKey, attStmt.get('sig') as Uint8Array)).toBe(true);
    expect(cert.checkIssued(new X509Certificate(material(key.store).root!))).toBe(true);
  });

  it('uses a chain and key the user supplies', async () => {
    const own = material(new MemoryStore(), new Uint8Array(16).fill(5));
    const key = new TestKey({ attestationChain: { privateKey: own.privateKey, certificates: own.x5c, root: own.root } });
    const [, res] = await key.call(MC, params() as never);
    const attStmt = res!.get(3) as CborMap;
    expect(attStmt.get('x5c')).toEqual(own.x5c);
    const signed = concatBytes(res!.get(2) as Uint8Array, new Uint8Array(32).fill(9));
    expect(verify('sha256', signed, new X509Certificate(own.x5c[0]!).publicKey, attStmt.get('sig') as Uint8Array)).toBe(true);
    expect(key.store.getMeta('factory.attestationSeed')).toBeUndefined(); // nothing generated
  });

  it('stays self attestation when configured so', async () => {
    const key = new TestKey({ attestation: 'self' });
    const [, res] = await key.call(MC, params() as never);
    expect((res!.get(3) as CborMap).has('x5c')).toBe(false);
    expect((res!.get(3) as CborMap).get('alg')).toBe(-8);
  });
});

describe('enterprise attestation (CTAP 2.1 §7.1)', () => {
  const MC = 0x01;
  const CONFIG = 0x0d;
  const cdh = new Uint8Array(32).fill(9);
  const params = (rpId: string, ep: number) => new Map<number, unknown>([
    [1, cdh], [2, { id: rpId }], [3, { id: new Uint8Array([1]), name: 'a' }], [4, [{ alg: -7, type: 'public-key' }]], [0x0a, ep],
  ]);
  const enabled = async (over = {}) => {
    const key = new TestKey({ enterpriseRpIds: ['corp.example'], ...over });
    const [st] = await key.call(CONFIG, new Map([[1, 1]]) as never); // enableEnterpriseAttestation, unprotected key
    expect(st).toBe(0);
    return key;
  };
  const certOf = (res: CborMap) => new X509Certificate(((res.get(3) as CborMap).get('x5c') as Uint8Array[])[0]!);

  it('signs with a certificate of its own that names this key, issued by the same CA, and flags epAtt', async () => {
    const key = await enabled();
    const [st, res] = await key.call(MC, params('any.example', 2) as never);
    expect(st).toBe(0);
    expect(res!.get(4)).toBe(true);
    const cert = certOf(res!);
    const subject = cert.subject.split('\n');
    expect(subject.slice(0, 4)).toEqual(['C=US', 'O=ctap-emu', 'OU=Authenticator Attestation', 'CN=ctap-emu Enterprise Attestation']);
    expect(subject[4]).toMatch(/^serialNumber=[0-9A-F]{16}$/);
    const batch = new X509Certificate(material(key.store).x5c[0]!);
    expect(cert.raw.equals(batch.raw)).toBe(false);
    expect(cert.publicKey.export({ format: 'der', type: 'spki' }).equals(batch.publicKey.export({ format: 'der', type: 'spki' }))).toBe(false);
    expect(cert.checkIssued(new X509Certificate(material(key.store).root!))).toBe(true);
    const signed = concatBytes(res!.get(2) as Uint8Array, cdh);
    expect(verify('sha256', signed, cert.publicKey, (res!.get(3) as CborMap).get('sig') as Uint8Array)).toBe(true);
    // Another key (another seed) has another serial number.
    const other = await enabled();
    const [, res2] = await other.call(MC, params('any.example', 2) as never);
    expect(certOf(res2!).subject).not.toBe(cert.subject);
  });

  it('gives vendor-facilitated (1) enterprise attestation only to the configured RP IDs', async () => {
    const key = await enabled({ attestation: 'self' });
    const [, corp] = await key.call(MC, params('corp.example', 1) as never);
    expect(corp!.get(4)).toBe(true);
    expect(certOf(corp!).subject).toContain('CN=ctap-emu Enterprise Attestation');
    const [st, other] = await key.call(MC, params('other.example', 1) as never);
    expect(st).toBe(0);
    expect(other!.has(4)).toBe(false);
    expect((other!.get(3) as CborMap).has('x5c')).toBe(false); // the configured (self) attestation
  });

  it('refuses it while disabled, and values other than 1 and 2', async () => {
    const key = new TestKey({ enterpriseRpIds: ['corp.example'] });
    expect((await key.call(MC, params('corp.example', 1) as never))[0]).toBe(0x02);
    const on = await enabled();
    expect((await on.call(MC, params('corp.example', 3) as never))[0]).toBe(0x2c);
  });
});

describe('@simplewebauthn/server with the exported CA as trust anchor', () => {
  const keys: VirtualAuthenticator[] = [];
  afterEach(() => {
    while (keys.length) keys.pop()!.close();
    SettingsService.setRootCertificates({ identifier: 'packed', certificates: [] });
  });

  async function registerDirect(key: VirtualAuthenticator) {
    const options = await generateRegistrationOptions({
      rpName: 'Example', rpID: 'example.com', userName: 'alice', attestationType: 'direct', supportedAlgorithmIDs: [-7, -8],
    });
    const response = await new WebAuthnClient(key, { origin: 'https://example.com' }).create(options);
    return verifyRegistrationResponse({
      response, expectedChallenge: options.challenge, expectedOrigin: 'https://example.com', expectedRPID: 'example.com', requireUserVerification: false,
    });
  }

  it('verifies against the CA as root certificate for packed, and fails against another key\'s CA', async () => {
    const key = new VirtualAuthenticator();
    const stranger = new VirtualAuthenticator();
    keys.push(key, stranger);
    const ca = (k: VirtualAuthenticator) => attestationMaterial({
      store: k.store, crypto: k.authenticator.crypto, config: k.authenticator.config, now: Date.now, randomBytes: k.authenticator.env.randomBytes,
    }).root!;
    SettingsService.setRootCertificates({ identifier: 'packed', certificates: [pem('CERTIFICATE', ca(key))] });
    const ok = await registerDirect(key);
    expect(ok.verified).toBe(true);
    expect(ok.registrationInfo!.fmt).toBe('packed');
    SettingsService.setRootCertificates({ identifier: 'packed', certificates: [pem('CERTIFICATE', ca(stranger))] });
    await expect(registerDirect(key)).rejects.toThrow(/chain|path|certificate/i);
  });

  it('verifies with the exported metadata statement in MetadataService (strict)', async () => {
    const key = new VirtualAuthenticator();
    keys.push(key);
    const statement = await metadataStatement(key);
    await MetadataService.initialize({ statements: [statement as never], verificationMode: 'strict' });
    const ok = await registerDirect(key);
    expect(ok.verified).toBe(true);
    expect(ok.registrationInfo!.aaguid).toBe('d311f9db-f2b1-440a-abd1-247767021afc');
  });
});
