// The default persistent store: one SQLite file (WAL), one small transaction per change.
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { newKdfParams, Sealer } from './encryption.js';
import type { CredentialStore, StoredCredential } from './types.js';

/** PRAGMA application_id: "CTAP", so a foreign SQLite file is recognised and left alone. */
const APPLICATION_ID = 0x43544150;
export const SCHEMA_VERSION = 1;

export class KeystoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeystoreError';
  }
}

const SCHEMA = `
CREATE TABLE keystore (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE credentials (
  id BLOB PRIMARY KEY,
  rp_id TEXT NOT NULL,
  rp_name TEXT,
  user_id BLOB NOT NULL,
  user_name TEXT,
  user_display_name TEXT,
  alg INTEGER NOT NULL,
  private_key BLOB NOT NULL,
  cred_protect INTEGER NOT NULL,
  cred_blob BLOB,
  large_blob_key BLOB,
  cred_random BLOB,
  created_at INTEGER NOT NULL,
  sign_count INTEGER NOT NULL,
  UNIQUE (rp_id, user_id)
);
CREATE INDEX credentials_by_rp ON credentials (rp_id, created_at DESC);
`;

interface Row {
  id: Buffer;
  rp_id: string;
  rp_name: string | null;
  user_id: Buffer;
  user_name: string | null;
  user_display_name: string | null;
  alg: number;
  private_key: Buffer;
  cred_protect: number;
  cred_blob: Buffer | null;
  large_blob_key: Buffer | null;
  cred_random: Buffer | null;
  created_at: number;
  sign_count: number;
}

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b);
const opt = <T, R>(v: T | null, f: (x: T) => R): R | undefined => (v === null ? undefined : f(v));

function fromRow(r: Row, privateKey: Uint8Array): StoredCredential {
  return {
    id: u8(r.id),
    rpId: r.rp_id,
    rpName: r.rp_name ?? undefined,
    userId: u8(r.user_id),
    userName: r.user_name ?? undefined,
    userDisplayName: r.user_display_name ?? undefined,
    alg: r.alg,
    privateKey,
    credProtect: r.cred_protect,
    credBlob: opt(r.cred_blob, u8),
    largeBlobKey: opt(r.large_blob_key, u8),
    credRandom: opt(r.cred_random, u8),
    createdAt: r.created_at,
    signCount: r.sign_count,
  };
}

const SQLITE_MAGIC = 'SQLite format 3\0';

function checkHeader(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new KeystoreError(`cannot read keystore ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const head = Buffer.alloc(16);
    const n = readSync(fd, head, 0, 16, 0);
    if (n > 0 && (n < 16 || head.toString('latin1') !== SQLITE_MAGIC)) {
      throw new KeystoreError(`${path} is not a ctap-emu keystore (not an SQLite file); it was left unchanged`);
    }
  } finally {
    closeSync(fd);
  }
}

export interface SqliteStoreOptions {
  /** Open an existing keystore only; never create one. */
  mustExist?: boolean;
  /** Seal private keys and device secrets with a key derived from this (set when the store is created). */
  passphrase?: string;
}

function isBusy(e: unknown): boolean {
  return (e as { code?: string }).code === 'SQLITE_BUSY';
}

export class SqliteStore implements CredentialStore {
  private readonly db: Database.Database;
  private readonly stmt;
  private sealer: Sealer | undefined;

  constructor(readonly path: string, options: SqliteStoreOptions = {}) {
    const exists = existsSync(path);
    if (!exists && options.mustExist) throw new KeystoreError(`no keystore at ${path}`);
    if (exists) checkHeader(path);
    else closeSync(openSync(path, 'wx', 0o600)); // created 0600 before SQLite touches it
    try {
      this.db = new Database(path, { fileMustExist: true, timeout: 100 });
    } catch (e) {
      throw new KeystoreError(`cannot open keystore ${path}: ${(e as Error).message}`);
    }
    try {
      // One process at a time: the lock is the OS's, so it goes with a crashed holder.
      this.db.pragma('locking_mode = EXCLUSIVE');
      const created = this.prepareSchema();
      this.db.exec('BEGIN EXCLUSIVE; COMMIT;');
      this.sealer = this.unlock(options.passphrase, created);
    } catch (e) {
      this.db.close();
      if (isBusy(e)) throw new KeystoreError(`keystore ${path} is in use by another process (a running ctap-emu serve?)`);
      throw e;
    }
    this.stmt = {
      getMeta: this.db.prepare<[string], { value: Buffer }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      deleteSameUser: this.db.prepare('DELETE FROM credentials WHERE rp_id = ? AND user_id = ?'),
      insert: this.db.prepare(`INSERT INTO credentials VALUES
        (@id, @rp_id, @rp_name, @user_id, @user_name, @user_display_name, @alg, @private_key,
         @cred_protect, @cred_blob, @large_blob_key, @cred_random, @created_at, @sign_count)`),
      get: this.db.prepare<[Buffer], Row>('SELECT * FROM credentials WHERE id = ?'),
      byRp: this.db.prepare<[string], Row>('SELECT * FROM credentials WHERE rp_id = ? ORDER BY created_at DESC, rowid DESC'),
      all: this.db.prepare<[], Row>('SELECT * FROM credentials ORDER BY rp_id, created_at DESC, rowid DESC'),
      count: this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM credentials'),
      delete: this.db.prepare('DELETE FROM credentials WHERE id = ?'),
      setCount: this.db.prepare('UPDATE credentials SET sign_count = ? WHERE id = ?'),
    };
  }

  /** The sealer for an encrypted store; checks the passphrase, never writes unless just created. */
  private unlock(passphrase: string | undefined, created: boolean): Sealer | undefined {
    const row = this.db.prepare<[], { value: string }>("SELECT value FROM keystore WHERE key = 'encryption'").get();
    if (!row) {
      if (passphrase === undefined) return undefined;
      if (!created) throw new KeystoreError(`${this.path} is not encrypted; it was left unchanged (open it without a passphrase)`);
      const params = newKdfParams();
      const sealer = Sealer.derive(passphrase, params);
      const record = { v: 1, kdf: 'scrypt', salt: Buffer.from(params.salt).toString('hex'), N: params.N, r: params.r, p: params.p,
        check: Buffer.from(sealer.checkValue()).toString('hex') };
      this.db.prepare("INSERT INTO keystore (key, value) VALUES ('encryption', ?)").run(JSON.stringify(record));
      return sealer;
    }
    if (passphrase === undefined) throw new KeystoreError(`${this.path} is encrypted: give its passphrase (--passphrase or CTAP_EMU_PASSPHRASE)`);
    const r = JSON.parse(row.value) as { salt: string; N: number; r: number; p: number; check: string };
    const sealer = Sealer.derive(passphrase, { salt: Buffer.from(r.salt, 'hex'), N: r.N, r: r.r, p: r.p });
    if (!sealer.verify(Buffer.from(r.check, 'hex'))) throw new KeystoreError(`wrong passphrase for ${this.path}`);
    return sealer;
  }

  private seal(plain: Uint8Array, context: string): Buffer {
    return Buffer.from(this.sealer ? this.sealer.seal(plain, context) : plain);
  }

  private open(stored: Buffer, context: string): Uint8Array {
    if (!this.sealer) return u8(stored);
    const plain = this.sealer.open(stored, context);
    if (!plain) throw new KeystoreError(`${this.path}: a sealed value does not open (altered file?)`);
    return plain;
  }

  private fromRow = (r: Row): StoredCredential => fromRow(r, this.open(r.private_key, `credential:${r.id.toString('hex')}`));

  /** Checks the file is ours and of a version we read; creates the schema in a new file (returns true). */
  private prepareSchema(): boolean {
    const appId = this.db.pragma('application_id', { simple: true }) as number;
    const version = this.db.pragma('user_version', { simple: true }) as number;
    const tables = this.db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number };
    let created = false;
    if (appId === 0 && version === 0 && tables.n === 0) {
      // A new file, or an empty one (a crash right after creation): make the keystore.
      this.db.pragma('journal_mode = WAL');
      this.db.transaction(() => {
        this.db.exec(SCHEMA);
        this.db.pragma(`application_id = ${APPLICATION_ID}`);
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })();
      created = true;
    } else if (appId !== APPLICATION_ID) {
      throw new KeystoreError(`${this.path} is an SQLite file but not a ctap-emu keystore; it was left unchanged`);
    } else if (version > SCHEMA_VERSION) {
      throw new KeystoreError(
        `${this.path} was written by a newer ctap-emu (keystore version ${version}, this one reads ${SCHEMA_VERSION})`,
      );
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL'); // an answered counter survives a power cut
    return created;
  }

  getMeta(key: string): Uint8Array | undefined {
    const r = this.stmt.getMeta.get(key);
    return r && this.open(r.value, `meta:${key}`);
  }
  setMeta(key: string, value: Uint8Array): void {
    this.stmt.setMeta.run(key, this.seal(value, `meta:${key}`));
  }
  put(c: StoredCredential): void {
    const buf = (b: Uint8Array | undefined): Buffer | null => (b ? Buffer.from(b) : null);
    this.db.transaction(() => {
      this.stmt.deleteSameUser.run(c.rpId, Buffer.from(c.userId));
      this.stmt.insert.run({
        id: Buffer.from(c.id),
        rp_id: c.rpId,
        rp_name: c.rpName ?? null,
        user_id: Buffer.from(c.userId),
        user_name: c.userName ?? null,
        user_display_name: c.userDisplayName ?? null,
        alg: c.alg,
        private_key: this.seal(c.privateKey, `credential:${Buffer.from(c.id).toString('hex')}`),
        cred_protect: c.credProtect,
        cred_blob: buf(c.credBlob),
        large_blob_key: buf(c.largeBlobKey),
        cred_random: buf(c.credRandom),
        created_at: c.createdAt,
        sign_count: c.signCount,
      });
    })();
  }
  get(id: Uint8Array): StoredCredential | undefined {
    const r = this.stmt.get.get(Buffer.from(id));
    return r && this.fromRow(r);
  }
  listByRp(rpId: string): StoredCredential[] {
    return this.stmt.byRp.all(rpId).map(this.fromRow);
  }
  list(): StoredCredential[] {
    return this.stmt.all.all().map(this.fromRow);
  }
  count(): number {
    return this.stmt.count.get()!.n;
  }
  delete(id: Uint8Array): boolean {
    return this.stmt.delete.run(Buffer.from(id)).changes > 0;
  }
  setSignCount(id: Uint8Array, signCount: number): void {
    this.stmt.setCount.run(signCount, Buffer.from(id));
  }
  wipe(): void {
    this.db.transaction(() => {
      this.db.exec('DELETE FROM credentials; DELETE FROM meta;');
    })();
  }
  close(): void {
    if (this.db.open) this.db.close();
  }
}
