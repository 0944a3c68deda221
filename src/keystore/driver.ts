// The two SQLite drivers behind one small interface: node:sqlite where the runtime has it (Node
// 22.13+/24), better-sqlite3 where it does not (Node 20). Both are loaded only when a file store opens.
import { createRequire } from 'node:module';
import { KeystoreError, oneLine } from './errors.js';

export type DriverName = 'node:sqlite' | 'better-sqlite3';
export const DRIVERS: readonly DriverName[] = ['node:sqlite', 'better-sqlite3'];

export type SqlValue = null | number | bigint | string | Uint8Array;
export type Row = Record<string, SqlValue>;

export interface Statement {
  run(...params: SqlValue[]): { changes: number };
  get(...params: SqlValue[]): Row | undefined;
  all(...params: SqlValue[]): Row[];
  /**
   * Every row as an array of its values in the SELECT's column order: a long listing reads 1.5-2.5x
   * faster so than as objects, which each driver builds a property at a time.
   */
  values(...params: SqlValue[]): SqlValue[][];
}

export interface Database {
  readonly driver: DriverName;
  prepare(sql: string): Statement;
  exec(sql: string): void;
  /** Runs fn in BEGIN ... COMMIT, rolled back if it throws. */
  transaction<T>(fn: () => T): T;
  /** `PRAGMA <sql>`: the first column of the first row it answers, if any. */
  pragma(sql: string): SqlValue | undefined;
  close(): void;
}

// Just what we use of each module (node:sqlite has no types in @types/node 20; better-sqlite3 is optional).
interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { open?: boolean }) => {
    prepare(sql: string): {
      run(...p: SqlValue[]): { changes: number | bigint };
      get(...p: SqlValue[]): unknown;
      all(...p: SqlValue[]): unknown[];
      /** Node 22.16+/24; before it, rows come as objects only. */
      setReturnArrays?(enabled: boolean): void;
    };
    exec(sql: string): void;
    close(): void;
  };
}
type BetterSqlite3 = new (path: string, options?: { fileMustExist?: boolean }) => {
  prepare(sql: string): { run(...p: SqlValue[]): { changes: number }; get(...p: SqlValue[]): unknown; all(...p: SqlValue[]): unknown[]; raw(on: boolean): unknown };
  exec(sql: string): void;
  pragma(sql: string, options: { simple: true }): unknown;
  transaction<T>(fn: () => T): () => T;
  close(): void;
};

const require = createRequire(import.meta.url);

/**
 * Runs `load` with the one warning Node 22 prints on loading node:sqlite ("ExperimentalWarning:
 * SQLite is an experimental feature") dropped; every other warning passes through.
 */
export function withoutSqliteWarning<T>(load: () => T): T {
  const original = process.emitWarning;
  const filtered = function (this: unknown, warning: string | Error, ...rest: unknown[]): void {
    const opt = rest[0];
    const type = typeof opt === 'string' ? opt : (opt as { type?: string } | undefined)?.type;
    const name = typeof warning === 'string' ? (type ?? 'Warning') : warning.name;
    const message = typeof warning === 'string' ? warning : warning.message;
    if (name === 'ExperimentalWarning' && /^SQLite is an experimental feature/.test(message)) return;
    (original as (...a: unknown[]) => void).call(process, warning, ...rest);
  };
  process.emitWarning = filtered as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = original;
  }
}

let nodeSqlite: NodeSqliteModule | null | undefined;
function loadNodeSqlite(): NodeSqliteModule | undefined {
  if (nodeSqlite === undefined) {
    try {
      nodeSqlite = withoutSqliteWarning(() => require('node:sqlite') as NodeSqliteModule);
    } catch {
      nodeSqlite = null; // Node 20, or 22 before 22.13 without --experimental-sqlite
    }
  }
  return nodeSqlite ?? undefined;
}

let betterSqlite3: { ctor?: BetterSqlite3; error?: string } | undefined;
function loadBetterSqlite3(): { ctor?: BetterSqlite3; error?: string } {
  if (betterSqlite3 === undefined) {
    try {
      const ctor = require('better-sqlite3') as BetterSqlite3;
      new ctor(':memory:').close(); // the native part loads here, not at require
      betterSqlite3 = { ctor };
    } catch (e) {
      const code = (e as { code?: string }).code;
      betterSqlite3 = code === 'MODULE_NOT_FOUND'
        ? { error: 'better-sqlite3 is not installed' }
        : { error: `better-sqlite3 does not load (${oneLine(e)})` };
    }
  }
  return betterSqlite3;
}

/** Why this driver cannot be used here, or undefined when it can. */
export function driverUnavailable(name: DriverName): string | undefined {
  if (name === 'node:sqlite') return loadNodeSqlite() ? undefined : `Node.js ${process.version} has no node:sqlite (it needs 22.13 or newer)`;
  return loadBetterSqlite3().error;
}

/** The driver to use: the one asked for (option, or CTAP_EMU_SQLITE_DRIVER), else node:sqlite if present. */
export function chooseDriver(wanted: DriverName | undefined = envDriver(), unavailable = driverUnavailable): DriverName {
  if (wanted !== undefined) {
    const why = unavailable(wanted);
    if (why) throw new KeystoreError(`the SQLite driver ${wanted} cannot be used: ${why}`);
    return wanted;
  }
  if (!unavailable('node:sqlite')) return 'node:sqlite';
  const why = unavailable('better-sqlite3');
  if (why) {
    throw new KeystoreError(
      `a keystore file needs SQLite: Node.js ${process.version} has no node:sqlite and ${why}; ` +
        'run `npm install better-sqlite3` (or `npm rebuild better-sqlite3`), or use Node.js 22.13 or newer',
    );
  }
  return 'better-sqlite3';
}

function envDriver(): DriverName | undefined {
  const v = process.env.CTAP_EMU_SQLITE_DRIVER;
  if (!v) return undefined;
  if (!(DRIVERS as readonly string[]).includes(v)) throw new KeystoreError(`CTAP_EMU_SQLITE_DRIVER must be one of ${DRIVERS.join(', ')}, not "${v}"`);
  return v as DriverName;
}

/** Opens an existing file (the caller creates it, with the mode it wants). */
export function openDatabase(path: string, driver: DriverName): Database {
  return driver === 'node:sqlite' ? openNodeSqlite(path) : openBetterSqlite3(path);
}

function openNodeSqlite(path: string): Database {
  const db = new (loadNodeSqlite()!.DatabaseSync)(path);
  let open = true;
  const self: Database = {
    driver: 'node:sqlite',
    prepare(sql) {
      const s = db.prepare(sql);
      // A twin that answers arrays, made on first use (the setting is the statement's).
      let arrays: typeof s | undefined;
      return {
        run: (...p) => ({ changes: Number(s.run(...p).changes) }),
        get: (...p) => s.get(...p) as Row | undefined,
        all: (...p) => s.all(...p) as Row[],
        values: (...p) => {
          if (!s.setReturnArrays) return (s.all(...p) as Row[]).map((r) => Object.values(r));
          if (!arrays) {
            arrays = db.prepare(sql);
            arrays.setReturnArrays!(true);
          }
          return arrays.all(...p) as SqlValue[][];
        },
      };
    },
    exec: (sql) => db.exec(sql),
    transaction(fn) {
      db.exec('BEGIN');
      try {
        const r = fn();
        db.exec('COMMIT');
        return r;
      } catch (e) {
        try {
          db.exec('ROLLBACK');
        } catch {
          // SQLite already rolled back (some errors do): nothing to undo
        }
        throw e;
      }
    },
    pragma(sql) {
      const row = db.prepare(`PRAGMA ${sql}`).get() as Row | undefined;
      return row ? Object.values(row)[0] : undefined;
    },
    close() {
      if (open) db.close();
      open = false;
    },
  };
  return self;
}

function openBetterSqlite3(path: string): Database {
  const db = new (loadBetterSqlite3().ctor!)(path, { fileMustExist: true });
  let open = true;
  return {
    driver: 'better-sqlite3',
    prepare(sql) {
      const s = db.prepare(sql);
      // A twin in raw mode, made on first use (raw() is the statement's setting).
      let raw: typeof s | undefined;
      return {
        run: (...p) => ({ changes: s.run(...p).changes }),
        get: (...p) => s.get(...p) as Row | undefined,
        all: (...p) => s.all(...p) as Row[],
        values: (...p) => {
          if (!raw) {
            raw = db.prepare(sql);
            raw.raw(true);
          }
          return raw.all(...p) as SqlValue[][];
        },
      };
    },
    exec: (sql) => void db.exec(sql),
    transaction: (fn) => db.transaction(fn)(),
    pragma: (sql) => db.pragma(sql, { simple: true }) as SqlValue | undefined,
    close() {
      if (open) db.close();
      open = false;
    },
  };
}

const PRIMARY_CODES: Record<number, string> = {
  5: 'SQLITE_BUSY', 6: 'SQLITE_LOCKED', 8: 'SQLITE_READONLY', 10: 'SQLITE_IOERR', 11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL', 14: 'SQLITE_CANTOPEN', 23: 'SQLITE_AUTH', 26: 'SQLITE_NOTADB',
};

/** The primary SQLite result code of an error from either driver ("SQLITE_BUSY"...), if it is one. */
export function sqliteCode(e: unknown): string | undefined {
  const err = e as { code?: unknown; errcode?: unknown } | null;
  if (typeof err?.code === 'string' && err.code.startsWith('SQLITE_')) return /^SQLITE_[A-Z]+/.exec(err.code)![0];
  if (err?.code === 'ERR_SQLITE_ERROR' && typeof err.errcode === 'number') return PRIMARY_CODES[err.errcode & 0xff] ?? 'SQLITE_ERROR';
  return undefined;
}
