// The keystore's tables, how a credential maps to a row (and what its sealed key is bound to), and
// the in-place migration of older files.
import type { Database, Row, SqlValue } from './driver.js';
import { encodeFields, type Sealer } from './encryption.js';
import { KeystoreError } from './errors.js';
import { APPLICATION_ID } from './file.js';
import type { CredentialSummary, StoredCredential } from './types.js';

/**
 * 1: the first release. 2: hmac_secret (per credential) and count_mac (sign counter MAC when
 * encrypted). 3: rp_stats (credentials per RP and credProtect level, kept by triggers) and indexes in
 * the RP's order (all levels, and each level apart), so per-RP counts and pages never scan the RP.
 * 4: third_party_payment (the thirdPartyPayment extension, CTAP 2.2), bound with the sealed key.
 * 5: store_state, a count of credentials added and removed kept by triggers (getInfo's
 * encCredStoreState, CTAP 2.3, tells a host the set changed without a write of its own).
 * 6: backup_eligibility and backup_state (WebAuthn Automation's setCredentialProperties), bound
 * with the sealed key.
 */
export const SCHEMA_VERSION = 6;

/**
 * What version 3 adds. rp_stats holds counts only (no secret; an altered count misreports
 * numberOfCredentials at most, and credentials themselves are still checked when read).
 */
const RP_INDEX = `
CREATE INDEX credentials_in_rp_order ON credentials (rp_id, created_at DESC, id DESC);
CREATE INDEX credentials_in_level_order ON credentials (rp_id, cred_protect, created_at DESC, id DESC);
CREATE TABLE rp_stats (
  rp_id TEXT NOT NULL,
  cred_protect INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (rp_id, cred_protect)
) WITHOUT ROWID;
CREATE TRIGGER rp_stats_insert AFTER INSERT ON credentials BEGIN
  INSERT INTO rp_stats (rp_id, cred_protect, n) VALUES (new.rp_id, new.cred_protect, 1)
    ON CONFLICT (rp_id, cred_protect) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER rp_stats_delete AFTER DELETE ON credentials BEGIN
  UPDATE rp_stats SET n = n - 1 WHERE rp_id = old.rp_id AND cred_protect = old.cred_protect;
  DELETE FROM rp_stats WHERE rp_id = old.rp_id AND cred_protect = old.cred_protect AND n <= 0;
END;
CREATE TRIGGER rp_stats_update AFTER UPDATE OF rp_id, cred_protect ON credentials BEGIN
  UPDATE rp_stats SET n = n - 1 WHERE rp_id = old.rp_id AND cred_protect = old.cred_protect;
  DELETE FROM rp_stats WHERE rp_id = old.rp_id AND cred_protect = old.cred_protect AND n <= 0;
  INSERT INTO rp_stats (rp_id, cred_protect, n) VALUES (new.rp_id, new.cred_protect, 1)
    ON CONFLICT (rp_id, cred_protect) DO UPDATE SET n = n + 1;
END;
`;

/** What version 5 adds: no secret (a host learns the count only through encCredStoreState). */
export const STORE_STATE = `
CREATE TABLE store_state (id INTEGER PRIMARY KEY CHECK (id = 0), changes INTEGER NOT NULL);
INSERT INTO store_state (id, changes) VALUES (0, 0);
CREATE TRIGGER store_state_insert AFTER INSERT ON credentials BEGIN
  UPDATE store_state SET changes = changes + 1;
END;
CREATE TRIGGER store_state_delete AFTER DELETE ON credentials BEGIN
  UPDATE store_state SET changes = changes + 1;
END;
`;

export const SCHEMA = `
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
  hmac_secret INTEGER NOT NULL DEFAULT 1,
  count_mac BLOB,
  third_party_payment INTEGER NOT NULL DEFAULT 0,
  backup_eligibility INTEGER NOT NULL DEFAULT 0,
  backup_state INTEGER NOT NULL DEFAULT 0,
  UNIQUE (rp_id, user_id)
);
${RP_INDEX}
${STORE_STATE}
PRAGMA application_id = ${APPLICATION_ID};
PRAGMA user_version = ${SCHEMA_VERSION};
`;

export const COLUMNS = [
  'id', 'rp_id', 'rp_name', 'user_id', 'user_name', 'user_display_name', 'alg', 'private_key', 'cred_protect',
  'cred_blob', 'large_blob_key', 'cred_random', 'created_at', 'sign_count', 'hmac_secret', 'count_mac',
  'third_party_payment', 'backup_eligibility', 'backup_state',
] as const;

/**
 * What an encrypted store's sealed private key is bound to: every column but the key itself and
 * the sign counter (which has its own MAC, so an assertion does not re-seal the key). A column
 * added later goes in here too, under a new label.
 */
const BOUND = [
  'id', 'rp_id', 'rp_name', 'user_id', 'user_name', 'user_display_name', 'alg', 'cred_protect',
  'cred_blob', 'large_blob_key', 'cred_random', 'created_at', 'hmac_secret', 'third_party_payment',
  'backup_eligibility', 'backup_state',
] as const;
/** What versions 4 and 5 bound a key to: the migration to 6 opens keys with it and seals them again. */
const BOUND_V4 = BOUND.filter((c) => c !== 'backup_eligibility' && c !== 'backup_state');
/** What versions 2 and 3 bound a key to: the migration to 4 opens keys with it and seals them again. */
const BOUND_V2 = BOUND_V4.filter((c) => c !== 'third_party_payment');
export function boundContext(row: Row): Uint8Array {
  return encodeFields(['credential v6', ...BOUND.map((c) => row[c] ?? null)]);
}
function boundContextV4(row: Row): Uint8Array {
  return encodeFields(['credential v4', ...BOUND_V4.map((c) => row[c] ?? null)]);
}
function boundContextV2(row: Row): Uint8Array {
  return encodeFields(['credential v2', ...BOUND_V2.map((c) => row[c] ?? null)]);
}

const bytes = (b: Uint8Array | undefined): Uint8Array | null => (b ? new Uint8Array(b) : null);

/** The row for a credential, private key and counter MAC not filled in yet. */
export function toRow(c: StoredCredential): Row {
  return {
    id: new Uint8Array(c.id),
    rp_id: c.rpId,
    rp_name: c.rpName ?? null,
    user_id: new Uint8Array(c.userId),
    user_name: c.userName ?? null,
    user_display_name: c.userDisplayName ?? null,
    alg: c.alg,
    private_key: null,
    cred_protect: c.credProtect,
    cred_blob: bytes(c.credBlob),
    large_blob_key: bytes(c.largeBlobKey),
    cred_random: bytes(c.credRandom),
    created_at: c.createdAt,
    sign_count: c.signCount,
    hmac_secret: c.hmacSecret ? 1 : 0,
    count_mac: null,
    third_party_payment: c.thirdPartyPayment ? 1 : 0,
    backup_eligibility: c.backupEligibility ? 1 : 0,
    backup_state: c.backupState ? 1 : 0,
  };
}

const u8 = (v: SqlValue): Uint8Array => new Uint8Array(v as Uint8Array);
const str = (v: SqlValue): string | undefined => (v === null ? undefined : String(v));
const blob = (v: SqlValue): Uint8Array | undefined => (v === null ? undefined : u8(v));

/**
 * What summaries() selects of a row in a plain store: no secret column, largeBlobKey as its
 * presence, and the private key's type, not the key (a damaged row is still refused).
 */
const SUMMARY_SELECT = [
  'id', 'rp_id', 'rp_name', 'user_id', 'user_name', 'user_display_name', 'alg', 'cred_protect', 'created_at',
  'sign_count', 'hmac_secret', 'third_party_payment', 'backup_eligibility', 'backup_state',
  'large_blob_key IS NOT NULL AS has_large_blob_key', "typeof(private_key) = 'blob' AS key_is_bytes",
] as const;
export const SUMMARY_COLUMNS = SUMMARY_SELECT.join(', ');
/** A column's place in a listed row's values (Statement.values), by its name. */
const SUMMARY_INDEX: Readonly<Record<string, number>> = Object.fromEntries(SUMMARY_SELECT.map((c, i) => [c.split(' AS ').pop()!, i]));

/** A column of one row, by name: from a row object, or from a row's values. */
type Column = (name: string) => SqlValue;

/** A row's columns that are no secret, as a credential's fields. */
function publicFields(c: Column): Omit<CredentialSummary, 'hasLargeBlobKey'> {
  return {
    id: u8(c('id')),
    rpId: String(c('rp_id')),
    rpName: str(c('rp_name')),
    userId: u8(c('user_id')),
    userName: str(c('user_name')),
    userDisplayName: str(c('user_display_name')),
    alg: Number(c('alg')),
    credProtect: Number(c('cred_protect')),
    createdAt: Number(c('created_at')),
    signCount: Number(c('sign_count')),
    hmacSecret: Number(c('hmac_secret')) !== 0,
    thirdPartyPayment: Number(c('third_party_payment')) !== 0,
    backupEligibility: Number(c('backup_eligibility')) !== 0,
    backupState: Number(c('backup_state')) !== 0,
  };
}

// The rest is added to the object publicFields() made, not spread into a new one: a spread here
// made dictionary-mode objects, and a 100,000-row listing's heap twice the size.
export function fromRow(r: Row, privateKey: Uint8Array): StoredCredential {
  return Object.assign(publicFields((name) => r[name]!), { privateKey, credBlob: blob(r.cred_blob), largeBlobKey: blob(r.large_blob_key), credRandom: blob(r.cred_random) });
}

/** A row selected with SUMMARY_COLUMNS, as Statement.values gives it; undefined when its key is not a byte string. */
export function summaryFromValues(v: SqlValue[]): CredentialSummary | undefined {
  const c: Column = (name) => v[SUMMARY_INDEX[name]!]!;
  if (Number(c('key_is_bytes')) !== 1) return undefined;
  return Object.assign(publicFields(c), { hasLargeBlobKey: Number(c('has_large_blob_key')) !== 0 });
}

/** Brings a keystore of an older version up to SCHEMA_VERSION, in one transaction. */
export function migrate(db: Database, from: number, sealer: Sealer | undefined, path: string): void {
  db.transaction(() => {
    if (from < 2) {
      // Version 1 answered hmac-secret for every credential, hence the default of 1.
      db.exec('ALTER TABLE credentials ADD COLUMN hmac_secret INTEGER NOT NULL DEFAULT 1; ALTER TABLE credentials ADD COLUMN count_mac BLOB;');
      if (sealer) {
        // Version 1 bound a private key to its credential ID only: bind it to the whole row now.
        const update = db.prepare('UPDATE credentials SET private_key = ?, count_mac = ? WHERE id = ?');
        for (const r of db.prepare('SELECT * FROM credentials').all()) {
          const id = u8(r.id);
          const key = sealer.open(u8(r.private_key), `credential:${Buffer.from(id).toString('hex')}`);
          if (!key) throw new KeystoreError(`${path}: a sealed value does not open (altered file?); it was left unchanged`);
          update.run(sealer.seal(key, boundContextV2(r)), sealer.countMac(id, Number(r.sign_count)), id);
        }
      }
    }
    if (from < 3) {
      db.exec('DROP INDEX IF EXISTS credentials_by_rp;' + RP_INDEX);
      db.exec('INSERT INTO rp_stats (rp_id, cred_protect, n) SELECT rp_id, cred_protect, count(*) FROM credentials GROUP BY rp_id, cred_protect');
    }
    if (from < 4) {
      db.exec('ALTER TABLE credentials ADD COLUMN third_party_payment INTEGER NOT NULL DEFAULT 0');
      if (sealer) reseal(db, sealer, boundContextV2, boundContextV4, path);
    }
    if (from < 5) db.exec(STORE_STATE);
    if (from < 6) {
      // Every credential so far was single-device and not backed up: what the key's flags said.
      db.exec('ALTER TABLE credentials ADD COLUMN backup_eligibility INTEGER NOT NULL DEFAULT 0; ALTER TABLE credentials ADD COLUMN backup_state INTEGER NOT NULL DEFAULT 0;');
      if (sealer) reseal(db, sealer, boundContextV4, boundContext, path);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
}

/** Each sealed key opened under the old context and sealed again under the new one (new columns bound too). */
function reseal(db: Database, sealer: Sealer, from: (r: Row) => Uint8Array, to: (r: Row) => Uint8Array, path: string): void {
  const update = db.prepare('UPDATE credentials SET private_key = ? WHERE id = ?');
  for (const r of db.prepare('SELECT * FROM credentials').all()) {
    const key = sealer.open(u8(r.private_key), from(r));
    if (!key) throw new KeystoreError(`${path}: a sealed value does not open (altered file?); it was left unchanged`);
    update.run(sealer.seal(key, to(r)), u8(r.id));
    key.fill(0);
  }
}
