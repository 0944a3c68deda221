// `ctap-emu serve` on a full disk: the command that needs a write answers a CTAP error (no crash, no
// hang), serve logs one line about the keystore, and nothing stored or answered before is lost.
// The disk is "full" through RLIMIT_FSIZE (prlimit): no mount, no root. Node ignores SIGXFSZ, so a
// write past the limit fails with EFBIG, and SQLite reports it (SQLITE_IOERR / SQLITE_FULL).
// (A read-only keystore is refused when it is opened: test/keystore/sqlite.test.ts.)
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CtapError, Status } from '../../src/ctap/status.js';
import { CLI, crash, integrity, killAll, prng, startServe, stop, type Serve } from './harness.js';
import { Model, verify } from './model.js';
import { runUntilGone } from './workload.js';

const noPrlimit = spawnSync('prlimit', ['--version']).status !== 0;
let dir: string;
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/src/cli.js is missing: build first (npm run build)');
  dir = mkdtempSync(join(tmpdir(), 'ctap-emu-full-'));
});
afterEach(killAll);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Serve under a file size limit: no file of the keystore can grow past `bytes`. */
const serveLimited = (store: string, bytes: number): Promise<Serve> => startServe(store, ['prlimit', `--fsize=${bytes}`, '--']);

/** Keystore lines serve logged after its two start-up lines: each one line, none a stack trace. */
function storeLines(stderr: string): string[] {
  expect(stderr).not.toMatch(/\n\s+at /);
  return stderr.trim().split('\n').slice(2).filter((l) => !/stopped \(SIG/.test(l));
}

/** A keystore with credentials of both kinds and counters moved, left as a crash leaves it (a WAL with frames). */
async function crashedStore(m: Model, name: string): Promise<string> {
  const store = join(dir, name);
  const s = await startServe(store);
  await runUntilGone(s, m, prng(7), { maxOps: 150 });
  await crash(s);
  return store;
}

describe.skipIf(noPrlimit)('serve on a full disk (RLIMIT_FSIZE)', () => {
  it('no room at all: every command that must write answers CTAP1_ERR_OTHER, logs one line; nothing is lost', async () => {
    const m = new Model();
    const store = await crashedStore(m, 'none.sqlite');
    // The WAL is the file that grows (no checkpoint runs before a commit): at the limit, no write fits.
    const s = await serveLimited(store, statSync(`${store}-wal`).size);
    const rk = [...m.slots][0]!;
    const nonRk = m.nonRk[0]!;
    const attempts: [string, () => Promise<unknown>][] = [
      // The first use of a counter in a power cycle writes its reservation: no room, no answer.
      ['global counter', () => s.client.getAssertion({ rpId: nonRk.rpId, clientDataHash: new Uint8Array(32), allowList: [{ id: nonRk.id, type: 'public-key' }] })],
      ['credential counter', () => s.client.getAssertion({ rpId: rk[0].split('/')[0]!, clientDataHash: new Uint8Array(32), allowList: [{ id: Buffer.from(rk[1], 'hex'), type: 'public-key' }] })],
      ['registration', () => s.client.makeCredential({ clientDataHash: new Uint8Array(32), rp: { id: 'a.example' }, user: { id: new Uint8Array([0, 9]) }, pubKeyCredParams: [{ alg: -7, type: 'public-key' }], options: { rk: true } })],
      ['non-discoverable registration', () => s.client.makeCredential({ clientDataHash: new Uint8Array(32), rp: { id: 'a.example' }, user: { id: new Uint8Array([9]) }, pubKeyCredParams: [{ alg: -7, type: 'public-key' }] })],
    ];
    // Each twice: a reservation that failed to be written must not count as written the second time.
    for (const [what, attempt] of [...attempts, ...attempts]) {
      const status = await attempt().then(() => Status.CTAP2_OK, (e: unknown) => (e instanceof CtapError ? e.status : e));
      expect(status, what).toBe(Status.CTAP1_ERR_OTHER);
    }
    expect((await s.client.getInfo()).versions).toContain('FIDO_2_0'); // reading still works
    const stopped = await stop(s);
    const lines = storeLines(stopped.stderr);
    expect(lines).toHaveLength(attempts.length * 2);
    for (const l of lines) expect(l).toMatch(/keystore .*none\.sqlite: (disk I\/O error|the disk is full).*; the request was refused \(CTAP1_ERR_OTHER\)$/);
    expect(stopped.code, stopped.stderr).toBe(0);

    const again = await startServe(store);
    await verify(again.client, m, 'after the full disk');
    await stop(again);
    expect(integrity(store)).toBe('ok');
  });

  it.each(['SIGKILL', 'SIGTERM'] as const)('filling up under load, then %s: what was answered survives, no counter repeats', async (signal) => {
    const m = new Model();
    const store = await crashedStore(m, `fills-${signal}.sqlite`);
    // Room for a few registrations, then none: writes that straddle the limit fail half-written.
    const s = await serveLimited(store, statSync(`${store}-wal`).size + 16 * 1024);
    const failed = await runUntilGone(s, m, prng(8), { maxOps: 400, tolerate: Status.CTAP1_ERR_OTHER });
    expect(failed).toBeGreaterThan(0);
    s.child.kill(signal);
    const e = await s.exited;
    const lines = storeLines(s.stderr());
    const refused = /keystore .*fills-SIG\w+\.sqlite: (disk I\/O error|the disk is full).*; the request was refused \(CTAP1_ERR_OTHER\)$/;
    expect(lines.filter((l) => refused.test(l))).toHaveLength(failed);
    // A clean stop writes exact counters back; on a full disk it cannot (the reservations stand): one line, exit 1.
    const rest = lines.filter((l) => !refused.test(l));
    if (signal === 'SIGTERM' && e.code !== 0) expect(rest).toEqual([expect.stringMatching(/^ctap-emu: keystore .*: disk I\/O error/)]);
    else expect(rest).toEqual([]);

    const again = await startServe(store);
    await verify(again.client, m, `after filling up and ${signal}`);
    await stop(again);
    expect(integrity(store)).toBe('ok');
  });
});
