// The SQLite keystore under each driver: durability, permissions, refusing files that are not ours
// (and leaving them as they were), locking, encryption that covers every column, and scrubbing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE_SIZE, KeystoreError, SCHEMA_VERSION, SqliteStore } from '../../src/keystore/sqlite.js';
import { MemoryStore } from '../../src/keystore/memory.js';
import type { CredentialStore } from '../../src/keystore/types.js';
import { cred, disk, drivers, holdInChild, openInChild, raw, snapshot } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ctap-emu-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The error `fn` throws: a KeystoreError of one line. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KeystoreError);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a refusal');
}

const contract: [string, (driver: string) => CredentialStore][] = [
  ['MemoryStore', () => new MemoryStore()],
  ...drivers.filter((d) => !d.skip).map((d): [string, () => CredentialStore] => [`SqliteStore ${d.driver}`, () => new SqliteStore(join(dir, 'k.sqlite'), { driver: d.driver })]),
];

describe.each(contract)('%s', (_name, make) => {
  it('stores, lists newest first, replaces the same user, counts and deletes', () => {
    const s = make('');
    s.put(cred(1));
    s.put(cred(2));
    s.put(cred(3, { rpId: 'other.example' }));
    expect(s.pageByRp('example.com', { limit: Infinity }).map((c) => c.id[0])).toEqual([2, 1]);
    s.put(cred(4, { userId: new Uint8Array([1]), createdAt: 5000 }));
    expect(s.pageByRp('example.com', { limit: Infinity }).map((c) => c.id[0])).toEqual([4, 2]);
    expect(s.count()).toBe(3);
    expect(s.list().map((c) => c.rpId)).toEqual(['example.com', 'example.com', 'other.example']);
    expect(s.delete(new Uint8Array([2, 2, 2]))).toBe(true);
    expect(s.delete(new Uint8Array([2, 2, 2]))).toBe(false);
    s.setSignCount(new Uint8Array([4, 4, 4]), 42);
    expect(s.get(new Uint8Array([4, 4, 4]))).toMatchObject({ signCount: 42, userName: 'user4', privateKey: new Uint8Array(32).fill(4) });
    s.setMeta('m', new Uint8Array([1]));
    s.wipe();
    expect(s.count()).toBe(0);
    expect(s.getMeta('m')).toBeUndefined();
    s.close();
  });

  it('keeps every field as given, hmacSecret included', () => {
    const s = make('');
    const full = cred(7, {
      rpName: 'Example', userDisplayName: 'User Seven', credProtect: 3, credBlob: new Uint8Array([1, 2]),
      largeBlobKey: new Uint8Array(32).fill(3), credRandom: new Uint8Array(32).fill(4), hmacSecret: true, signCount: 5,
      backupEligibility: true, backupState: true,
    });
    s.put(full);
    s.put(cred(8));
    expect(s.get(full.id)).toEqual(full);
    expect(s.get(cred(8).id)).toEqual(cred(8));
    expect(s.get(cred(8).id)!.hmacSecret).toBe(false);
    s.close();
  });
});

describe.each(drivers.map((d) => [d.title, d] as const))('SqliteStore with %s', (_title, { driver, skip }) => {
  const open = (path: string, o: object = {}): SqliteStore => new SqliteStore(path, { driver, ...o });

  describe.skipIf(skip)('files', () => {
    it("keeps SQLite's default page cache (2 MiB) on either driver, from the open's quick_check on", () => {
      const a = open(join(dir, 'k.sqlite'));
      expect(Number((a as unknown as { db: { pragma(sql: string): unknown } }).db.pragma('cache_size'))).toBe(CACHE_SIZE);
      expect(CACHE_SIZE).toBe(-2000);
      a.close();
    });

    it('creates the file 0600 and keeps everything across a reopen', () => {
      const path = join(dir, 'k.sqlite');
      const a = open(path);
      expect(a.driver).toBe(driver);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      a.put(cred(1));
      a.setSignCount(cred(1).id, 7);
      a.setMeta('masterSecret', new Uint8Array([9, 9]));
      a.close();
      expect(readdirSync(dir)).toEqual(['k.sqlite']);
      const b = open(path);
      expect(b.get(cred(1).id)!.signCount).toBe(7);
      expect(b.getMeta('masterSecret')).toEqual(new Uint8Array([9, 9]));
      b.close();
    });

    it('refuses a file that is not SQLite, leaving it byte for byte unchanged', () => {
      const path = join(dir, 'notes.txt');
      writeFileSync(path, 'these are my notes, not a keystore\n'.repeat(10));
      const before = snapshot(path);
      expect(refusal(() => open(path))).toMatch(/not a ctap-emu keystore/);
      expect(snapshot(path)).toEqual(before);
    });

    it('refuses an SQLite file of another program, leaving it unchanged', () => {
      const path = join(dir, 'other.db');
      writeFileSync(path, '');
      const db = raw(path, driver);
      db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
      db.close();
      const before = snapshot(path);
      expect(refusal(() => open(path))).toMatch(/SQLite file but not a ctap-emu keystore/);
      expect(snapshot(path)).toEqual(before);
    });

    it('refuses an existing empty file instead of adopting it, mode and all', () => {
      const path = join(dir, 'k.sqlite');
      writeFileSync(path, '', { mode: 0o644 });
      chmodSync(path, 0o644);
      const before = snapshot(path);
      expect(refusal(() => open(path))).toMatch(/k\.sqlite is empty, not a ctap-emu keystore; it was left unchanged/);
      expect(refusal(() => open(path, { mustExist: true }))).toMatch(/is empty/);
      expect(refusal(() => open(path, { passphrase: 'p' }))).toMatch(/is empty/);
      expect(snapshot(path)).toEqual(before);
    });

    it('refuses a directory in one line', () => {
      mkdirSync(join(dir, 'd'));
      expect(refusal(() => open(join(dir, 'd')))).toMatch(/d is a directory, not a ctap-emu keystore/);
      expect(refusal(() => open(join(dir, 'd'), { mustExist: true }))).toMatch(/is a directory/);
    });

    it('says the directory does not exist, creating nothing', () => {
      const path = join(dir, 'no', 'such', 'k.sqlite');
      expect(refusal(() => open(path))).toMatch(/cannot create keystore .*: directory .*such does not exist/);
      expect(refusal(() => open(path, { mustExist: true }))).toMatch(/^no keystore at/);
      expect(readdirSync(dir)).toEqual([]);
    });

    it('refuses truncated and corrupt files, leaving them unchanged', () => {
      const path = join(dir, 'k.sqlite');
      const s = open(path);
      for (let i = 1; i <= 40; i++) s.put(cred(i, { userName: 'x'.repeat(200) }));
      s.close();
      const good = readFileSync(path);
      const pageSize = good.readUInt16BE(16);
      expect(good.length).toBeGreaterThan(4 * pageSize);
      const cases: [string, Buffer, RegExp][] = [
        ['50 bytes', good.subarray(0, 50), /damaged \(truncated\)/],
        ['half a page', good.subarray(0, pageSize + pageSize / 2), /damaged \(truncated\)/],
        ['pages missing', good.subarray(0, 2 * pageSize), /damaged/],
        ['a page of garbage', Buffer.concat([good.subarray(0, 2 * pageSize), Buffer.alloc(pageSize, 0x5a), good.subarray(3 * pageSize)]), /damaged \(quick_check: .*\); it was left unchanged$/],
        ['a b-tree page scrambled', Buffer.concat([good.subarray(0, good.length - pageSize), Buffer.alloc(pageSize, 0x0d)]), /damaged/],
      ];
      for (const [what, bytes, expected] of cases) {
        writeFileSync(path, bytes);
        const before = snapshot(path);
        expect(refusal(() => open(path)), what).toMatch(expected);
        expect(snapshot(path), what).toEqual(before);
      }
    });

    it('refuses a keystore written by a newer version, unchanged', () => {
      const path = join(dir, 'k.sqlite');
      open(path).close();
      const db = raw(path, driver);
      db.pragma('user_version = 99');
      db.close();
      const before = snapshot(path);
      expect(refusal(() => open(path))).toContain(`newer ctap-emu (keystore version 99, this one reads ${SCHEMA_VERSION})`);
      expect(snapshot(path)).toEqual(before);
    });

    it('refuses a missing file when it must exist', () => {
      expect(refusal(() => open(join(dir, 'nope.sqlite'), { mustExist: true }))).toMatch(/^no keystore/);
    });

    it('leaves no file behind when it cannot finish making one', () => {
      expect(() => open(join(dir, 'k.sqlite'), { passphrase: '' })).toThrow(/passphrase is empty/);
      expect(readdirSync(dir)).toEqual([]);
    });

    it('says "read-only" for a file or directory it cannot write, changing nothing', () => {
      chmodSync(dir, 0o755);
      const path = join(dir, 'k.sqlite');
      open(path).close();
      chmodSync(path, 0o644); // readable by others, writable by its owner only
      const before = snapshot(path);
      const asUser = (p: string): string => {
        if (process.getuid?.() === 0) return openInChild(p, driver, {}, 65534); // root writes anything: ask as nobody
        try {
          open(p).close();
          return 'opened';
        } catch (e) {
          return `${(e as Error).name}: ${(e as Error).message}`;
        }
      };
      if (process.getuid?.() !== 0) {
        chmodSync(path, 0o444);
        chmodSync(dir, 0o555);
      }
      try {
        expect(asUser(path)).toMatch(/^KeystoreError: keystore .*k\.sqlite is read-only \(the file cannot be written/);
        expect(asUser(join(dir, 'new.sqlite'))).toMatch(/^KeystoreError: cannot create keystore .* is read-only/);
      } finally {
        chmodSync(dir, 0o700);
      }
      if (process.getuid?.() !== 0) chmodSync(path, before.mode);
      expect(snapshot(path)).toEqual(before);
    });

    it('says "read-only" for a writable file in a directory it cannot write (the WAL goes there)', () => {
      if (process.getuid?.() !== 0) return; // as a user, chmod of the directory is the case above
      chmodSync(dir, 0o755);
      const path = join(dir, 'k.sqlite');
      open(path).close();
      chmodSync(path, 0o666);
      expect(openInChild(path, driver, {}, 65534)).toMatch(/read-only \(its directory/);
    });
  });

  describe.skipIf(skip)('one holder at a time', () => {
    it('refuses a second open in this process, and says so', () => {
      const path = join(dir, 'k.sqlite');
      const a = open(path);
      a.put(cred(1));
      expect(refusal(() => open(path))).toMatch(/already open in this process/);
      expect(refusal(() => open(join(dir, '.', 'k.sqlite')))).toMatch(/already open in this process/);
      a.close();
      a.close();
      const b = open(path);
      expect(b.count()).toBe(1);
      b.close();
    });

    it('refuses an open while another process holds the keystore', async () => {
      const path = join(dir, 'k.sqlite');
      open(path).close();
      const before = readFileSync(path);
      const holder = await holdInChild(path, driver);
      try {
        expect(refusal(() => open(path))).toMatch(/in use by another process/);
      } finally {
        await holder.release();
      }
      expect(readFileSync(path)).toEqual(before);
      const b = open(path);
      b.close();
    });
  });

  describe.skipIf(skip)('encryption', () => {
    it('seals private keys and device secrets: not on disk in the clear, back with the passphrase', () => {
      const path = join(dir, 'k.sqlite');
      const a = open(path, { passphrase: 'correct horse' });
      a.put(cred(1, { privateKey: new Uint8Array(32).fill(0xa7) }));
      a.setMeta('masterSecret', new Uint8Array(32).fill(0xb8));
      expect(disk(path).includes(Buffer.alloc(32, 0xa7))).toBe(false);
      a.close();
      const d = disk(path);
      expect(d.includes(Buffer.alloc(32, 0xa7))).toBe(false);
      expect(d.includes(Buffer.alloc(32, 0xb8))).toBe(false);
      const b = open(path, { passphrase: 'correct horse' });
      expect(b.get(cred(1).id)!.privateKey).toEqual(new Uint8Array(32).fill(0xa7));
      expect(b.getMeta('masterSecret')).toEqual(new Uint8Array(32).fill(0xb8));
      b.close();
    });

    it('says what is wrong with a missing or wrong passphrase, changing nothing', () => {
      const path = join(dir, 'k.sqlite');
      const a = open(path, { passphrase: 'right' });
      a.put(cred(1));
      a.close();
      const before = snapshot(path);
      expect(refusal(() => open(path))).toMatch(/is encrypted: give its passphrase/);
      expect(refusal(() => open(path, { passphrase: 'wrong' }))).toMatch(/wrong passphrase/);
      expect(snapshot(path)).toEqual(before);
    });

    it('refuses a passphrase for a keystore that is not encrypted', () => {
      const path = join(dir, 'k.sqlite');
      open(path).close();
      expect(refusal(() => open(path, { passphrase: 'x' }))).toMatch(/not encrypted/);
    });

    const altered: [string, string][] = [
      ['id', "x'0909'"], ['rp_id', "'evil.example'"], ['rp_name', "'Evil'"], ['user_id', "x'ff'"], ['user_name', "'mallory'"],
      ['user_display_name', "'Mallory'"], ['alg', '-8'], ['cred_protect', '1'], ['cred_blob', "x'00'"], ['large_blob_key', 'NULL'],
      ['cred_random', "x'01'"], ['created_at', '1'], ['sign_count', '0'], ['hmac_secret', '0'], ['private_key', "x'00'"],
      ['count_mac', 'NULL'], ['rp_name', 'NULL'], ['hmac_secret', '2'], ['user_id', "'\u0007'"],
    ];
    it.each(altered)('an altered %s = %s makes reading the credential fail, not return altered data', (column, value) => {
      const path = join(dir, 'k.sqlite');
      const a = open(path, { passphrase: 'pw' });
      const full = cred(7, {
        rpName: 'Example', userDisplayName: 'Seven', credProtect: 3, credBlob: new Uint8Array([1, 2]),
        largeBlobKey: new Uint8Array(32).fill(3), credRandom: new Uint8Array(32).fill(4), hmacSecret: true,
      });
      a.put(full);
      a.setSignCount(full.id, 9);
      a.close();
      const db = raw(path, driver);
      expect(db.prepare(`UPDATE credentials SET ${column} = ${value}`).run().changes).toBe(1);
      db.close();
      const b = open(path, { passphrase: 'pw' });
      expect(refusal(() => b.list())).toMatch(/altered file\?/);
      expect(refusal(() => b.summaries({ limit: Infinity }))).toMatch(/altered file\?/); // a listing without keys checks them too
      if (column !== 'id') expect(refusal(() => b.get(full.id))).toMatch(/altered file\?/);
      if (column !== 'rp_id') expect(refusal(() => b.pageByRp('example.com', { limit: Infinity }))).toMatch(/altered file\?/);
      b.close();
    });

    it('moves the counter without re-sealing the key, and a rolled-over row is caught', () => {
      const path = join(dir, 'k.sqlite');
      const a = open(path, { passphrase: 'pw' });
      a.put(cred(1));
      a.put(cred(2));
      a.close();
      const key = (): string => {
        const db = raw(path, driver);
        const r = db.prepare('SELECT hex(private_key) AS k FROM credentials WHERE id = ?').get(cred(1).id)!;
        db.close();
        return String(r.k);
      };
      const sealed = key();
      const b = open(path, { passphrase: 'pw' });
      for (let i = 1; i <= 3; i++) b.setSignCount(cred(1).id, i);
      expect(b.get(cred(1).id)!.signCount).toBe(3);
      b.close();
      expect(key()).toBe(sealed);
      // Another credential's counter and MAC pasted over this one's: bound to the ID, so refused.
      const db = raw(path, driver);
      db.exec(`UPDATE credentials SET (sign_count, count_mac) = (SELECT sign_count, count_mac FROM credentials WHERE id = x'020202') WHERE id = x'010101'`);
      db.close();
      const c = open(path, { passphrase: 'pw' });
      expect(c.get(cred(2).id)!.signCount).toBe(0);
      expect(refusal(() => c.get(cred(1).id))).toMatch(/altered file\?/);
      c.close();
    });

    it('an unencrypted store reads its rows as they are', () => {
      const path = join(dir, 'k.sqlite');
      const a = open(path);
      a.put(cred(1));
      a.close();
      const db = raw(path, driver);
      db.exec("UPDATE credentials SET user_name = 'changed', sign_count = 5");
      db.close();
      const b = open(path);
      expect(b.get(cred(1).id)).toMatchObject({ userName: 'changed', signCount: 5 });
      b.close();
    });

    it('an unencrypted store whose key is not bytes is damaged, for the listing too (which reads no key)', () => {
      const path = join(dir, 'k.sqlite');
      const a = open(path);
      a.put(cred(1));
      a.close();
      const db = raw(path, driver);
      db.exec("UPDATE credentials SET private_key = 'not bytes'");
      db.close();
      const b = open(path);
      for (const read of [() => b.summaries({ limit: Infinity }), () => b.list(), () => b.get(cred(1).id)]) {
        expect(refusal(read)).toMatch(/damaged \(a key is not a byte string\)/);
      }
      b.close();
    });
  });

  describe.skipIf(skip)('secrets do not linger in the file', () => {
    const has = (path: string, b: Buffer): boolean => disk(path).includes(b);

    it('delete overwrites the private key: not in the file or WAL, open or closed', () => {
      const path = join(dir, 'k.sqlite');
      const s = open(path);
      s.put(cred(1, { privateKey: new Uint8Array(32).fill(0xa7) }));
      s.put(cred(2, { privateKey: new Uint8Array(32).fill(0x6e) }));
      s.close();
      const t = open(path);
      expect(has(path, Buffer.alloc(32, 0xa7))).toBe(true);
      expect(t.delete(cred(1).id)).toBe(true);
      expect(has(path, Buffer.alloc(32, 0xa7))).toBe(false);
      t.close();
      expect(has(path, Buffer.alloc(32, 0xa7))).toBe(false);
      expect(has(path, Buffer.alloc(32, 0x6e))).toBe(true);
    });

    it('replacing a user\'s credential overwrites the old key too', () => {
      const path = join(dir, 'k.sqlite');
      const s = open(path);
      s.put(cred(1, { privateKey: new Uint8Array(32).fill(0xa7) }));
      s.put(cred(2, { userId: cred(1).userId, privateKey: new Uint8Array(32).fill(0x6e) }));
      s.close();
      expect(has(path, Buffer.alloc(32, 0xa7))).toBe(false);
    });

    it.each([false, true])('wipe leaves no old credential or device secret readable (encrypted: %s)', (encrypted) => {
      const path = join(dir, 'k.sqlite');
      const o = encrypted ? { passphrase: 'pw' } : {};
      const s = open(path, o);
      for (let i = 1; i <= 30; i++) s.put(cred(i, { userName: `wiped-user-${i}`, privateKey: new Uint8Array(32).fill(0xa7) }));
      s.setMeta('masterSecret', new Uint8Array(32).fill(0xb8));
      s.close();
      const sealedMeta = (() => {
        const db = raw(path, driver);
        const v = db.prepare("SELECT value FROM meta WHERE key = 'masterSecret'").get()!.value as Uint8Array;
        db.close();
        return Buffer.from(v);
      })();
      const t = open(path, o);
      t.wipe();
      t.setMeta('masterSecret', new Uint8Array(32).fill(0xc9));
      const gone = (): void => {
        expect(has(path, Buffer.alloc(32, 0xa7))).toBe(false);
        expect(has(path, Buffer.from('wiped-user-'))).toBe(false);
        expect(has(path, sealedMeta)).toBe(false);
        expect(has(path, Buffer.alloc(32, 0xb8))).toBe(false);
      };
      gone();
      t.close();
      gone();
      const u = open(path, o);
      expect(u.count()).toBe(0);
      expect(u.getMeta('masterSecret')).toEqual(new Uint8Array(32).fill(0xc9));
      u.close();
    });
  });
});

describe('SqliteStore driver choice', () => {
  it('refuses an unusable driver in one line, creating nothing', () => {
    const missing = drivers.find((d) => d.skip);
    if (!missing) return; // both load here
    expect(refusal(() => new SqliteStore(join(dir, 'k.sqlite'), { driver: missing.driver }))).toMatch(/cannot be used/);
    expect(existsSync(join(dir, 'k.sqlite'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
