// Signature counters in the SQLite store: the file holds a reservation ahead of the counter, so an
// assertion does not wait for a disk write, and after a crash a counter skips but never repeats.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/keystore/sqlite.js';
import { RESERVATION } from '../../src/keystore/reservedCounters.js';
import { countThenCrash, cred, drivers, raw } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ctap-emu-counters-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.each(drivers.map((d) => [d.title, d] as const))('counters with %s', (_title, { driver, skip }) => {
  /** The counter as the file holds it right now (another connection, as after a crash). */
  const onDisk = (path: string, id: Uint8Array): number => {
    const db = raw(path, driver);
    try {
      return Number(db.prepare('SELECT sign_count FROM credentials WHERE id = ?').get(id)!.sign_count);
    } finally {
      db.close();
    }
  };

  it.skipIf(skip)('keeps the file at or above every counter answered, writing once per reservation', () => {
    const path = join(dir, 'k.sqlite');
    const s = new SqliteStore(path, { driver });
    const id = cred(1).id;
    s.put(cred(1));
    const seen = new Set<number>();
    for (let n = 1; n <= 3 * RESERVATION; n++) {
      s.setSignCount(id, n);
      expect(s.get(id)!.signCount).toBe(n);
      const disk = s['db'].prepare('SELECT sign_count FROM credentials WHERE id = ?').get(id)!.sign_count as number;
      expect(disk).toBeGreaterThanOrEqual(n);
      seen.add(disk);
    }
    expect(seen.size).toBe(3);
    // A clean close writes the exact value back: nothing is skipped.
    s.close();
    expect(onDisk(path, id)).toBe(3 * RESERVATION);
  });

  it.skipIf(skip).each([undefined, 'pw'])('after a crash resumes above every counter answered (passphrase %s)', (passphrase) => {
    const path = join(dir, 'k.sqlite');
    const s = new SqliteStore(path, { driver, passphrase });
    const c = cred(1);
    s.put(c);
    s.close();
    let answered = 0;
    for (const run of [[1, 2, 3], [300, 301]]) {
      const before = new SqliteStore(path, { driver, passphrase });
      const start = before.get(c.id)!.signCount;
      before.close();
      expect(start).toBeGreaterThanOrEqual(answered);
      answered = countThenCrash(path, driver, c.id, run.map((n) => Math.max(n, start + 1)), passphrase ? { passphrase } : {});
    }
    const after = new SqliteStore(path, { driver, passphrase });
    expect(after.get(c.id)!.signCount).toBeGreaterThanOrEqual(answered);
    expect(after.get(c.id)!.signCount).toBeLessThan(answered + RESERVATION);
    after.close();
  });

  it.skipIf(skip)('nextSignCount counts up from the stored value and stops at 2^32 - 1, across a reopen too', () => {
    const path = join(dir, 'k.sqlite');
    const s = new SqliteStore(path, { driver });
    const c = cred(1);
    s.put(c);
    expect(s.nextSignCount(c.id)).toBe(1);
    expect(s.nextSignCount(c.id)).toBe(2);
    expect(s.nextSignCount(cred(9).id)).toBeUndefined();
    s.setSignCount(c.id, 0xfffffffe);
    expect(s.nextSignCount(c.id)).toBe(0xffffffff);
    expect(s.nextSignCount(c.id)).toBe(0xffffffff);
    s.close();
    const t = new SqliteStore(path, { driver });
    expect(t.nextSignCount(c.id)).toBe(0xffffffff);
    t.close();
  });

  it.skipIf(skip)('a credential replaced, deleted or wiped takes no old reservation with it', () => {
    const path = join(dir, 'k.sqlite');
    const s = new SqliteStore(path, { driver });
    const c = cred(1);
    s.put(c);
    s.setSignCount(c.id, 5);
    s.put({ ...s.get(c.id)!, userName: 'renamed' });
    expect(s.get(c.id)!.signCount).toBe(5);
    s.setSignCount(c.id, 6);
    expect(s.get(c.id)!.signCount).toBe(6);
    s.delete(c.id);
    s.setSignCount(c.id, 7); // no such credential: nothing is kept
    s.put(c);
    expect(s.get(c.id)!.signCount).toBe(0);
    s.setSignCount(c.id, 1);
    s.wipe();
    s.put(c);
    expect(s.get(c.id)!.signCount).toBe(0);
    s.close();
    expect(onDisk(path, c.id)).toBe(0);
  });
});
