// The default persistent store: one SQLite file (WAL), one small transaction per change, through
// node:sqlite or better-sqlite3 (driver.ts). Bad files are refused before anything is written.
import { realpathSync } from 'node:fs';
import { chooseDriver, openDatabase, sqliteCode, type Database, type DriverName, type Row, type SqlValue, type Statement } from './driver.js';
import { newKdfParams, Sealer } from './encryption.js';
import { errnoCode, firstLine, KeystoreError } from './errors.js';
import { APPLICATION_ID, createWhole, inspectPath, messages, removeCreated } from './file.js';
import { boundContext, COLUMNS, fromRow, migrate, SCHEMA, SCHEMA_VERSION, SUMMARY_COLUMNS, summaryFromValues, toRow } from './schema.js';
import { summaryOf } from './summary.js';
import { compareText } from './textOrder.js';
import { countAfter, ReservedCounters } from './reservedCounters.js';
import { FACTORY_META_PREFIX, type CredentialStore, type CredentialSummary, type ListPage, type RpFilter, type RpPage, type RpSummary, type StoredCredential } from './types.js';

export { KeystoreError } from './errors.js';
export { SCHEMA_VERSION } from './schema.js';
export type { DriverName } from './driver.js';

export interface SqliteStoreOptions {
  /** Open an existing keystore only; never create one. */
  mustExist?: boolean;
  /** Seal private keys and device secrets with a key derived from this (set when the store is created). */
  passphrase?: string;
  /** Force a driver (tests); default node:sqlite where the runtime has it, else better-sqlite3. */
  driver?: DriverName;
}

/** Real paths of the keystores open in this process: the OS lock does not stop a second open from the same process. */
const openPaths = new Set<string>();

/** Any error on the way in or out, as one line. */
function keystoreError(e: unknown, path: string): KeystoreError {
  if (e instanceof KeystoreError) return e;
  switch (sqliteCode(e)) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new KeystoreError(messages.inUse(path));
    case 'SQLITE_NOTADB':
      return new KeystoreError(messages.notSqlite(path));
    case 'SQLITE_CORRUPT':
      return new KeystoreError(messages.damaged(path, firstLine(e)));
    case 'SQLITE_READONLY':
      return new KeystoreError(messages.readOnly(path, firstLine(e)));
    case 'SQLITE_FULL':
      return new KeystoreError(`keystore ${path}: the disk is full`);
    case 'SQLITE_IOERR': // a write past the end of the disk or of RLIMIT_FSIZE comes as EFBIG/ENOSPC mid-write
      return new KeystoreError(`keystore ${path}: disk I/O error (a full disk, a file size limit, or a failing disk)`);
    default:
      return new KeystoreError(`keystore ${path}: ${errnoCode(e) ?? firstLine(e)}`);
  }
}

const NOT_BYTES = 'a key is not a byte string';

type Statements = Record<
  | 'getMeta' | 'setMeta' | 'deleteSameUser' | 'insert' | 'get' | 'countByRp' | 'levels' | 'firstPage' | 'nextPage'
  | 'firstOfLevel' | 'nextOfLevel' | 'firstUpTo' | 'nextUpTo' | 'byUser' | 'firstRps'
  | 'nextRps' | 'rpCount' | 'rpName' | 'all' | 'count' | 'delete' | 'setCount' | 'getCount' | 'changes'
  | 'listFirst' | 'listOfRp' | 'listInRpAfter' | 'listRpsAfter',
  Statement
>;

/** The page cache, in KiB when negative (PRAGMA cache_size). */
export const CACHE_SIZE = -2000;

/** Every level, as SQLite compares it (no bound is larger than any credProtect stored). */
const ANY_LEVEL = Number.MAX_SAFE_INTEGER;

export class SqliteStore implements CredentialStore {
  readonly driver: DriverName;
  private readonly db: Database;
  private readonly stmt: Statements;
  private readonly sealer: Sealer | undefined;
  private readonly realPath: string;
  /** Counters answered ahead of the file's reservations (reservedCounters.ts). */
  private readonly counters = new ReservedCounters();
  /**
   * What this process last read or wrote: the file is held under an exclusive lock, so no one else
   * changes it. Device state is read on every command (getInfo, PIN state, the master secret) and
   * the count on every registration; neither needs a query then. Cleared by wipe and close.
   */
  private readonly metaCache = new Map<string, Uint8Array | null>();
  private countCache: number | undefined;
  /** changes(), read once and then kept with every write that moves it. */
  private changesCache: number | undefined;

  constructor(readonly path: string, options: SqliteStoreOptions = {}) {
    if (options.passphrase === '') throw new KeystoreError('the passphrase is empty');
    this.driver = chooseDriver(options.driver);
    let made: { sealer: Sealer | undefined } | undefined;
    if (inspectPath(path, options.mustExist ?? false, SCHEMA_VERSION) === 'new') {
      made = createWhole(path, (tmp) => createKeystore(tmp, this.driver, options.passphrase));
    } else if (openPaths.has(realPath(path))) {
      throw new KeystoreError(`keystore ${path} is already open in this process (close the other SqliteStore first)`);
    }
    let db: Database | undefined;
    try {
      this.realPath = realPath(path);
      db = openDatabase(path, this.driver);
      const version = checkOpened(db, path);
      this.sealer = unlock(db, path, options.passphrase, made?.sealer);
      if (version < SCHEMA_VERSION) migrate(db, version, this.sealer, path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL'); // an answered counter survives a power cut
      db.pragma('secure_delete = ON'); // a deleted key is overwritten, not left in free pages
      this.stmt = prepareStatements(db, this.sealer !== undefined);
    } catch (e) {
      try {
        db?.close();
      } catch {
        // the first error is the one to report
      }
      if (made) removeCreated(path);
      throw keystoreError(e, path);
    }
    this.db = db;
    openPaths.add(this.realPath);
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw keystoreError(e, this.path);
    }
  }

  private seal(plain: Uint8Array, context: string | Uint8Array): Uint8Array {
    return this.sealer ? this.sealer.seal(plain, context) : new Uint8Array(plain);
  }

  private damaged(why: string): never {
    throw new KeystoreError(messages.damaged(this.path, why));
  }

  /** `context` is a function for credentials: only an encrypted store needs the row's encoding. */
  private open(stored: SqlValue, context: string | (() => Uint8Array)): Uint8Array {
    const bytes = stored instanceof Uint8Array ? new Uint8Array(stored) : undefined;
    if (!this.sealer) {
      if (!bytes) return this.damaged(NOT_BYTES);
      return bytes;
    }
    const plain = bytes && this.sealer.open(bytes, typeof context === 'string' ? context : context());
    if (!plain) throw new KeystoreError(`${this.path}: a sealed value does not open (altered file?)`);
    return plain;
  }

  /** A row as a credential; in an encrypted store every column is checked against the seal and MAC. */
  private credential = (r: Row): StoredCredential => {
    const privateKey = this.open(r.private_key, () => boundContext(r));
    if (this.sealer) {
      const mac = r.count_mac instanceof Uint8Array ? r.count_mac : null;
      if (!this.sealer.checkCountMac(new Uint8Array(r.id as Uint8Array), Number(r.sign_count), mac)) {
        throw new KeystoreError(`${this.path}: a sign counter does not match its MAC (altered file?)`);
      }
    }
    const c = fromRow(r, privateKey);
    c.signCount = this.counters.current(hexId(c.id)) ?? c.signCount;
    return c;
  };

  getMeta(key: string): Uint8Array | undefined {
    let value = this.metaCache.get(key);
    if (value === undefined) {
      value = this.guard(() => {
        const r = this.stmt.getMeta.get(key);
        return r ? this.open(r.value, `meta:${key}`) : null;
      });
      this.metaCache.set(key, value);
    }
    return value === null ? undefined : new Uint8Array(value);
  }
  setMeta(key: string, value: Uint8Array): void {
    this.metaCache.delete(key);
    this.guard(() => this.stmt.setMeta.run(key, this.seal(value, `meta:${key}`)));
    this.metaCache.set(key, new Uint8Array(value));
  }
  put(c: StoredCredential): void {
    this.putMany([c]);
  }
  putMany(credentials: Iterable<StoredCredential>): void {
    const count = this.count();
    this.countCache = undefined; // until the transaction is known to have committed
    this.changesCache = undefined;
    this.guard(() => {
      let added = 0;
      const replaced = this.db.transaction(() => {
        let n = 0;
        for (const c of credentials) {
          n += this.insert(c);
          added++;
        }
        added -= n;
        return n > 0;
      });
      this.countCache = count + added;
      if (replaced) this.scrubWal();
    });
  }
  /** One credential's row, replacing the same user's; how many rows it replaced. */
  private insert(c: StoredCredential): number {
    const row = toRow(c);
    row.private_key = this.sealer ? this.sealer.seal(c.privateKey, boundContext(row)) : new Uint8Array(c.privateKey);
    row.count_mac = this.sealer ? this.sealer.countMac(c.id, c.signCount) : null;
    this.counters.drop(hexId(c.id));
    const n = this.stmt.deleteSameUser.run(row.rp_id, row.user_id).changes;
    this.stmt.insert.run(...COLUMNS.map((k) => row[k]));
    return n;
  }
  get(id: Uint8Array): StoredCredential | undefined {
    return this.guard(() => {
      const r = this.stmt.get.get(new Uint8Array(id));
      return r && this.credential(r);
    });
  }
  countByRp(rpId: string, filter: RpFilter = {}): number {
    return this.guard(() => Number(this.stmt.countByRp.get(rpId, filter.maxCredProtect ?? ANY_LEVEL)!.n));
  }
  /**
   * In the RP's order from an index, whatever the filter: all levels (the filter takes every level
   * the RP has), one level (the index of that level), or, rarely, a filtered walk (some but not all
   * of several levels: no query the core makes).
   */
  pageByRp(rpId: string, page: RpPage): StoredCredential[] {
    const limit = Number.isFinite(page.limit) ? page.limit : -1;
    const after = page.after && ([page.after.createdAt, new Uint8Array(page.after.id)] as const);
    return this.guard(() => {
      const max = page.maxCredProtect ?? ANY_LEVEL;
      const levels = max === ANY_LEVEL ? [] : this.stmt.levels.all(rpId).map((r) => Number(r.cred_protect));
      const seen = levels.filter((l) => l <= max);
      let rows: Row[];
      if (seen.length === levels.length) {
        rows = after ? this.stmt.nextPage.all(rpId, ...after, limit) : this.stmt.firstPage.all(rpId, limit);
      } else if (seen.length === 1) {
        rows = after ? this.stmt.nextOfLevel.all(rpId, seen[0]!, ...after, limit) : this.stmt.firstOfLevel.all(rpId, seen[0]!, limit);
      } else if (seen.length === 0) {
        rows = [];
      } else {
        rows = after ? this.stmt.nextUpTo.all(rpId, max, ...after, limit) : this.stmt.firstUpTo.all(rpId, max, limit);
      }
      return rows.map(this.credential);
    });
  }
  findByUser(rpId: string, userId: Uint8Array): StoredCredential | undefined {
    return this.guard(() => {
      const r = this.stmt.byUser.get(rpId, new Uint8Array(userId));
      return r && this.credential(r);
    });
  }
  rps(after: string | undefined, limit: number): RpSummary[] {
    const n = Number.isFinite(limit) ? limit : -1;
    return this.guard(() => (after === undefined ? this.stmt.firstRps.all(n) : this.stmt.nextRps.all(after, n))
      .map((r) => ({ rpId: String(r.rp_id), credentials: Number(r.n) })));
  }
  rpCount(): number {
    return this.guard(() => Number(this.stmt.rpCount.get()!.n));
  }
  /** From the row it was stored with, checked against its seal like any credential read. */
  rpName(rpId: string): string | undefined {
    return this.guard(() => {
      const r = this.stmt.rpName.get(rpId);
      return r && this.credential(r).rpName;
    });
  }
  list(): StoredCredential[] {
    return this.guard(() => this.stmt.all.all().map(this.credential));
  }
  /**
   * From the RP-order index: at most two queries a page (the rest of the RP it starts in, then the
   * RPs after it). A plain store reads no secret column; an encrypted one reads whole rows, so every
   * row is still checked against its seal.
   */
  summaries(page: ListPage): CredentialSummary[] {
    const limit = Number.isFinite(page.limit) ? page.limit : -1;
    const a = page.after && ([page.after.rpId, page.after.createdAt, new Uint8Array(page.after.id)] as const);
    /** The page's rows, read by `read` (as objects, or as values). */
    const pageOf = <T>(read: (s: Statement, ...p: SqlValue[]) => T[]): T[] => {
      if (page.rpId !== undefined) {
        const order = a ? compareText(a[0], page.rpId) : -1;
        return order < 0 ? read(this.stmt.listOfRp, page.rpId, limit) : order === 0 ? read(this.stmt.listInRpAfter, ...a!, limit) : [];
      }
      if (!a) return read(this.stmt.listFirst, limit);
      const rows = read(this.stmt.listInRpAfter, ...a, limit);
      return limit >= 0 && rows.length >= limit ? rows : rows.concat(read(this.stmt.listRpsAfter, a[0], limit < 0 ? -1 : limit - rows.length));
    };
    return this.guard(() => {
      // An encrypted store reads whole rows, each checked against its seal; a plain one, values.
      const summaries = this.sealer
        ? pageOf((s, ...p) => s.all(...p)).map((r) => summaryOf(this.credential(r)))
        : pageOf((s, ...p) => s.values(...p)).map((v) => summaryFromValues(v) ?? this.damaged(NOT_BYTES));
      if (this.counters.size > 0) for (const c of summaries) c.signCount = this.counters.current(hexId(c.id)) ?? c.signCount;
      return summaries;
    });
  }
  count(): number {
    this.countCache ??= this.guard(() => Number(this.stmt.count.get()!.n));
    return this.countCache;
  }
  changes(): number {
    this.changesCache ??= this.guard(() => Number(this.stmt.changes.get()!.n));
    return this.changesCache;
  }
  delete(id: Uint8Array): boolean {
    return this.guard(() => {
      this.counters.drop(hexId(id));
      const gone = this.stmt.delete.run(new Uint8Array(id)).changes > 0;
      if (gone && this.countCache !== undefined) this.countCache--;
      if (gone) this.changesCache = undefined;
      if (gone) this.scrubWal();
      return gone;
    });
  }
  /** In memory up to the reservation in the file; past it, a new reservation is written first. */
  setSignCount(id: Uint8Array, signCount: number): void {
    this.counters.advance(hexId(id), signCount, (reserved) => this.writeCount(id, reserved));
  }
  nextSignCount(id: Uint8Array): number | undefined {
    const key = hexId(id);
    let last = this.counters.current(key);
    if (last === undefined) {
      const r = this.guard(() => this.stmt.getCount.get(new Uint8Array(id)));
      if (!r) return undefined;
      last = Number(r.sign_count);
      if (this.sealer && !this.sealer.checkCountMac(new Uint8Array(id), last, r.count_mac instanceof Uint8Array ? r.count_mac : null)) {
        throw new KeystoreError(`${this.path}: a sign counter does not match its MAC (altered file?)`);
      }
    }
    const next = countAfter(last);
    let stored = true;
    this.counters.advance(key, next, (reserved) => (stored = this.writeCount(id, reserved)));
    return stored ? next : undefined;
  }
  private writeCount(id: Uint8Array, value: number): boolean {
    const mac = this.sealer ? this.sealer.countMac(id, value) : null;
    return this.guard(() => this.stmt.setCount.run(value, mac, new Uint8Array(id)).changes > 0);
  }
  /** authenticatorReset: one transaction, then the file is rewritten so no old secret stays readable in it. */
  wipe(): void {
    this.guard(() => {
      this.counters.clear();
      this.metaCache.clear();
      this.countCache = undefined;
      this.changesCache = undefined;
      this.db.transaction(() =>
        this.db.exec(`DELETE FROM credentials; DELETE FROM rp_stats; DELETE FROM meta WHERE substr(key, 1, ${FACTORY_META_PREFIX.length}) <> '${FACTORY_META_PREFIX}';`),
      );
      this.db.exec('VACUUM');
      this.scrubWal();
    });
  }
  /** Writes back the exact counters (a clean stop skips nothing), then lets the file go. */
  close(): void {
    if (!openPaths.delete(this.realPath)) return;
    this.metaCache.clear();
    this.guard(() => {
      try {
        const exact = this.counters.drain();
        if (exact.length > 0) this.db.transaction(() => exact.forEach(([id, value]) => this.writeCount(Buffer.from(id, 'hex'), value)));
      } finally {
        // Even when the exact counters cannot be written (a full disk: the file's reservations stand,
        // above every value answered), the file and its lock are let go.
        this.db.close();
      }
    });
  }

  /** Old page versions (a deleted key among them) live on in the WAL until a checkpoint: empty it now. */
  private scrubWal(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }
}

const hexId = (id: Uint8Array): string => Buffer.from(id.buffer, id.byteOffset, id.length).toString('hex');

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch (e) {
    throw new KeystoreError(`cannot open keystore ${path}: ${errnoCode(e) ?? firstLine(e)}`);
  }
}

/** A new keystore in the (new, 0600) file `tmp`: schema, WAL, and the encryption record if asked. */
function createKeystore(tmp: string, driver: DriverName, passphrase: string | undefined): { sealer: Sealer | undefined } {
  const db = openDatabase(tmp, driver);
  try {
    db.pragma('journal_mode = WAL');
    let sealer: Sealer | undefined;
    db.transaction(() => {
      db.exec(SCHEMA);
      if (passphrase === undefined) return;
      const params = newKdfParams();
      sealer = Sealer.derive(passphrase, params);
      const record = { v: 1, kdf: 'scrypt', salt: Buffer.from(params.salt).toString('hex'), N: params.N, r: params.r, p: params.p,
        check: Buffer.from(sealer.checkValue()).toString('hex') };
      db.prepare("INSERT INTO keystore (key, value) VALUES ('encryption', ?)").run(JSON.stringify(record));
    });
    return { sealer };
  } finally {
    db.close();
  }
}

/**
 * Takes the lock, sets the cache, then checks what the header check could not: the whole file (quick_check), the
 * application ID and version as SQLite reads them, and our tables. Writes nothing. Returns the version.
 */
function checkOpened(db: Database, path: string): number {
  db.pragma('busy_timeout = 100');
  // One process at a time: the lock is the OS's, so it goes with a crashed holder.
  db.pragma('locking_mode = EXCLUSIVE');
  db.exec('BEGIN EXCLUSIVE; COMMIT;');
  // Only now, under the exclusive lock (a pragma that reads the file before it would build a shared
  // WAL index in a -shm file, a write a full disk refuses): SQLite's own default page cache (2 MiB),
  // which node:sqlite keeps and better-sqlite3 raises to 16 MiB, so memory is the same on either
  // driver and a walk of 100,000 rows (the quick_check below, a listing) does not hold 16 MiB of
  // pages the OS caches anyway; and what SQLite keeps aside (VACUUM's copy) stays off the disk.
  db.pragma(`cache_size = ${CACHE_SIZE}`);
  db.pragma('temp_store = MEMORY');
  const answer = db.prepare('PRAGMA quick_check').all().map((r) => String(Object.values(r)[0])).join('\n');
  if (answer !== 'ok') {
    const first = answer.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('***')) ?? 'no answer';
    throw new KeystoreError(messages.damaged(path, `quick_check: ${first}`));
  }
  const appId = Number(db.pragma('application_id'));
  const version = Number(db.pragma('user_version'));
  if (appId !== APPLICATION_ID) throw new KeystoreError(messages.foreign(path));
  if (version > SCHEMA_VERSION) throw new KeystoreError(messages.newer(path, version, SCHEMA_VERSION));
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('keystore', 'meta', 'credentials', 'rp_stats')").all();
  if (tables.length !== (version >= 3 ? 4 : 3) || version < 1) throw new KeystoreError(messages.damaged(path, 'tables missing'));
  return version;
}

/** The sealer for an encrypted store; checks the passphrase. */
function unlock(db: Database, path: string, passphrase: string | undefined, justMade: Sealer | undefined): Sealer | undefined {
  const row = db.prepare("SELECT value FROM keystore WHERE key = 'encryption'").get();
  if (!row) {
    if (passphrase !== undefined) throw new KeystoreError(`${path} is not encrypted; it was left unchanged (open it without a passphrase)`);
    return undefined;
  }
  if (passphrase === undefined) throw new KeystoreError(`${path} is encrypted: give its passphrase (--passphrase or CTAP_EMU_PASSPHRASE)`);
  if (justMade) return justMade;
  let r: { salt: string; N: number; r: number; p: number; check: string };
  try {
    r = JSON.parse(String(row.value)) as typeof r;
  } catch {
    throw new KeystoreError(messages.damaged(path, 'the encryption record does not parse'));
  }
  const sealer = Sealer.derive(passphrase, { salt: Buffer.from(r.salt, 'hex'), N: r.N, r: r.r, p: r.p });
  if (!sealer.verify(Buffer.from(r.check, 'hex'))) throw new KeystoreError(`wrong passphrase for ${path}`);
  return sealer;
}

/** The queries of summaries(), each in the RP-order index's order (a test reads their query plans). */
export function listingSql(columns: string) {
  return {
    listFirst: `SELECT ${columns} FROM credentials ORDER BY rp_id, created_at DESC, id DESC LIMIT ?`,
    listOfRp: `SELECT ${columns} FROM credentials WHERE rp_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
    listInRpAfter: `SELECT ${columns} FROM credentials WHERE rp_id = ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?`,
    listRpsAfter: `SELECT ${columns} FROM credentials WHERE rp_id > ? ORDER BY rp_id, created_at DESC, id DESC LIMIT ?`,
  };
}

/** `sealed`: an encrypted store, whose listing reads whole rows to check them. */
function prepareStatements(db: Database, sealed: boolean): Statements {
  const listed = sealed ? '*' : SUMMARY_COLUMNS;
  return {
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    deleteSameUser: db.prepare('DELETE FROM credentials WHERE rp_id = ? AND user_id = ?'),
    insert: db.prepare(`INSERT INTO credentials (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`),
    get: db.prepare('SELECT * FROM credentials WHERE id = ?'),
    countByRp: db.prepare('SELECT coalesce(sum(n), 0) AS n FROM rp_stats WHERE rp_id = ? AND cred_protect <= ?'),
    levels: db.prepare('SELECT cred_protect FROM rp_stats WHERE rp_id = ?'),
    firstPage: db.prepare('SELECT * FROM credentials WHERE rp_id = ? ORDER BY created_at DESC, id DESC LIMIT ?'),
    nextPage: db.prepare(`SELECT * FROM credentials WHERE rp_id = ? AND (created_at, id) < (?, ?)
      ORDER BY created_at DESC, id DESC LIMIT ?`),
    firstOfLevel: db.prepare('SELECT * FROM credentials WHERE rp_id = ? AND cred_protect = ? ORDER BY created_at DESC, id DESC LIMIT ?'),
    nextOfLevel: db.prepare(`SELECT * FROM credentials WHERE rp_id = ? AND cred_protect = ? AND (created_at, id) < (?, ?)
      ORDER BY created_at DESC, id DESC LIMIT ?`),
    firstUpTo: db.prepare('SELECT * FROM credentials WHERE rp_id = ? AND cred_protect <= ? ORDER BY created_at DESC, id DESC LIMIT ?'),
    nextUpTo: db.prepare(`SELECT * FROM credentials WHERE rp_id = ? AND cred_protect <= ? AND (created_at, id) < (?, ?)
      ORDER BY created_at DESC, id DESC LIMIT ?`),
    byUser: db.prepare('SELECT * FROM credentials WHERE rp_id = ? AND user_id = ?'),
    firstRps: db.prepare('SELECT rp_id, sum(n) AS n FROM rp_stats GROUP BY rp_id ORDER BY rp_id LIMIT ?'),
    nextRps: db.prepare('SELECT rp_id, sum(n) AS n FROM rp_stats WHERE rp_id > ? GROUP BY rp_id ORDER BY rp_id LIMIT ?'),
    rpCount: db.prepare('SELECT count(DISTINCT rp_id) AS n FROM rp_stats'),
    rpName: db.prepare('SELECT * FROM credentials WHERE rp_id = ? AND rp_name IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT 1'),
    all: db.prepare('SELECT * FROM credentials ORDER BY rp_id, created_at DESC, id DESC'),
    count: db.prepare('SELECT count(*) AS n FROM credentials'),
    changes: db.prepare('SELECT changes AS n FROM store_state'),
    delete: db.prepare('DELETE FROM credentials WHERE id = ?'),
    setCount: db.prepare('UPDATE credentials SET sign_count = ?, count_mac = ? WHERE id = ?'),
    getCount: db.prepare('SELECT sign_count, count_mac FROM credentials WHERE id = ?'),
    ...(Object.fromEntries(Object.entries(listingSql(listed)).map(([k, sql]) => [k, db.prepare(sql)])) as Record<keyof ReturnType<typeof listingSql>, Statement>),
  };
}
