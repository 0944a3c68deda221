// The built CLI, run as a user runs it (child processes): serve + register over UDP, then the
// offline creds commands; every failure a user can cause, with its message and exit code, leaving
// the keystore byte for byte as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseDriver, openDatabase } from '../../src/keystore/driver.js';
import { generateAuthenticationOptions, generateRegistrationOptions } from '@simplewebauthn/server';
import { connectUdp } from '../../src/hid/udp.js';
import { WebAuthnClient } from '../../src/client/webauthn.js';
import { SqliteStore } from '../../src/keystore/sqlite.js';

const CLI = join(process.cwd(), 'dist/src/cli.js');
let dir: string;
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/src/cli.js is missing: npm test builds it first (tsc)');
  dir = mkdtempSync(join(tmpdir(), 'ctap-emu-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The test runner's environment without ctap-emu's own variables, plus `extra`. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e = { ...process.env };
  delete e.CTAP_EMU_STORE;
  delete e.CTAP_EMU_PASSPHRASE;
  return { ...e, ...extra };
}

function run(args: string[], extraEnv: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: env(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Server {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  stop(): Promise<number | null>;
}

function startServe(args: string[]): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--transport', 'udp', '--port', '0', ...args], {
      env: env(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((r) => child.on('close', r));
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /on udp 127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) resolve({ child, port: Number(m[1]), stderr: () => stderr, stop: () => (child.kill('SIGINT'), exited) });
    });
    child.on('close', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
}

function udpClient(port: number, pin?: string, origin = 'https://example.com'): WebAuthnClient {
  return new WebAuthnClient({ connect: () => connectUdp('127.0.0.1', port) }, { origin, pin });
}

async function registerPasskey(client: WebAuthnClient, userName: string, rpID = 'example.com'): Promise<string> {
  const o = await generateRegistrationOptions({ rpName: 'Ex', rpID, userName, authenticatorSelection: { residentKey: 'required' } });
  return (await client.create(o)).id;
}

describe('serve, then the offline creds commands', () => {
  it('lists exactly the registered passkeys; a deleted one is no longer found', async () => {
    const store = join(dir, 'flow.sqlite');
    const s1 = await startServe(['--store', store]);
    const client = udpClient(s1.port);
    const alice = await registerPasskey(client, 'alice');
    const bob = await registerPasskey(client, 'bob');
    client.close();
    expect(await s1.stop()).toBe(0);

    const list = await run(['creds', 'list', '--json', '--store', store]);
    expect(list.code).toBe(0);
    const creds = JSON.parse(list.stdout) as { credentialId: string; userName: string; rpId: string; signCount: number }[];
    expect(creds.map((c) => [c.rpId, c.userName, c.credentialId]).sort()).toEqual([['example.com', 'alice', alice], ['example.com', 'bob', bob]].sort());

    const table = await run(['creds', 'list', '--store', store]);
    expect(table.stdout).toMatch(/RP ID\s+USER/);
    expect(table.stdout).toMatch(/example\.com\s+alice/);

    const show = await run(['creds', 'show', alice.slice(0, 12), '--store', store, '--json']);
    expect(JSON.parse(show.stdout)).toMatchObject({ credentialId: alice, userName: 'alice', algorithm: expect.any(String) });
    expect(show.stdout).not.toMatch(/privateKey/i);

    const del = await run(['creds', 'delete', alice, '--store', store, '--yes']);
    expect(del.code).toBe(0);
    expect(del.stdout).toMatch(/deleted example\.com alice/);

    const s2 = await startServe(['--store', store]);
    const client2 = udpClient(s2.port);
    const gone = await generateAuthenticationOptions({ rpID: 'example.com', allowCredentials: [{ id: alice }] });
    await expect(client2.get(gone)).rejects.toMatchObject({ name: 'NotAllowedError' });
    const kept = await generateAuthenticationOptions({ rpID: 'example.com', allowCredentials: [{ id: bob }] });
    expect((await client2.get(kept)).id).toBe(bob);
    client2.close();
    expect(await s2.stop()).toBe(0);
  });

  it('logs requests decoded with --verbose, PINs and tokens redacted', async () => {
    const s = await startServe(['--memory', '--pin', '2580', '--verbose']);
    const client = udpClient(s.port, '2580');
    await registerPasskey(client, 'carol');
    client.close();
    await s.stop();
    const log = s.stderr();
    expect(log).toMatch(/-> authenticatorClientPIN getPinUvAuthTokenUsingPinWithPermissions \{pinUvAuthProtocol: 2, subCommand: 9, keyAgreement: <redacted value>, pinHashEnc: <redacted 32 bytes>/);
    expect(log).toMatch(/<- CTAP2_OK \{pinUvAuthToken: <redacted 48 bytes>\}/);
    expect(log).toMatch(/-> authenticatorMakeCredential \{clientDataHash: h'[0-9a-f]{64}', rp: \{id: "example.com"/);
    expect(log).toMatch(/pinUvAuthParam: <redacted 32 bytes>/);
  });
});

describe('blobs over CTAP', () => {
  it('set, list (with and without the PIN), get, delete a credential\'s large blob on a running key', async () => {
    const s = await startServe(['--memory', '--pin', '2580']);
    try {
      const client = udpClient(s.port, '2580');
      const o = await generateRegistrationOptions({ rpName: 'Ex', rpID: 'example.com', userName: 'dora', authenticatorSelection: { residentKey: 'required' } });
      const reg = await client.create({ ...o, extensions: { largeBlob: { support: 'required' } } } as never);
      client.close();
      expect(reg.clientExtensionResults).toEqual({ largeBlob: { supported: true } });
      const key = ['--udp', `127.0.0.1:${s.port}`];
      const pin = { CTAP_EMU_PIN: '2580' };
      expect((await run(['blobs', 'set', reg.id.slice(0, 10), '--data', 'hello blob', ...key], pin)).stdout).toMatch(/stored 10 bytes for example.com dora/);
      expect((await run(['blobs', 'list', ...key, '--pin', '2580'])).stdout).toMatch(/0\s+\d+\s+10\s+example\.com\s+dora/);
      expect((await run(['blobs', 'list', ...key, '--json'])).stdout).toMatch(/"origSize": 10/);
      expect((await run(['blobs', 'get', reg.id, ...key], pin)).stdout).toBe('hello blob');
      expect((await run(['blobs', 'delete', reg.id, ...key], pin)).code).toBe(0);
      const gone = await run(['blobs', 'get', reg.id, ...key], pin);
      expect([gone.code, gone.stderr]).toEqual([3, expect.stringMatching(/no large blob/)]);
      expect((await run(['blobs', 'get', reg.id, ...key, '--pin', '0000'])).stderr).toMatch(/wrong PIN/);
    } finally {
      await s.stop();
    }
  });
});

describe('creds over CTAP', () => {
  type Listed = Record<string, unknown> & { credentialId: string; userName: string; rpId: string };
  const byId = (a: Listed, b: Listed): number => a.credentialId.localeCompare(b.credentialId);
  const pin = { CTAP_EMU_PIN: '2580' };

  it('list, --rp, show by a prefix, delete: the offline fields on a running key, then gone', async () => {
    const store = join(dir, 'remote-creds.sqlite');
    const s = await startServe(['--store', store, '--pin', '2580']);
    const key = ['--udp', `127.0.0.1:${s.port}`];
    let listed: Listed[];
    try {
      const client = udpClient(s.port, '2580');
      const alice = await registerPasskey(client, 'alice');
      client.close();
      const other = udpClient(s.port, '2580', 'https://other.org');
      const o = await generateRegistrationOptions({ rpName: 'Other', rpID: 'other.org', userName: 'carol', authenticatorSelection: { residentKey: 'required' }, supportedAlgorithmIDs: [-35] });
      const carol = (await other.create({ ...o, extensions: { largeBlob: { support: 'required' }, credentialProtectionPolicy: 'userVerificationRequired' } } as never)).id;
      other.close();

      const list = await run(['creds', 'list', '--json', ...key], pin);
      expect(list.code, list.stderr).toBe(0);
      listed = (JSON.parse(list.stdout) as Listed[]).sort(byId);
      expect(listed).toEqual([
        { rpId: 'example.com', rpName: 'Ex', userName: 'alice', userDisplayName: '', userHandle: expect.any(String), credentialId: alice, algorithm: 'EdDSA', credProtect: 'userVerificationOptional', largeBlobKey: false },
        { rpId: 'other.org', rpName: 'Other', userName: 'carol', userDisplayName: '', userHandle: expect.any(String), credentialId: carol, algorithm: 'ES384', credProtect: 'userVerificationRequired', largeBlobKey: true },
      ].sort(byId));

      const table = await run(['creds', 'list', ...key, '--rp', 'other.org', '--pin', '2580']);
      expect(table.stdout.trim().split('\n')).toEqual([
        expect.stringMatching(/^RP ID\s+USER\s+DISPLAY NAME\s+CREDENTIAL ID\s+ALG\s+PROTECT\s+CREATED\s+COUNT$/),
        expect.stringMatching(new RegExp(`^other\\.org\\s+carol\\s+${carol.slice(0, 16)}…\\s+ES384\\s+uvRequired\\s+-\\s+-$`)),
      ]);
      expect((await run(['creds', 'list', ...key, '--rp', 'nowhere.example'], pin)).stderr).toMatch(/no discoverable credentials for nowhere\.example on udp 127\.0\.0\.1:\d+/);

      const show = await run(['creds', 'show', carol.slice(0, 6), ...key, '--json'], pin);
      expect(JSON.parse(show.stdout)).toEqual(listed.find((c) => c.credentialId === carol));
      const shown = await run(['creds', 'show', carol.slice(0, 6), ...key], pin);
      expect(shown.stdout).toMatch(new RegExp(`^credentialId\\s+${carol}$`, 'm'));
      expect(shown.stdout).toMatch(/^largeBlobKey\s+true$/m);
      expect(shown.stdout).not.toMatch(/created|signCount/);

      const unasked = await run(['creds', 'delete', alice, ...key], pin);
      expect([unasked.code, unasked.stderr.trim()]).toEqual([1, 'ctap-emu: not deleted: confirm with --yes (no terminal to ask on)']);
      const missing = await run(['creds', 'delete', 'zzzz', ...key, '--yes'], pin);
      expect([missing.code, missing.stderr]).toEqual([3, expect.stringMatching(/no credential zzzz on udp/)]);
      const del = await run(['creds', 'delete', alice.slice(0, 8), ...key, '--yes'], pin);
      expect([del.code, del.stdout]).toEqual([0, `deleted example.com alice (${alice})\n`]);
      const after = JSON.parse((await run(['creds', 'list', '--json', ...key], pin)).stdout) as Listed[];
      expect(after.map((c) => c.credentialId)).toEqual([carol]);
      listed = listed.filter((c) => c.credentialId !== alice);
    } finally {
      expect(await s.stop()).toBe(0);
    }
    // The same credentials as the offline listing shows them, less what credentialManagement does not carry.
    const offline = JSON.parse((await run(['creds', 'list', '--json', '--store', store])).stdout) as Listed[];
    expect(offline.map(({ created, signCount, ...rest }) => (expect([typeof created, typeof signCount]).toEqual(['string', 'number']), rest)).sort(byId)).toEqual(listed);
  });

  it('a wrong PIN, a key without a PIN, no PIN and no terminal: one line each, and the PIN never printed', async () => {
    const withPin = await startServe(['--memory', '--pin', '2580']);
    const bare = await startServe(['--memory']);
    try {
      const wrong = await run(['creds', 'list', '--udp', `127.0.0.1:${withPin.port}`, '--pin', '9713']);
      expect([wrong.code, wrong.stdout, wrong.stderr]).toEqual([1, '', 'ctap-emu: wrong PIN\n']);
      const right = await run(['creds', 'show', 'AAAA', '--udp', `127.0.0.1:${withPin.port}`], pin);
      expect([right.code, right.stdout + right.stderr]).toEqual([3, expect.not.stringMatching(/2580/)]);
      const noPinSet = await run(['creds', 'list', '--udp', `127.0.0.1:${bare.port}`, '--pin', '2580']);
      expect([noPinSet.code, noPinSet.stderr]).toEqual([1, 'ctap-emu: the key has no PIN: credential management needs one (`ctap-emu pin set` sets one)\n']);
      const notGiven = await run(['creds', 'list', '--udp', `127.0.0.1:${withPin.port}`]);
      expect([notGiven.code, notGiven.stderr]).toEqual([2, expect.stringMatching(/PIN is needed: pass it as an option/)]);
      expect((await run(['creds', 'list', '--udp', `127.0.0.1:${withPin.port}`, '--store', join(dir, 'x.sqlite')], pin)).code).toBe(2);
    } finally {
      await withPin.stop();
      await bare.stop();
    }
  });
});

describe('failures: a message, an exit code, and the file left as it was', () => {
  function snapshot(path: string): Buffer | undefined {
    return existsSync(path) ? readFileSync(path) : undefined;
  }

  async function expectFailure(args: string[], path: string, code: number, message: RegExp, extraEnv?: Record<string, string>): Promise<void> {
    const before = snapshot(path);
    const r = await run(args, extraEnv);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(snapshot(path)).toEqual(before);
  }

  it('a missing keystore', async () => {
    const path = join(dir, 'missing.sqlite');
    await expectFailure(['creds', 'list', '--store', path], path, 1, /no keystore at .*missing\.sqlite/);
    expect(existsSync(path)).toBe(false);
  });

  it('a file that is not a keystore', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'shopping list\n');
    await expectFailure(['creds', 'list', '--store', path], path, 1, /not a ctap-emu keystore/);
    await expectFailure(['serve', '--transport', 'udp', '--port', '0', '--store', path], path, 1, /not a ctap-emu keystore/);
  });

  it('an SQLite file of another program', async () => {
    const path = join(dir, 'other.db');
    writeFileSync(path, '');
    const db = openDatabase(path, chooseDriver()); // whichever SQLite this Node has
    db.exec('CREATE TABLE t (x)');
    db.close();
    await expectFailure(['creds', 'delete', 'AAAAAAAA', '--store', path], path, 1, /not a ctap-emu keystore/);
  });

  it('a keystore from a newer version', async () => {
    const path = join(dir, 'newer.sqlite');
    new SqliteStore(path).close();
    const db = openDatabase(path, chooseDriver());
    db.pragma('user_version = 7');
    db.close();
    await expectFailure(['creds', 'list', '--store', path], path, 1, /written by a newer ctap-emu/);
  });

  it('a wrong or missing passphrase', async () => {
    const path = join(dir, 'sealed.sqlite');
    new SqliteStore(path, { passphrase: 'open sesame' }).close();
    await expectFailure(['creds', 'list', '--store', path, '--passphrase', 'wrong'], path, 1, /wrong passphrase/);
    await expectFailure(['creds', 'list', '--store', path], path, 1, /is encrypted: give its passphrase/);
    const ok = await run(['creds', 'list', '--store', path, '--json'], { CTAP_EMU_PASSPHRASE: 'open sesame' });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual([]);
  });

  it('a keystore in use by a running serve', async () => {
    const path = join(dir, 'busy.sqlite');
    const s = await startServe(['--store', path]);
    try {
      await expectFailure(['creds', 'list', '--store', path], path, 1, /in use by another process/);
      await expectFailure(['serve', '--transport', 'udp', '--port', '0', '--store', path], path, 1, /in use by another process/);
    } finally {
      await s.stop();
    }
  });

  it('an unknown credential ID', async () => {
    const path = join(dir, 'empty.sqlite');
    new SqliteStore(path).close();
    await expectFailure(['creds', 'show', 'bm90LWEtY3JlZGVudGlhbA', '--store', path], path, 3, /no credential bm90/);
    await expectFailure(['creds', 'delete', 'bm90LWEtY3JlZGVudGlhbA', '--store', path], path, 3, /no credential/);
  });

  it('a credential delete without confirmation and no terminal', async () => {
    const path = join(dir, 'confirm.sqlite');
    const s = await startServe(['--store', path]);
    const client = udpClient(s.port);
    const id = await registerPasskey(client, 'erin');
    client.close();
    await s.stop();
    await expectFailure(['creds', 'delete', id, '--store', path], path, 1, /^ctap-emu: not deleted: confirm with --yes/);
  });

  it('a reset without confirmation and no terminal', async () => {
    const path = join(dir, 'keep.sqlite');
    new SqliteStore(path).close();
    await expectFailure(['reset', '--store', path], path, 1, /confirm with --yes/);
  });

  it('usage errors exit 2', async () => {
    expect((await run(['serve', '--presence', 'maybe'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });
});

describe('help and the demo', () => {
  it.each([[[]], [['serve']], [['creds', 'list']], [['creds', 'delete']], [['info']], [['reset']], [['pin', 'set']], [['demo']]])(
    '%j --help explains its options',
    async (args) => {
      const r = await run([...args, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: ctap-emu/);
      expect(r.stdout).toMatch(/Options:/);
    },
  );

  it('runs the demo: both ceremonies verify with user verification', async () => {
    const r = await run(['demo']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/verifies the registration: verified=true, user verified=true/);
    expect(r.stdout).toMatch(/verifies the assertion: verified=true, user verified=true/);
  });

  it('sets a PIN and reports its status through the key', async () => {
    const path = join(dir, 'pin.sqlite');
    new SqliteStore(path).close();
    expect((await run(['pin', 'set', '--new-pin', '13579', '--store', path])).code).toBe(0);
    const wrong = await run(['pin', 'change', '--pin', '00000', '--new-pin', '24680', '--store', path]);
    expect([wrong.code, wrong.stderr.trim()]).toEqual([1, 'ctap-emu: wrong PIN']);
    const status = await run(['pin', 'status', '--json', '--store', path]);
    expect(JSON.parse(status.stdout)).toMatchObject({ pinSet: true, retries: 7 });
    expect((await run(['reset', '--yes', '--store', path])).code).toBe(0);
    expect(JSON.parse((await run(['pin', 'status', '--json', '--store', path])).stdout)).toMatchObject({ pinSet: false });
  });
});

describe('transports', () => {
  const noUhid = !existsSync('/dev/uhid');

  it.skipIf(!noUhid)('serve --transport uhid without /dev/uhid: says what to do, exits 1', async () => {
    const r = await run(['serve', '--transport', 'uhid', '--memory']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\/dev\/uhid does not exist: load the uhid module \(sudo modprobe uhid/);
  });

  it.skipIf(!noUhid)('serve --transport auto falls back to UDP, saying why', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--memory', '--port', '0'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    await new Promise<void>((resolve) => child.stderr.on('data', (d) => ((stderr += d), /on udp/.test(stderr) && resolve())));
    child.kill('SIGINT');
    expect(await new Promise((r) => child.on('close', r))).toBe(0);
    expect(stderr).toMatch(/uhid is not usable \(\/dev\/uhid does not exist.*\); serving over UDP instead/);
  });
});
