// Every credential of a store (or of one RP), a page at a time: what a listing of 100,000 passkeys
// walks without holding them all (or their keys) at once.
import type { CredentialStore, CredentialSummary, StoredCredential } from './types.js';

const PAGE = 512;

/** One RP's credentials, newest first. */
export function* credentialsOfRp(store: CredentialStore, rpId: string): Generator<StoredCredential> {
  for (let page = store.pageByRp(rpId, { limit: PAGE }); page.length > 0;) {
    yield* page;
    const last = page[page.length - 1]!;
    page = page.length < PAGE ? [] : store.pageByRp(rpId, { limit: PAGE, after: { createdAt: last.createdAt, id: last.id } });
  }
}

/** Every credential, by RP ID, newest first within each: the order of list(). */
export function* allCredentials(store: CredentialStore): Generator<StoredCredential> {
  for (let rps = store.rps(undefined, PAGE); rps.length > 0; rps = store.rps(rps[rps.length - 1]!.rpId, PAGE)) {
    for (const rp of rps) yield* credentialsOfRp(store, rp.rpId);
  }
}

/** list() without the secrets (of one RP, if given), a page at a time: what `creds list` prints. */
export function* summariesOf(store: CredentialStore, rpId?: string): Generator<CredentialSummary> {
  for (let page = store.summaries({ rpId, limit: PAGE }); page.length > 0;) {
    yield* page;
    const last = page[page.length - 1]!;
    page = page.length < PAGE ? [] : store.summaries({ rpId, limit: PAGE, after: { rpId: last.rpId, createdAt: last.createdAt, id: last.id } });
  }
}
