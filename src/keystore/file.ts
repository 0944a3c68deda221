// Before SQLite sees a path: refuse, in one line and touching nothing, what is not a keystore or
// cannot become one; and create new keystores whole, so a crash never leaves half of one behind.
import { randomBytes } from 'node:crypto';
import {
  accessSync, closeSync, constants, copyFileSync, linkSync, lstatSync, openSync, readSync, rmSync, statSync, type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errnoCode, firstLine, KeystoreError } from './errors.js';

/** PRAGMA application_id: "CTAP", so a foreign SQLite file is recognised and left alone. */
export const APPLICATION_ID = 0x43544150;
const SQLITE_MAGIC = 'SQLite format 3\0';

export const messages = {
  notSqlite: (p: string) => `${p} is not a ctap-emu keystore (not an SQLite file); it was left unchanged`,
  foreign: (p: string) => `${p} is an SQLite file but not a ctap-emu keystore; it was left unchanged`,
  damaged: (p: string, why: string) => `keystore ${p} is damaged (${why}); it was left unchanged`,
  newer: (p: string, v: number, ours: number) => `${p} was written by a newer ctap-emu (keystore version ${v}, this one reads ${ours})`,
  readOnly: (p: string, why: string) => `keystore ${p} is read-only (${why}); it was left unchanged`,
  inUse: (p: string) => `keystore ${p} is in use by another process (a running ctap-emu serve?)`,
};

function fsFailure(what: string, path: string, e: unknown): KeystoreError {
  const code = errnoCode(e);
  if (code === 'EACCES' || code === 'EPERM') return new KeystoreError(`${what} ${path}: permission denied`);
  if (code === 'ENOTDIR') return new KeystoreError(`${what} ${path}: a directory on its path is a file`);
  if (code === 'ELOOP') return new KeystoreError(`${what} ${path}: too many symbolic links`);
  return new KeystoreError(`${what} ${path}: ${code ?? firstLine(e)}`);
}

/**
 * 'new' when nothing is at `path` and a keystore may be created there; 'existing' for a writable
 * file whose header says it is a keystore of a version we read. Everything else is refused.
 */
export function inspectPath(path: string, mustExist: boolean, newestVersion: number): 'new' | 'existing' {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw fsFailure('cannot open keystore', path, e);
    if (mustExist) throw new KeystoreError(`no keystore at ${path}`);
    checkCanCreate(path);
    return 'new';
  }
  if (st.isDirectory()) throw new KeystoreError(`${path} is a directory, not a ctap-emu keystore`);
  if (!st.isFile()) throw new KeystoreError(`${path} is not a regular file, not a ctap-emu keystore; it was left unchanged`);
  if (st.size === 0) throw new KeystoreError(`${path} is empty, not a ctap-emu keystore; it was left unchanged`);
  checkHeader(path, st.size, newestVersion);
  checkWritable(path);
  return 'existing';
}

function checkCanCreate(path: string): void {
  try {
    lstatSync(path);
    throw new KeystoreError(`${path} is a symbolic link to nothing; it was left unchanged`);
  } catch (e) {
    if (e instanceof KeystoreError) throw e;
  }
  const dir = dirname(path);
  let st: Stats;
  try {
    st = statSync(dir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') throw new KeystoreError(`cannot create keystore ${path}: directory ${dir} does not exist`);
    throw fsFailure('cannot create keystore', path, e);
  }
  if (!st.isDirectory()) throw new KeystoreError(`cannot create keystore ${path}: ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new KeystoreError(`cannot create keystore ${path}: directory ${dir} is read-only (${errnoCode(e) ?? firstLine(e)})`);
  }
}

/** Reads the 100-byte SQLite header: ours (application_id), a version we read, and not cut short. */
function checkHeader(path: string, size: number, newestVersion: number): void {
  const head = Buffer.alloc(100);
  let n: number;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    n = readSync(fd, head, 0, 100, 0);
  } catch (e) {
    throw fsFailure('cannot read keystore', path, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (n < 16 || head.toString('latin1', 0, 16) !== SQLITE_MAGIC) throw new KeystoreError(messages.notSqlite(path));
  if (n < 100) throw new KeystoreError(messages.damaged(path, 'truncated'));
  if (head.readUInt32BE(68) !== APPLICATION_ID) throw new KeystoreError(messages.foreign(path));
  const version = head.readInt32BE(60);
  if (version > newestVersion) throw new KeystoreError(messages.newer(path, version, newestVersion));
  const rawPageSize = head.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw new KeystoreError(messages.damaged(path, 'bad header'));
  // The page count in the header is valid when "version-valid-for" matches the change counter.
  const pages = head.readUInt32BE(92) === head.readUInt32BE(24) ? head.readUInt32BE(28) : 0;
  if (size % pageSize !== 0 || (pages * pageSize > size && !hasWal(path))) throw new KeystoreError(messages.damaged(path, 'truncated'));
}

function hasWal(path: string): boolean {
  try {
    return statSync(`${path}-wal`).size > 0;
  } catch {
    return false;
  }
}

function checkWritable(path: string): void {
  for (const [p, what] of [[path, 'the file'], [dirname(path), 'its directory, where SQLite keeps the -wal file']] as const) {
    try {
      accessSync(p, constants.W_OK);
    } catch (e) {
      const code = errnoCode(e);
      throw new KeystoreError(messages.readOnly(path, `${what} cannot be written${code ? `: ${code}` : ''}`));
    }
  }
}

const sidecars = (p: string): string[] => [p, `${p}-wal`, `${p}-shm`, `${p}-journal`];

/**
 * Makes a keystore at `path` that did not exist: built by `build` in a 0600 file beside it, then
 * linked into place (never over a file that appeared meanwhile). Nothing is left behind on failure.
 */
export function createWhole<T>(path: string, build: (tmp: string) => T): T {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.new`);
  try {
    try {
      closeSync(openSync(tmp, 'wx', 0o600));
    } catch (e) {
      throw fsFailure('cannot create keystore', path, e);
    }
    const result = build(tmp);
    try {
      linkSync(tmp, path);
    } catch (e) {
      if (errnoCode(e) === 'EEXIST') throw new KeystoreError(`${path} appeared while the keystore was being made; it was left unchanged`);
      // A file system without hard links: copy, still refusing to replace anything.
      try {
        copyFileSync(tmp, path, constants.COPYFILE_EXCL);
      } catch (e2) {
        if (errnoCode(e2) === 'EEXIST') throw new KeystoreError(`${path} appeared while the keystore was being made; it was left unchanged`);
        throw fsFailure('cannot create keystore', path, e2);
      }
    }
    return result;
  } finally {
    for (const f of sidecars(tmp)) rmSync(f, { force: true });
  }
}

/** Removes a keystore this process just created and then failed to open. */
export function removeCreated(path: string): void {
  for (const f of sidecars(path)) {
    try {
      rmSync(f, { force: true });
    } catch {
      // nothing more to do: the error that brought us here is the one to report
    }
  }
}
