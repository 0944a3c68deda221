// `ctap-emu creds list|show|delete`: the discoverable credentials in a keystore file, offline; with
// --udp or --device, on a running key over CTAP instead (credsDevice.ts).
import type { CredentialSummary } from '../keystore/types.js';
import type { SqliteStore } from '../keystore/sqlite.js';
import { fromBase64url, toBase64url } from '../util/bytes.js';
import { summaryOf } from '../keystore/summary.js';
import { summariesOf } from '../keystore/walk.js';
import { confirmOrStop, isRemote, withStore } from './common.js';
import { credsDeleteDevice, credsListDevice, credsShowDevice, type CredsOptions } from './credsDevice.js';
import { byIdPrefix, checkIdGiven, deleteQuestion, printCredential, printCredentials, printDeleted, viewOfStored } from './credsView.js';

/** The bytes of a whole base64url ID, or none (a prefix of one need not decode). */
function bytesOr(id: string): Uint8Array {
  try {
    return fromBase64url(id);
  } catch {
    return new Uint8Array(0);
  }
}

/** The one credential whose base64url ID is `id` or starts with it: a whole ID by index, a prefix by a walk (no key read). */
function find(store: SqliteStore, id: string): CredentialSummary {
  const exact = id === '' ? undefined : store.get(bytesOr(id));
  if (exact && toBase64url(exact.id) === id) return summaryOf(exact);
  return byIdPrefix(summariesOf(store), (c) => c.id, id, `in ${store.path}`);
}

export async function credsList(o: CredsOptions & { rp?: string }): Promise<void> {
  if (isRemote(o)) return credsListDevice(o);
  // A page at a time, without the keys: each credential becomes its printed form at once.
  await withStore(o, (store) => printCredentials(summariesOf(store, o.rp), viewOfStored, o, `in ${store.path}`));
}

export async function credsShow(id: string, o: CredsOptions): Promise<void> {
  checkIdGiven(id);
  if (isRemote(o)) return credsShowDevice(id, o);
  await withStore(o, (store) => printCredential(viewOfStored(find(store, id)), o));
}

/** Asks first, as `reset` does, unless --yes: the key will never again sign in with the credential. */
export async function credsDelete(id: string, o: CredsOptions & { yes?: boolean }): Promise<void> {
  checkIdGiven(id);
  if (isRemote(o)) return credsDeleteDevice(id, o);
  await withStore(o, async (store) => {
    const c = find(store, id);
    await confirmOrStop(deleteQuestion(viewOfStored(c)), 'not deleted', o.yes);
    store.delete(c.id);
    printDeleted(viewOfStored(c), o);
  });
}
