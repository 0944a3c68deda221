// Large stores, filled fast: StoredCredential rows put through the store API directly (not through
// makeCredential, which would cost a key generation each), in batches of BATCH rows per putMany
// (one SQLite transaction each). The fill time is printed, and a fill that outruns its budget stops
// there, saying how far it got, rather than holding the run for hours.
import { randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import type { CredentialStore, StoredCredential } from '../../src/keystore/types.js';
import { CredProtect } from '../../src/ctap/constants.js';

export const TARGET_RP = 'bench.example';
/** In the spread layout, each RP holds this many (the target RP too). */
export const PER_RP_SPREAD = 10;

const BATCH = 1000;

export type Layout = 'one RP' | 'many RPs';

export interface Filled {
  /** Rows in the store when the fill ended. */
  count: number;
  ms: number;
  /** The fill ran out of time before reaching the size asked for. */
  truncated: boolean;
}

// One valid key for every row: signing needs a real key, and which row signs does not matter.
const PRIVATE_KEY = p256.utils.randomSecretKey();

function row(i: number, rpId: string): StoredCredential {
  const userId = new Uint8Array(16);
  new DataView(userId.buffer).setUint32(12, i);
  return {
    id: new Uint8Array(randomBytes(32)),
    rpId,
    rpName: rpId,
    userId,
    userName: `user${i}@${rpId}`,
    userDisplayName: `User ${i}`,
    alg: -7,
    privateKey: PRIVATE_KEY,
    // Half can be asserted without UV, half only with it (a browser asks credProtect 2 for passkeys).
    credProtect: i % 2 ? CredProtect.userVerificationOptional : CredProtect.userVerificationOptionalWithCredentialIDList,
    hmacSecret: false,
    createdAt: 1_700_000_000_000 + i,
    signCount: 0,
  };
}

/** Row i's RP: the target for all in 'one RP'; in 'many RPs' the target has the first PER_RP_SPREAD. */
function rpOf(i: number, layout: Layout): string {
  if (layout === 'one RP' || i < PER_RP_SPREAD) return TARGET_RP;
  return `rp${Math.floor(i / PER_RP_SPREAD)}.example`;
}

export function fill(store: CredentialStore, size: number, layout: Layout, budgetMs: number): Filled {
  const start = performance.now();
  let i = 0;
  while (i < size && performance.now() - start <= budgetMs) {
    const batch: StoredCredential[] = [];
    for (const end = Math.min(size, i + BATCH); i < end; i++) batch.push(row(i, rpOf(i, layout)));
    store.putMany(batch);
  }
  return { count: store.count(), ms: performance.now() - start, truncated: i < size };
}
