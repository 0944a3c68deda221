// The CLI as users meet it: help instead of nothing, usage errors that name the option, one line
// and never a stack, secrets from files and the environment, credential-ID prefixes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualAuthenticator, WebAuthnClient } from '../../src/index.js';
import { SqliteStore } from '../../src/keystore/sqlite.js';
import { toBase64url } from '../../src/util/bytes.js';

const CLI = join(process.cwd(), 'dist/src/cli.js');
let dir: string;
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/src/cli.js is missing: npm test builds it first (tsc)');
  dir = mkdtempSync(join(tmpdir(), 'ctap-emu-papercuts-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result { code: number | null; stdout: string; stderr: string }

function run(args: string[], extraEnv: Record<string, string> = {}): Promise<Result> {
  const env = { ...process.env };
  for (const k of ['CTAP_EMU_STORE', 'CTAP_EMU_PASSPHRASE', 'CTAP_EMU_PIN', 'CTAP_EMU_DEBUG']) delete env[k];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function expectOneLine(r: Result, code: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

const file = (name: string, text: string): string => (writeFileSync(join(dir, name), text), join(dir, name));
const emptyStore = (name: string, passphrase?: string): string => (new SqliteStore(join(dir, name), { passphrase }).close(), join(dir, name));

describe('help where a command is missing', () => {
  it.each([[[]], [['creds']], [['pin']]])('%j prints help and exits 2', async (args) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: ctap-emu/);
    expect(r.stderr).toMatch(/Commands:/);
  });

  it('help asked for still exits 0', async () => {
    expect((await run(['help', 'creds'])).code).toBe(0);
    expect((await run(['--version'])).code).toBe(0);
  });
});

describe('usage errors', () => {
  it('demo with a PIN the key refuses: one line, exit 2, no stack', async () => {
    expectOneLine(await run(['demo', '--pin', '12']), 2, /--pin: a PIN is 4 to 63 bytes/);
  });

  it('--aaguid that is not 32 hex digits names the option, exit 2', async () => {
    const r = await run(['serve', '--memory', '--transport', 'udp', '--port', '0', '--aaguid', 'xyz']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--aaguid/);
  });

  it('--store with --memory, --udp or --device', async () => {
    const store = emptyStore('excl.sqlite');
    expectOneLine(await run(['serve', '--store', store, '--memory', '--transport', 'udp', '--port', '0']), 2, /--store or --memory/);
    expectOneLine(await run(['info', '--store', store, '--udp', '9']), 2, /--store or --udp/);
    expectOneLine(await run(['pin', 'status', '--store', store, '--udp']), 2, /--store or --udp/);
    expectOneLine(await run(['reset', '--yes', '--store', store, '--device', '/dev/null']), 2, /--store or --device/);
  });

  it('a bare --udp is 127.0.0.1:8111', async () => {
    const r = await run(['info', '--json', '--udp']);
    expect(r.stderr).not.toMatch(/wants \[host:\]port/);
    // Something may listen on 8111 on this machine; if not, the message names the default.
    if (r.code !== 0) expectOneLine(r, 1, /udp 127\.0\.0\.1:8111/);
  });
});

describe('secrets from files and the environment', () => {
  it('PINs from --new-pin-file, --pin-file and $CTAP_EMU_PIN; the two ways at once is a usage error', async () => {
    const store = emptyStore('pinfile.sqlite');
    const first = file('pin1', '13579\n');
    expect((await run(['pin', 'set', '--new-pin-file', first, '--store', store])).code).toBe(0);
    const second = file('pin2', '24680');
    expect((await run(['pin', 'change', '--pin-file', first, '--new-pin-file', second, '--store', store])).code).toBe(0);
    const viaEnv = await run(['pin', 'change', '--new-pin', '11223', '--store', store], { CTAP_EMU_PIN: '24680' });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(JSON.parse((await run(['pin', 'status', '--json', '--store', store])).stdout)).toMatchObject({ pinSet: true, retries: 8 });
    expectOneLine(await run(['pin', 'change', '--pin', '1', '--pin-file', first, '--new-pin', '55555', '--store', store]), 2, /--pin or --pin-file/);
    expectOneLine(await run(['pin', 'change', '--pin-file', join(dir, 'nope'), '--new-pin', '55555', '--store', store]), 1, /--pin-file: cannot read .*nope \(ENOENT\)/);
  });

  it('the demo PIN from a file, never shown', async () => {
    const r = await run(['demo', '--pin-file', file('demo-pin', '97531\n')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/97531/);
    expectOneLine(await run(['demo', '--pin-file', file('short-pin', '12')]), 2, /--pin: a PIN is 4 to 63 bytes/);
  });

  it('a passphrase from --passphrase-file', async () => {
    const store = emptyStore('sealed.sqlite', 'open sesame');
    const r = await run(['creds', 'list', '--json', '--store', store, '--passphrase-file', file('pass', 'open sesame\n')]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
    expectOneLine(await run(['creds', 'list', '--store', store, '--passphrase-file', file('bad-pass', 'nope\n')]), 1, /wrong passphrase/);
  });
});

describe('credential IDs and keystore failures', () => {
  it('a unique prefix of any length finds the credential', async () => {
    const path = join(dir, 'prefix.sqlite');
    const key = new VirtualAuthenticator({ store: path });
    const client = new WebAuthnClient(key, { origin: 'https://example.com' });
    const reg = await client.create({
      rp: { name: 'Ex' }, user: { id: toBase64url(new Uint8Array([1])), name: 'alice', displayName: 'Alice' },
      challenge: 'AAAA', pubKeyCredParams: [{ alg: -7, type: 'public-key' }], authenticatorSelection: { residentKey: 'required' },
    });
    client.close();
    key.close();
    for (const n of [1, 3]) {
      // A prefix that starts with '-' goes after '--', as a short one would read as an option.
      const r = await run(['creds', 'show', '--json', '--store', path, '--', reg.id.slice(0, n)]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ credentialId: reg.id });
    }
  });

  it.each([
    ['a directory', (p: string) => mkdirSync(p)],
    ['a corrupt keystore', (p: string) => {
      new SqliteStore(p).close();
      const bytes = readFileSync(p);
      for (let i = 200; i < bytes.length; i++) bytes[i]! ^= 0x5a;
      writeFileSync(p, bytes);
    }],
  ])('%s: one line, exit 1, left as it was', async (_what, make) => {
    const path = join(dir, `bad-${Math.random().toString(36).slice(2)}.sqlite`);
    make(path);
    const snapshot = (): Buffer | string => { try { return readFileSync(path); } catch (e) { return (e as NodeJS.ErrnoException).code!; } };
    const was = snapshot();
    for (const args of [['creds', 'list'], ['info'], ['pin', 'status']]) expectOneLine(await run([...args, '--store', path]), 1, /./);
    expect(snapshot()).toEqual(was);
  });
});
