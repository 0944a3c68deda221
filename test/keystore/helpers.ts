// What the keystore tests share: sample credentials, raw file access, and a store in another process.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, linkSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DRIVERS, driverUnavailable, openDatabase, type Database, type DriverName } from '../../src/keystore/driver.js';
import type { StoredCredential } from '../../src/keystore/types.js';

export function cred(n: number, over: Partial<StoredCredential> = {}): StoredCredential {
  return {
    id: new Uint8Array([n, n, n]),
    rpId: 'example.com',
    userId: new Uint8Array([n]),
    userName: `user${n}`,
    alg: -7,
    privateKey: new Uint8Array(32).fill(n),
    credProtect: 1,
    hmacSecret: false,
    thirdPartyPayment: false,
    backupEligibility: false,
    backupState: false,
    createdAt: 1000 + n,
    signCount: 0,
    ...over,
  };
}

/** Each driver, with why it is skipped here (node:sqlite needs Node 22.13+; better-sqlite3 must be built for this Node). */
export const drivers = DRIVERS.map((d) => {
  const why = driverUnavailable(d);
  return { driver: d, skip: why !== undefined, title: why ? `${d} (skipped: ${why})` : d };
});

/** Some driver that works here, for poking at files directly. */
export const anyDriver: DriverName = DRIVERS.find((d) => !driverUnavailable(d))!;

export function raw(path: string, driver: DriverName = anyDriver): Database {
  return openDatabase(path, driver);
}

/** The file and its WAL, as bytes on disk. */
export function disk(path: string): Buffer {
  return Buffer.concat([readFileSync(path), ...(existsSync(`${path}-wal`) ? [readFileSync(`${path}-wal`)] : [])]);
}

/** Bytes and mode of a file, and what else is in its directory: to show a refusal changed nothing. */
export function snapshot(path: string): { bytes: string; mode: number; dir: string[] } {
  const dir = path.slice(0, path.lastIndexOf('/'));
  return { bytes: readFileSync(path).toString('hex'), mode: statSync(path).mode, dir: readdirSync(dir).sort() };
}

const register = fileURLToPath(new URL('./ts-register.mjs', import.meta.url));
const sqliteModule = pathToFileURL(fileURLToPath(new URL('../../src/keystore/sqlite.ts', import.meta.url))).href;

/**
 * A path to this Node that `uid` can execute. A Node kept under a private home (CI keeps Node 24 in
 * /root/.cache, and /root is 0700) is out of reach for another user: give it a hard link (or, across
 * file systems, a copy) in a temporary directory anyone can enter, removed when the tests end.
 */
const nodeFor = (() => {
  const reachable = new Map<number, string>();
  return (uid: number): string => {
    const known = reachable.get(uid);
    if (known) return known;
    let path = process.execPath;
    if (spawnSync(path, ['-e', '0'], { uid, gid: uid }).status !== 0) {
      const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-node-'));
      chmodSync(dir, 0o755);
      path = join(dir, 'node');
      try {
        linkSync(process.execPath, path);
      } catch {
        copyFileSync(process.execPath, path);
        chmodSync(path, 0o755);
      }
      process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
      const r = spawnSync(path, ['-e', '0'], { uid, gid: uid, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`uid ${uid} cannot run Node even from ${path}: ${r.error?.message ?? r.stderr}`);
    }
    reachable.set(uid, path);
    return path;
  };
})();

/** `new SqliteStore(path, options)` in a child process (as `uid` if given): the error it gives, or 'opened'. */
export function openInChild(path: string, driver: DriverName, options: object = {}, uid?: number): string {
  const code = `import { SqliteStore } from '${sqliteModule}';
    try { new SqliteStore(process.argv[1], JSON.parse(process.argv[2])).close(); console.log('opened'); }
    catch (e) { console.log(e.name + ': ' + e.message); }`;
  const node = uid === undefined ? process.execPath : nodeFor(uid);
  const r = spawnSync(node, ['--import', register, '--input-type=module', '-e', code, path, JSON.stringify({ ...options, driver })], {
    encoding: 'utf8',
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  if (r.status !== 0) throw new Error(`child failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout.trim();
}

/**
 * In a child process: opens the store, moves credential `id`'s counter to each of `counts` in turn,
 * then dies by SIGKILL without closing it (a crash). Returns the last count it set.
 */
export function countThenCrash(path: string, driver: DriverName, id: Uint8Array, counts: number[], options: object = {}): number {
  const code = `import { SqliteStore } from '${sqliteModule}';
    const [path, opts, id, counts] = process.argv.slice(1);
    const s = new SqliteStore(path, JSON.parse(opts));
    for (const n of JSON.parse(counts)) s.setSignCount(Buffer.from(id, 'hex'), n);
    process.stdout.write('counted', () => process.kill(process.pid, 'SIGKILL'));`;
  const r = spawnSync(process.execPath, ['--import', register, '--input-type=module', '-e', code, path,
    JSON.stringify({ ...options, driver }), Buffer.from(id).toString('hex'), JSON.stringify(counts)], { encoding: 'utf8' });
  if (r.signal !== 'SIGKILL' || r.stdout !== 'counted') throw new Error(`child did not count and crash: ${r.error?.message ?? r.stderr}`);
  return counts[counts.length - 1]!;
}

/** A child process holding the store open until `release()`; resolves once it has it. */
export async function holdInChild(path: string, driver: DriverName): Promise<{ release(): Promise<void> }> {
  const code = `import { SqliteStore } from '${sqliteModule}';
    const s = new SqliteStore(process.argv[1], { driver: process.argv[2] });
    console.log('holding');
    process.stdin.on('end', () => { s.close(); process.exit(0); }); process.stdin.resume();`;
  const child = spawn(process.execPath, ['--import', register, '--input-type=module', '-e', code, path, driver], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('holding') && resolve());
    child.on('exit', () => reject(new Error(`holder exited: ${err}`)));
  });
  return {
    release: () => new Promise<void>((resolve) => {
      child.on('exit', () => resolve());
      child.stdin.end();
    }),
  };
}
