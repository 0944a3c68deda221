// The SQLite keystore: durability across reopen, permissions, and refusing files that are not ours.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { KeystoreError, SqliteStore } from '../../src/keystore/sqlite.js';
import { MemoryStore } from '../../src/keystore/memory.js';
import type { CredentialStore, StoredCredential } from '../../src/keystore/types.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ctap-emu-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cred(n: number, over: Partial<StoredCredential> = {}): StoredCredential {
  return {
    id: new Uint8Array([n, n, n]),
    rpId: 'example.com',
    userId: new Uint8Array([n]),
    userName: `user${n}`,
    alg: -7,
    privateKey: new Uint8Array(32).fill(n),
    credProtect: 1,
    createdAt: 1000 + n,
    signCount: 0,
    ...over,
  };
}

describe.each([
  ['MemoryStore', (): CredentialStore => new MemoryStore()],
  ['SqliteStore', (): CredentialStore => new SqliteStore(join(dir, 'k.sqlite'))],
])('%s', (_name, make) => {
  it('stores, lists newest first, replaces the same user, counts and deletes', () => {
    const s = make();
    s.put(cred(1));
    s.put(cred(2));
    s.put(cred(3, { rpId: 'other.example' }));
    expect(s.listByRp('example.com').map((c) => c.id[0])).toEqual([2, 1]);
    s.put(cred(4, { userId: new Uint8Array([1]), createdAt: 5000 }));
    expect(s.listByRp('example.com').map((c) => c.id[0])).toEqual([4, 2]);
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
});

describe('SqliteStore files', () => {
  it('creates the file 0600 and keeps everything across a reopen', () => {
    const path = join(dir, 'k.sqlite');
    const a = new SqliteStore(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    a.put(cred(1));
    a.setSignCount(cred(1).id, 7);
    a.setMeta('masterSecret', new Uint8Array([9, 9]));
    a.close();
    const b = new SqliteStore(path);
    expect(b.get(cred(1).id)!.signCount).toBe(7);
    expect(b.getMeta('masterSecret')).toEqual(new Uint8Array([9, 9]));
    b.close();
  });

  it('refuses a file that is not SQLite, leaving it byte for byte unchanged', () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'these are my notes, not a keystore\n'.repeat(10));
    const before = readFileSync(path);
    expect(() => new SqliteStore(path)).toThrow(/not a ctap-emu keystore/);
    expect(readFileSync(path)).toEqual(before);
  });

  it('refuses an SQLite file of another program, leaving it unchanged', () => {
    const path = join(dir, 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    db.close();
    const before = readFileSync(path);
    expect(() => new SqliteStore(path)).toThrow(KeystoreError);
    expect(readFileSync(path)).toEqual(before);
  });

  it('refuses a keystore written by a newer version', () => {
    const path = join(dir, 'k.sqlite');
    new SqliteStore(path).close();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteStore(path)).toThrow(/newer ctap-emu/);
  });

  it('refuses a missing file when it must exist', () => {
    expect(() => new SqliteStore(join(dir, 'nope.sqlite'), { mustExist: true })).toThrow(/no keystore/);
  });
});

describe('SqliteStore locking and encryption', () => {
  it('refuses a second open while the first holds the keystore', () => {
    const path = join(dir, 'k.sqlite');
    const a = new SqliteStore(path);
    a.put(cred(1));
    expect(() => new SqliteStore(path)).toThrow(/in use by another process/);
    a.close();
    const b = new SqliteStore(path);
    expect(b.count()).toBe(1);
    b.close();
  });

  it('seals private keys and device secrets: not on disk in the clear, back with the passphrase', () => {
    const path = join(dir, 'k.sqlite');
    const a = new SqliteStore(path, { passphrase: 'correct horse' });
    a.put(cred(1, { privateKey: new Uint8Array(32).fill(0xa7) }));
    a.setMeta('masterSecret', new Uint8Array(32).fill(0xb8));
    a.close();
    const disk = Buffer.concat([readFileSync(path), ...(existsSync(`${path}-wal`) ? [readFileSync(`${path}-wal`)] : [])]);
    expect(disk.includes(Buffer.alloc(32, 0xa7))).toBe(false);
    expect(disk.includes(Buffer.alloc(32, 0xb8))).toBe(false);
    const b = new SqliteStore(path, { passphrase: 'correct horse' });
    expect(b.get(cred(1).id)!.privateKey).toEqual(new Uint8Array(32).fill(0xa7));
    expect(b.getMeta('masterSecret')).toEqual(new Uint8Array(32).fill(0xb8));
    b.close();
  });

  it('says what is wrong with a missing or wrong passphrase, changing nothing', () => {
    const path = join(dir, 'k.sqlite');
    const a = new SqliteStore(path, { passphrase: 'right' });
    a.put(cred(1));
    a.close();
    const before = readFileSync(path);
    expect(() => new SqliteStore(path)).toThrow(/is encrypted: give its passphrase/);
    expect(() => new SqliteStore(path, { passphrase: 'wrong' })).toThrow(/wrong passphrase/);
    expect(readFileSync(path)).toEqual(before);
  });

  it('refuses a passphrase for a keystore that is not encrypted', () => {
    const path = join(dir, 'k.sqlite');
    new SqliteStore(path).close();
    expect(() => new SqliteStore(path, { passphrase: 'x' })).toThrow(/not encrypted/);
  });
});
