// Crash safety of `ctap-emu serve` on a SQLite keystore: a client registers and signs while the key
// is killed (SIGKILL) at a random moment, round after round on the same file. After each restart:
// every registration that was answered is there, every counter (each discoverable credential's and
// the global one of non-discoverable credentials) is strictly above any value already received,
// and the file passes PRAGMA integrity_check.
//
// What it cannot show: a power cut (SIGKILL leaves the OS page cache, so fsync ordering is not
// tested); that needs a VM whose disk is cut.
//
// Runs:
//   short, inside `npm test`:  5 rounds
//   long, on demand:          CTAP_EMU_CRASH_ROUNDS=100 npx vitest run test/crash/serveCrash.test.ts
//   replay a seed:            CTAP_EMU_CRASH_SEED=1234 (the seed is printed at the start of each run)
// The seed fixes the kill delays and the sequence of operations; how many operations fit before
// each kill still depends on the machine's timing. Build first (the test runs dist/src/cli.js).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, childEnv, crash, integrity, integrityOfCopy, killAll, prng, startServe, stop } from './harness.js';
import { Model, verify } from './model.js';
import { runUntilGone } from './workload.js';

const ROUNDS = Number(process.env.CTAP_EMU_CRASH_ROUNDS ?? 5);
const SEED = process.env.CTAP_EMU_CRASH_SEED ? Number(process.env.CTAP_EMU_CRASH_SEED) : Math.floor(Math.random() * 2 ** 32);
/** The key dies this long (ms) after the client starts: from mid-first-request to a few hundred operations. */
const KILL_MS = [20, 900] as const;

let dir: string;
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/src/cli.js is missing: build first (npm run build)');
  dir = mkdtempSync(join(tmpdir(), 'ctap-emu-crash-'));
});
afterEach(killAll);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serve killed at random moments', () => {
  it(`loses no answered registration and repeats no counter (${ROUNDS} rounds)`, async () => {
    console.log(`crash test: seed ${SEED} (CTAP_EMU_CRASH_SEED=${SEED} replays it), ${ROUNDS} rounds`);
    const store = join(dir, 'keystore.sqlite');
    const delays = prng(SEED);
    const ops = prng(SEED ^ 0x5eed);
    const m = new Model();
    const started = Date.now();
    for (let round = 1; round <= ROUNDS; round++) {
      const where = `seed ${SEED}, round ${round}`;
      const s = await startServe(store);
      await verify(s.client, m, where);
      const timer = setTimeout(() => s.child.kill('SIGKILL'), KILL_MS[0] + delays() * (KILL_MS[1] - KILL_MS[0]));
      try {
        await runUntilGone(s, m, ops);
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
      } finally {
        clearTimeout(timer);
        await crash(s);
      }
      expect(integrityOfCopy(store), where).toBe('ok');
    }

    // Once more after the last crash, then a clean stop: the file itself, and the CLI's view of it.
    const s = await startServe(store);
    await verify(s.client, m, `seed ${SEED}, after the last crash`);
    const stopped = await stop(s);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(integrity(store)).toBe('ok');
    const listed = spawnSync(process.execPath, [CLI, 'creds', 'list', '--json', '--store', store], { env: childEnv(), encoding: 'utf8' });
    expect(listed.status, listed.stderr).toBe(0);
    const creds = JSON.parse(listed.stdout) as { credentialId: string; signCount: number }[];
    const byId = new Map(creds.map((c) => [Buffer.from(c.credentialId, 'base64url').toString('hex'), c.signCount]));
    expect(byId.size).toBe(m.slots.size);
    for (const id of m.slots.values()) expect(byId.get(id)).toBeGreaterThanOrEqual(m.high.get(id)!);
    console.log(`crash test: seed ${SEED}: ${ROUNDS} rounds in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `${m.answered.registrations} registrations and ${m.answered.assertions} assertions answered; registrations in flight at a kill: ` +
      `${m.inFlight.stored} stored, ${m.inFlight.lost} not; ` +
      `${m.slots.size} discoverable credentials, highest counter ${Math.max(0, ...m.high.values())}, global ${m.global}`);
  }, 30_000 + ROUNDS * 8_000);
});
