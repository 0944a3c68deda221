// The driver layer: loaded lazily, node:sqlite preferred, a clear line when neither loads, and
// only Node 22's "SQLite is an experimental feature" warning silenced.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chooseDriver, DRIVERS, driverUnavailable, openDatabase, withoutSqliteWarning, type DriverName } from '../../src/keystore/driver.js';
import { KeystoreError } from '../../src/keystore/errors.js';

const srcDir = fileURLToPath(new URL('../../src', import.meta.url));

describe('SQLite driver choice', () => {
  it('prefers node:sqlite where the runtime has it, else better-sqlite3', () => {
    const hasNodeSqlite = driverUnavailable('node:sqlite') === undefined;
    expect(hasNodeSqlite).toBe(Number(process.versions.node.split('.')[0]) >= 23 || /^22\.(1[3-9]|[2-9]\d)\./.test(process.versions.node));
    if (hasNodeSqlite) expect(chooseDriver(undefined, () => undefined)).toBe('node:sqlite');
    const onlyBetter = (d: DriverName): string | undefined => (d === 'node:sqlite' ? 'no node:sqlite' : undefined);
    expect(chooseDriver(undefined, onlyBetter)).toBe('better-sqlite3');
  });

  it('says in one line what to install when neither driver loads', () => {
    const none = (d: DriverName): string => (d === 'node:sqlite' ? 'no node:sqlite' : 'better-sqlite3 is not installed');
    let err: unknown;
    try {
      chooseDriver(undefined, none);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KeystoreError);
    expect((err as Error).message).toMatch(/better-sqlite3 is not installed; run `npm install better-sqlite3`.*or use Node\.js 22\.13 or newer$/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('never imports better-sqlite3 or node:sqlite statically, so nothing needs them until a file store opens', () => {
    const files = (readdirSync(srcDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    for (const f of files) {
      const text = readFileSync(join(srcDir, f), 'utf8');
      expect(text, f).not.toMatch(/^\s*import\s[^;]*from\s+'(better-sqlite3|node:sqlite)'/m);
      expect(text, f).not.toMatch(/^\s*import\s+'(better-sqlite3|node:sqlite)'/m);
    }
  });

  it('names a forced driver that cannot be used, and why', () => {
    expect(() => chooseDriver('node:sqlite', () => 'Node.js v20.0.0 has no node:sqlite')).toThrow(/the SQLite driver node:sqlite cannot be used: Node\.js v20\.0\.0 has no node:sqlite/);
  });
});

describe('the experimental warning of node:sqlite', () => {
  const collect = async (fn: () => void): Promise<string[]> => {
    const seen: string[] = [];
    const listener = (w: Error): void => void seen.push(`${w.name}: ${w.message}`);
    process.on('warning', listener);
    try {
      fn();
      await new Promise((r) => setTimeout(r, 10));
    } finally {
      process.off('warning', listener);
    }
    return seen;
  };

  it('drops exactly that warning while loading, and no other', async () => {
    const seen = await collect(() => withoutSqliteWarning(() => {
      process.emitWarning('SQLite is an experimental feature and might change at any time', 'ExperimentalWarning');
      process.emitWarning('Something else is an experimental feature', 'ExperimentalWarning');
      process.emitWarning('SQLite is an experimental feature, said as a plain warning');
    }));
    expect(seen).toEqual(['ExperimentalWarning: Something else is an experimental feature', 'Warning: SQLite is an experimental feature, said as a plain warning']);
    // and only while loading
    expect(await collect(() => process.emitWarning('SQLite is an experimental feature', 'ExperimentalWarning'))).toHaveLength(1);
  });

  it('a store opened in a fresh process prints nothing on stderr', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-warn-'));
    try {
      const mod = pathToFileURL(join(srcDir, 'keystore', 'sqlite.ts')).href;
      const register = fileURLToPath(new URL('./ts-register.mjs', import.meta.url));
      const code = `import { SqliteStore } from '${mod}'; const s = new SqliteStore(process.argv[1]); console.log(s.driver); s.close();`;
      const r = spawnSync(process.execPath, ['--import', register, '--input-type=module', '-e', code, join(dir, 'k.sqlite')], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(driverUnavailable('node:sqlite') ? 'better-sqlite3' : 'node:sqlite');
      // Node's own notice about module.register() is not ours; anything about SQLite is.
      expect(r.stderr).not.toMatch(/SQLite|sqlite/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a statement read as values', () => {
  for (const driver of DRIVERS) {
    it.skipIf(driverUnavailable(driver) !== undefined)(`${driver}: the same rows as objects, each value in the SELECT's order`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-values-'));
      writeFileSync(join(dir, 'v.sqlite'), ''); // better-sqlite3 is opened with fileMustExist
      const db = openDatabase(join(dir, 'v.sqlite'), driver);
      try {
        db.exec("CREATE TABLE t (a INTEGER, b TEXT, c BLOB); INSERT INTO t VALUES (1, 'x', x'0102'), (2, NULL, NULL)");
        const s = db.prepare('SELECT c, a, b, a + 1 AS next FROM t WHERE a >= ? ORDER BY a');
        const values = s.values(1);
        expect(values.map((v) => v.map((x) => (x instanceof Uint8Array ? [...x] : x)))).toEqual([[[1, 2], 1, 'x', 2], [null, 2, null, 3]]);
        // The statement still answers objects, in the same order, after values were read.
        expect(s.all(1).map((r) => Object.keys(r))).toEqual([['c', 'a', 'b', 'next'], ['c', 'a', 'b', 'next']]);
        expect(s.values(2)).toHaveLength(1);
      } finally {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
