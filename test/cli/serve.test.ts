// `ctap-emu serve` run as a user runs it (child processes of the built CLI): signals, start-up
// failures that leave no new keystore behind, --pin on a keystore that has one, --presence
// delay:MS, and reset refused under auto-approval unless --allow-reset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from '../../src/ctap/constants.js';
import { Status } from '../../src/ctap/status.js';
import { KeepaliveStatus } from '../../src/ctap/constants.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { connectUdp } from '../../src/hid/udp.js';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { cliEnv, requireBuiltCli, runCli, serveUdpCli, waitForServe, type Exit, type ServeProcess } from '../helpers/serveProcess.js';

let dir: string;
let n = 0;
beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'ctap-emu-serve-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fresh = (): string => join(dir, `k${++n}.sqlite`);
const env = (): NodeJS.ProcessEnv => cliEnv();
const run = (args: string[]): Promise<Exit> => runCli(args);
const waitForStart = waitForServe;
const serve = (args: string[]): Promise<ServeProcess> => serveUdpCli(args);

const noStack = (s: string): void => expect(s).not.toMatch(/\n\s+at /);

describe('serve stops cleanly', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('on %s: exit 0, no stack, the keystore closed and usable', async (signal) => {
    const store = fresh();
    const s = await serve(['--store', store]);
    s.child.kill(signal);
    const e = await s.exited;
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr).toMatch(new RegExp(`stopped \\(${signal}\\)`));
    noStack(e.stderr);
    const key = new VirtualAuthenticator({ store });
    key.close();
  });

  it('when run from `npm start`: npm forwards SIGTERM to the script shell, and the key stops', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
    // As npm runs it (sh -c), minus the build this test run has already done.
    const script = `${pkg.scripts.start.replace('npm run build --silent', 'true')} --transport udp --port 0 --memory`;
    const sh = spawn('sh', ['-c', script], { env: env(), stdio: ['ignore', 'pipe', 'pipe'], cwd: process.cwd() });
    const s = await waitForStart(sh);
    const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(sh.pid)], { encoding: 'utf8' }).stdout.trim().split(/\s+/).filter(Boolean).map(Number);
    sh.kill('SIGTERM');
    const timeout = new Promise<'still running'>((r) => setTimeout(() => r('still running'), 5000));
    const e = await Promise.race([s.exited, timeout]);
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGKILL'); // a key left behind by a shell that did not exec it
      } catch { /* gone */ }
    }
    expect(e).not.toBe('still running');
    expect((e as Exit).stderr).toMatch(/stopped \(SIGTERM\)/);
  });
});

describe('serve that cannot start', () => {
  let busy: Socket;
  let busyPort: number;
  beforeAll(async () => {
    busy = createSocket('udp4');
    await new Promise<void>((r) => busy.bind(0, '127.0.0.1', () => r()));
    busyPort = busy.address().port;
  });
  afterAll(() => busy.close());

  it('on a UDP port in use: one line, exit 1, and the keystore it created is gone', async () => {
    const store = fresh();
    const e = await run(['serve', '--transport', 'udp', '--port', String(busyPort), '--store', store]);
    expect(e.code).toBe(1);
    expect(e.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ctap-emu: UDP 127\.0\.0\.1:\d+ is in use/)]);
    expect(existsSync(store)).toBe(false);
    expect(existsSync(`${store}-wal`)).toBe(false);
  });

  it('on a UDP port in use: a keystore that was there before stays, byte for byte', async () => {
    const store = fresh();
    new VirtualAuthenticator({ store, pin: '1234' }).close();
    const before = readFileSync(store);
    const e = await run(['serve', '--transport', 'udp', '--port', String(busyPort), '--store', store]);
    expect(e.code).toBe(1);
    expect(readFileSync(store)).toEqual(before);
  });

  it.each(['delay', 'delay:', 'delay:-5', 'delay:1.5', 'delay:abc', 'delay:99999999999', 'sometimes'])(
    '--presence %s: a usage error naming the option (exit 2), no keystore created', async (value) => {
      const store = fresh();
      const e = await run(['serve', '--transport', 'udp', '--port', '0', '--store', store, '--presence', value]);
      expect(e.code).toBe(2);
      expect(e.stderr).toMatch(/--presence must be approve, prompt, deny or delay:MS/);
      noStack(e.stderr);
      expect(existsSync(store)).toBe(false);
    },
  );
});

describe('serve --pin on a keystore that has a PIN', () => {
  it('the same PIN: it just serves', async () => {
    const store = fresh();
    new VirtualAuthenticator({ store, pin: '1234' }).close();
    const s = await serve(['--store', store, '--pin', '1234']);
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
  });

  it('another PIN: one line, exit 1, the PIN in neither', async () => {
    const store = fresh();
    new VirtualAuthenticator({ store, pin: '1234' }).close();
    const e = await run(['serve', '--transport', 'udp', '--port', '0', '--store', store, '--pin', '9876']);
    expect(e.code).toBe(1);
    expect(e.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ctap-emu: the keystore has a different PIN/)]);
    expect(e.stderr).not.toMatch(/9876|1234/);
  });
});

describe('serve --presence delay:MS', () => {
  it('touches after MS ms, with keepalives meanwhile; CANCEL stops the wait', async () => {
    const s = await serve(['--memory', '--presence', 'delay:400']);
    const hid = await CtapHidHost.open(await connectUdp('127.0.0.1', s.port));
    try {
      const keepalives: number[] = [];
      const start = Date.now();
      const ok = await hid.cbor(new Uint8Array([Command.authenticatorSelection]), { onKeepalive: (k) => keepalives.push(k) });
      expect(ok[0]).toBe(Status.CTAP2_OK);
      expect(Date.now() - start).toBeGreaterThanOrEqual(350);
      expect(keepalives).toContain(KeepaliveStatus.UPNEEDED);

      const abort = new AbortController();
      setTimeout(() => abort.abort(), 150);
      const cancelled = await hid.cbor(new Uint8Array([Command.authenticatorSelection]), { signal: abort.signal });
      expect(cancelled[0]).toBe(Status.CTAP2_ERR_KEEPALIVE_CANCEL);
    } finally {
      await hid.close();
      s.child.kill('SIGTERM');
      await s.exited;
    }
  });
});

describe('reset under auto-approval', () => {
  it('a keystore file: refused (OPERATION_DENIED) unless --allow-reset, and serve says so', async () => {
    const store = fresh();
    new VirtualAuthenticator({ store, pin: '1234' }).close();
    const s = await serve(['--store', store]);
    expect(s.stderr()).toMatch(/reset refused \(a keystore file; --allow-reset approves it\)/);
    const refused = await run(['reset', '--udp', String(s.port), '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused the reset .*--allow-reset/);
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
    const kept = new VirtualAuthenticator({ store });
    expect(kept.authenticator.hasPin()).toBe(true);
    kept.close();

    const allowed = await serve(['--store', store, '--allow-reset']);
    expect(allowed.stderr()).toMatch(/reset approved \(--allow-reset\)/);
    const done = await run(['reset', '--udp', String(allowed.port), '--yes']);
    expect(done.code, done.stderr).toBe(0);
    allowed.child.kill('SIGTERM');
    expect((await allowed.exited).code).toBe(0);
    const wiped = new VirtualAuthenticator({ store });
    expect(wiped.authenticator.hasPin()).toBe(false);
    wiped.close();
  });

  it('a memory key: approved, and serve says so', async () => {
    const s = await serve(['--memory']);
    expect(s.stderr()).toMatch(/; reset approved$/m);
    s.child.kill('SIGTERM');
    await s.exited;
  });
});
