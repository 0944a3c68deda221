// `ctap-emu creds export|import` on keystore files: a passkey exported (with its key only when
// asked, with a warning) and imported into another keystore signs in where it was registered.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateRegistrationOptions, verifyRegistrationResponse } from '@simplewebauthn/server';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { WebAuthnClient } from '../../src/node/clients.js';
import { closeLater } from '../helpers/cleanup.js';
import { origin, outsideCredential, rpID, signIn } from '../helpers/importedKeys.js';
import { cliEnv, requireBuiltCli, runCli } from '../helpers/serveProcess.js';

beforeAll(requireBuiltCli);

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-transfer-'));
  closeLater(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(store: string): { key: VirtualAuthenticator; client: WebAuthnClient } {
  const key = new VirtualAuthenticator({ store });
  const client = new WebAuthnClient(key, { origin });
  closeLater(() => key.close(), () => client.close());
  return { key, client };
}

describe('creds export and import', () => {
  it('round-trips a passkey the key made (and an imported non-discoverable one) between keystore files', async () => {
    const dir = tempDir();
    const [from, to, file] = [join(dir, 'from.sqlite'), join(dir, 'to.sqlite'), join(dir, 'export.json')];
    // A passkey registered on the first key, and a credential from elsewhere added to it.
    const first = new VirtualAuthenticator({ store: from });
    const reg = await generateRegistrationOptions({ rpName: 'Example', rpID, userName: 'dana', authenticatorSelection: { residentKey: 'required' } });
    const firstClient = new WebAuthnClient(first, { origin });
    const r = await verifyRegistrationResponse({
      response: await firstClient.create(reg), expectedChallenge: reg.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false,
    });
    firstClient.close();
    const outside = outsideCredential('Ed25519', { isResidentCredential: false, signCount: 9 });
    first.addCredential(outside.json);
    first.close();
    new VirtualAuthenticator({ store: to }).close();

    const plain = await runCli(['creds', 'export', '--store', from]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).not.toMatch(/privateKey/);
    expect(JSON.parse(plain.stdout)).toHaveLength(2);

    const exported = await runCli(['creds', 'export', '--private-keys', '--out', file, '--store', from]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/warning: the export holds private keys/);
    expect(exported.stdout).toBe('');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    expect(json).toEqual([
      expect.objectContaining({ credentialId: r.registrationInfo!.credential.id, isResidentCredential: true, userName: 'dana', privateKey: expect.any(String) }),
      { ...outside.json },
    ]);

    const imported = await runCli(['creds', 'import', file, '--store', to]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/imported 2 credentials/);
    expect(imported.stderr + imported.stdout).not.toMatch(/privateKey|BEGIN/);

    const { key, client } = open(to);
    const passkey = { json: json[0], publicKey: r.registrationInfo!.credential.publicKey };
    expect(await signIn(client, passkey, 0, true)).toMatchObject({ verified: true, newCounter: 1 });
    expect(await signIn(client, outside, 9)).toMatchObject({ verified: true, newCounter: 10 });
    expect(key.getCredentials()).toHaveLength(2);
  });

  it("carries a credential's largeBlob into the keystore's large-blob array and out again", async () => {
    const dir = tempDir();
    const [store, file] = [join(dir, 'k.sqlite'), join(dir, 'in.json')];
    new VirtualAuthenticator({ store }).close();
    const c = outsideCredential('P-256', { largeBlob: Buffer.from('a certificate, say').toString('base64url') });
    writeFileSync(file, JSON.stringify([c.json]));
    expect(await runCli(['creds', 'import', file, '--store', store])).toMatchObject({ code: 0 });
    const out = await runCli(['creds', 'export', '--store', store]);
    expect(JSON.parse(out.stdout)).toEqual([expect.objectContaining({ credentialId: c.json.credentialId, largeBlob: c.json.largeBlob })]);
    const { client } = open(store);
    expect(await signIn(client, c, 0, false, { largeBlob: { read: true } })).toMatchObject({ verified: true, extensions: { largeBlob: { blob: c.json.largeBlob } } });
  });

  it('import checks every credential before storing any, and says which is wrong', async () => {
    const dir = tempDir();
    const store = join(dir, 'k.sqlite');
    new VirtualAuthenticator({ store }).close();
    const file = join(dir, 'in.json');
    writeFileSync(file, JSON.stringify([outsideCredential('P-256').json, { ...outsideCredential('P-256').json, signCount: 'many' }]));
    const e = await runCli(['creds', 'import', file, '--store', store]);
    expect(e).toMatchObject({ code: 2, stderr: expect.stringMatching(/credential 2: signCount/) });
    writeFileSync(file, '{');
    expect((await runCli(['creds', 'import', file, '--store', store])).code).toBe(1);
    expect(open(store).key.getCredentials()).toEqual([]);
  });

  it('import reads stdin, and a credential ID already there is refused', async () => {
    const dir = tempDir();
    const store = join(dir, 'k.sqlite');
    new VirtualAuthenticator({ store }).close();
    const c = outsideCredential('P-384');
    expect((await runCli(['creds', 'import', '-', '--store', store], cliEnv(), JSON.stringify(c.json))).code).toBe(0);
    const again = await runCli(['creds', 'import', '-', '--store', store], cliEnv(), JSON.stringify(c.json));
    expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(/credential 1: a credential with this credentialId exists/) });
  });
});
