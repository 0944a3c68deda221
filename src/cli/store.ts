// Finding and opening the keystore a CLI command works on.
import { KeystoreError, SqliteStore } from '../keystore/sqlite.js';
import { CliError } from './errors.js';
import { defaultStorePath } from './paths.js';

export interface StoreOptions {
  store?: string;
  /** Filled from --passphrase, --passphrase-file or $CTAP_EMU_PASSPHRASE (see options.ts). */
  passphrase?: string;
}

export function storePath(o: StoreOptions): string {
  return o.store ?? defaultStorePath();
}

export function passphrase(o: StoreOptions): string | undefined {
  return o.passphrase ?? (process.env.CTAP_EMU_PASSPHRASE || undefined);
}

/** Runs `fn` on an existing keystore, closing it after; keystore problems become one clear line. */
export async function withStore<T>(o: StoreOptions, fn: (store: SqliteStore) => T | Promise<T>): Promise<T> {
  let store: SqliteStore;
  try {
    store = new SqliteStore(storePath(o), { mustExist: true, passphrase: passphrase(o) });
  } catch (e) {
    if (e instanceof KeystoreError && /^no keystore/.test(e.message)) {
      throw new CliError(`${e.message} (\`ctap-emu serve\` creates one; or name one with --store)`);
    }
    if (e instanceof KeystoreError) throw new CliError(e.message);
    throw e;
  }
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}
