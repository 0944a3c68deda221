// Keystore files of version 1 (before hmac_secret and the counter MAC) are brought up to date in
// place, under each driver; versions newer than ours are refused unchanged.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFields, newKdfParams, Sealer } from '../../src/keystore/encryption.js';
import { SCHEMA, STORE_STATE } from '../../src/keystore/schema.js';
import { SCHEMA_VERSION, SqliteStore } from '../../src/keystore/sqlite.js';
import type { Database, DriverName } from '../../src/keystore/driver.js';
import { cred, drivers, raw, snapshot } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ctap-emu-migrate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The encryption record every version writes (unchanged since version 1), and the sealer it stands for. */
function encryptionRecord(db: Database, passphrase: string): Sealer {
  const params = newKdfParams();
  const sealer = Sealer.derive(passphrase, params);
  const record = { v: 1, kdf: 'scrypt', salt: Buffer.from(params.salt).toString('hex'), N: params.N, r: params.r, p: params.p,
    check: Buffer.from(sealer.checkValue()).toString('hex') };
  db.prepare("INSERT INTO keystore (key, value) VALUES ('encryption', ?)").run(JSON.stringify(record));
  return sealer;
}

// The version-1 schema exactly as ctap-emu 0.1 wrote it (commit 2e8d544).
const SCHEMA_V1 = `
CREATE TABLE keystore (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE credentials (
  id BLOB PRIMARY KEY, rp_id TEXT NOT NULL, rp_name TEXT, user_id BLOB NOT NULL, user_name TEXT,
  user_display_name TEXT, alg INTEGER NOT NULL, private_key BLOB NOT NULL, cred_protect INTEGER NOT NULL,
  cred_blob BLOB, large_blob_key BLOB, cred_random BLOB, created_at INTEGER NOT NULL, sign_count INTEGER NOT NULL,
  UNIQUE (rp_id, user_id)
);
CREATE INDEX credentials_by_rp ON credentials (rp_id, created_at DESC);
`;

/** A version-1 keystore with credentials 1 and 2 (sign count 5) and a master secret, sealed as 0.1 sealed them if `passphrase`. */
function writeV1(path: string, driver: DriverName, passphrase?: string): void {
  writeFileSync(path, '', { mode: 0o600 });
  const db = raw(path, driver);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA_V1);
  db.pragma(`application_id = ${0x43544150}`);
  db.pragma('user_version = 1');
  const sealer = passphrase === undefined ? undefined : encryptionRecord(db, passphrase);
  const seal = (v: Uint8Array, ctx: string): Uint8Array => (sealer ? sealer.seal(v, ctx) : v);
  const insert = db.prepare('INSERT INTO credentials VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const n of [1, 2]) {
    const c = cred(n, { rpName: 'Example', signCount: 5 });
    insert.run(c.id, c.rpId, c.rpName!, c.userId, c.userName!, null, c.alg,
      seal(c.privateKey, `credential:${Buffer.from(c.id).toString('hex')}`), c.credProtect, null, null, null, c.createdAt, c.signCount);
  }
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('masterSecret', seal(new Uint8Array(32).fill(0xb8), 'meta:masterSecret'));
  db.close();
}

// Version 5: today's schema without the backup columns (what version 6 adds).
const SCHEMA_V5 = SCHEMA.replace('  backup_eligibility INTEGER NOT NULL DEFAULT 0,\n  backup_state INTEGER NOT NULL DEFAULT 0,\n', '')
  .replace(/user_version = \d+/, 'user_version = 5');
// Version 3: version 5 without third_party_payment (the one column version 4 adds) and store_state (version 5's).
const SCHEMA_V3 = SCHEMA_V5.replace('  third_party_payment INTEGER NOT NULL DEFAULT 0,\n', '').replace(STORE_STATE, '').replace(/user_version = \d+/, 'user_version = 3');

/** A version-3 keystore with credentials 1 and 2, keys sealed (if `passphrase`) to version 3's context, 'credential v2'. */
function writeV3(path: string, driver: DriverName, passphrase?: string): void {
  writeFileSync(path, '', { mode: 0o600 });
  const db = raw(path, driver);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA_V3);
  const sealer = passphrase === undefined ? undefined : encryptionRecord(db, passphrase);
  const insert = db.prepare(`INSERT INTO credentials (id, rp_id, rp_name, user_id, user_name, user_display_name, alg, private_key, cred_protect,
    cred_blob, large_blob_key, cred_random, created_at, sign_count, hmac_secret, count_mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const n of [1, 2]) {
    const c = cred(n, { rpName: 'Example', signCount: 5, alg: -35, privateKey: new Uint8Array(48).fill(n) });
    const bound = encodeFields(['credential v2', c.id, c.rpId, c.rpName!, c.userId, c.userName!, null, c.alg, c.credProtect, null, null, null, c.createdAt, 1]);
    insert.run(c.id, c.rpId, c.rpName!, c.userId, c.userName!, null, c.alg, sealer ? sealer.seal(c.privateKey, bound) : c.privateKey,
      c.credProtect, null, null, null, c.createdAt, c.signCount, 1, sealer ? sealer.countMac(c.id, c.signCount) : null);
  }
  db.close();
}

/** A version-5 keystore with credentials 1 and 2, keys sealed (if `passphrase`) to version 5's context, 'credential v4'. */
function writeV5(path: string, driver: DriverName, passphrase?: string): void {
  writeFileSync(path, '', { mode: 0o600 });
  const db = raw(path, driver);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA_V5);
  const sealer = passphrase === undefined ? undefined : encryptionRecord(db, passphrase);
  const insert = db.prepare(`INSERT INTO credentials (id, rp_id, rp_name, user_id, user_name, user_display_name, alg, private_key, cred_protect,
    cred_blob, large_blob_key, cred_random, created_at, sign_count, hmac_secret, count_mac, third_party_payment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const n of [1, 2]) {
    const c = cred(n, { rpName: 'Example', signCount: 5 });
    const bound = encodeFields(['credential v4', c.id, c.rpId, c.rpName!, c.userId, c.userName!, null, c.alg, c.credProtect, null, null, null, c.createdAt, 0, 0]);
    insert.run(c.id, c.rpId, c.rpName!, c.userId, c.userName!, null, c.alg, sealer ? sealer.seal(c.privateKey, bound) : c.privateKey,
      c.credProtect, null, null, null, c.createdAt, c.signCount, 0, sealer ? sealer.countMac(c.id, c.signCount) : null, 0);
  }
  db.close();
}

const version = (path: string, driver: DriverName): number => {
  const db = raw(path, driver);
  const v = Number(db.pragma('user_version'));
  db.close();
  return v;
};

/** Changes the file behind the store's back, as someone editing it by hand would. */
const alter = (path: string, driver: DriverName, sql: string): void => {
  const db = raw(path, driver);
  db.exec(sql);
  db.close();
};

describe.each(drivers.map((d) => [d.title, d] as const))('migration with %s', (_title, { driver, skip }) => {
  it.skipIf(skip).each([undefined, 'pw'])('brings a version-1 file to version 2 in place, hmacSecret true for old credentials (passphrase %s)', (passphrase) => {
    const path = join(dir, 'k.sqlite');
    writeV1(path, driver, passphrase);
    const s = new SqliteStore(path, { driver, passphrase });
    expect(s.list().map((c) => [c.id[0], c.hmacSecret, c.signCount, c.privateKey[0]])).toEqual([[2, true, 5, 2], [1, true, 5, 1]]);
    expect(s.getMeta('masterSecret')).toEqual(new Uint8Array(32).fill(0xb8));
    // Version 3's per-RP counts start from what was there.
    expect(s.countByRp('example.com')).toBe(2);
    expect(s.rps(undefined, 10)).toEqual([{ rpId: 'example.com', credentials: 2 }]);
    s.put(cred(3, { hmacSecret: false }));
    expect(s.countByRp('example.com')).toBe(3);
    expect(s.pageByRp('example.com', { limit: 2 }).map((c) => c.id[0])).toEqual([3, 2]);
    s.setSignCount(cred(1).id, 6);
    s.close();
    expect(version(path, driver)).toBe(SCHEMA_VERSION);
    const t = new SqliteStore(path, { driver, passphrase });
    expect(t.get(cred(3).id)!.hmacSecret).toBe(false);
    expect(t.get(cred(1).id)).toMatchObject({ hmacSecret: true, signCount: 6, rpName: 'Example' });
    t.close();
  });

  it.skipIf(skip)('after migrating an encrypted file every column is bound, as in a new one', () => {
    const path = join(dir, 'k.sqlite');
    writeV1(path, driver, 'pw');
    new SqliteStore(path, { driver, passphrase: 'pw' }).close();
    alter(path, driver, "UPDATE credentials SET user_name = 'mallory' WHERE id = x'010101'");
    const s = new SqliteStore(path, { driver, passphrase: 'pw' });
    expect(s.get(cred(2).id)!.userName).toBe('user2');
    expect(() => s.get(cred(1).id)).toThrow(/altered file\?/);
    s.close();
  });

  it.skipIf(skip)('does not migrate an encrypted version-1 file without its passphrase, or with a key that does not open', () => {
    const path = join(dir, 'k.sqlite');
    writeV1(path, driver, 'pw');
    const before = snapshot(path);
    expect(() => new SqliteStore(path, { driver })).toThrow(/is encrypted/);
    expect(() => new SqliteStore(path, { driver, passphrase: 'nope' })).toThrow(/wrong passphrase/);
    expect(snapshot(path)).toEqual(before);
    alter(path, driver, "UPDATE credentials SET private_key = x'00' || substr(private_key, 2) WHERE id = x'020202'");
    expect(() => new SqliteStore(path, { driver, passphrase: 'pw' })).toThrow(/altered file\?/);
    expect(version(path, driver)).toBe(1);
  });

  it.skipIf(skip).each([undefined, 'pw'])('brings a version-3 file to version 4: thirdPartyPayment false, ES384 keys intact, the new column bound (passphrase %s)', (passphrase) => {
    const path = join(dir, 'k.sqlite');
    writeV3(path, driver, passphrase);
    const s = new SqliteStore(path, { driver, passphrase });
    expect(s.list().map((c) => [c.id[0], c.alg, c.thirdPartyPayment, c.signCount, c.privateKey.length, c.privateKey[0]])).toEqual([[2, -35, false, 5, 48, 2], [1, -35, false, 5, 48, 1]]);
    // Version 5's change count starts at the migration and moves with each addition and removal.
    expect(s.changes()).toBe(0);
    s.put(cred(3, { thirdPartyPayment: true }));
    expect(s.changes()).toBe(1);
    s.close();
    expect(version(path, driver)).toBe(SCHEMA_VERSION);
    if (passphrase) {
      // Marking an old credential for payments by hand is caught: the column is bound to the sealed key.
      alter(path, driver, "UPDATE credentials SET third_party_payment = 1 WHERE id = x'010101'");
    }
    const t = new SqliteStore(path, { driver, passphrase });
    expect(t.get(cred(3).id)!.thirdPartyPayment).toBe(true);
    expect(t.get(cred(2).id)!.thirdPartyPayment).toBe(false);
    if (passphrase) expect(() => t.get(cred(1).id)).toThrow(/altered file\?/);
    t.close();
  });

  it.skipIf(skip).each([undefined, 'pw'])('brings a version-5 file to version 6: no backup flags, keys intact, the new columns bound (passphrase %s)', (passphrase) => {
    const path = join(dir, 'k.sqlite');
    writeV5(path, driver, passphrase);
    const s = new SqliteStore(path, { driver, passphrase });
    expect(s.list().map((c) => [c.id[0], c.backupEligibility, c.backupState, c.signCount, c.privateKey[0], c.rpName])).toEqual([[2, false, false, 5, 2, 'Example'], [1, false, false, 5, 1, 'Example']]);
    s.put({ ...s.get(cred(2).id)!, backupEligibility: true, backupState: true });
    s.close();
    expect(version(path, driver)).toBe(SCHEMA_VERSION);
    if (passphrase) {
      // Backing up an old credential by hand is caught: the columns are bound to the sealed key.
      alter(path, driver, "UPDATE credentials SET backup_eligibility = 1 WHERE id = x'010101'");
    }
    const t = new SqliteStore(path, { driver, passphrase });
    expect(t.get(cred(2).id)).toMatchObject({ backupEligibility: true, backupState: true, signCount: 5 });
    if (passphrase) expect(() => t.get(cred(1).id)).toThrow(/altered file\?/);
    else expect(t.get(cred(1).id)).toMatchObject({ backupEligibility: false, backupState: false });
    t.close();
  });

  it.skipIf(skip)('refuses a newer version than it reads, unchanged', () => {
    const path = join(dir, 'k.sqlite');
    writeV1(path, driver);
    const db = raw(path, driver);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = snapshot(path);
    expect(() => new SqliteStore(path, { driver })).toThrow(new RegExp(`newer ctap-emu \\(keystore version ${SCHEMA_VERSION + 1}, this one reads ${SCHEMA_VERSION}\\)`));
    expect(snapshot(path)).toEqual(before);
  });
});
