// Per-RP queries of every store against a plain model: counts, pages after a position, the user
// lookup and the RP list agree with sorting and filtering everything, after any puts and deletes.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../src/keystore/memory.js';
import { listingSql, SqliteStore } from '../../src/keystore/sqlite.js';
import { SUMMARY_COLUMNS } from '../../src/keystore/schema.js';
import type { CredentialStore, StoredCredential } from '../../src/keystore/types.js';
import { toHex } from '../../src/util/bytes.js';
import { cred, drivers, raw } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-paging-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const stores: [string, () => CredentialStore][] = [
  ['MemoryStore', () => new MemoryStore()],
  ...drivers.filter((d) => !d.skip).map((d): [string, () => CredentialStore] => [
    `SqliteStore ${d.driver}`,
    () => new SqliteStore(join(dir, `k${files++}.sqlite`), { driver: d.driver }),
  ]),
];

type Op = { put: { rp: number; user: number; level: number; time: number } } | { del: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ rp: fc.nat(2), user: fc.nat(5), level: fc.integer({ min: 1, max: 3 }), time: fc.nat(4) }).map((put) => ({ put })) },
  { weight: 1, arbitrary: fc.nat(40).map((del) => ({ del })) },
);

/** Newest first, equal times by ID descending: what every store must return. */
function ordered(creds: StoredCredential[]): string[] {
  return [...creds]
    .sort((a, b) => b.createdAt - a.createdAt || Buffer.compare(Buffer.from(b.id), Buffer.from(a.id)))
    .map((c) => toHex(c.id));
}

describe.each(stores)('%s pages per RP as a full sort would', (_name, make) => {
  it('counts, pages, finds users and lists RPs like the model after any puts and deletes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const store = make();
        const model = new Map<string, StoredCredential>();
        try {
          let serial = 0;
          for (const o of ops) {
            if ('put' in o) {
              const n = ++serial;
              // IDs of different lengths and first bytes, so ties in time are broken by byte order.
              const c = cred(n, { id: new Uint8Array([(n * 37) & 255, ...new Array(n % 3).fill(n)]), rpId: `rp${o.put.rp}.example`,
                userId: new Uint8Array([o.put.user]), credProtect: o.put.level, createdAt: o.put.time });
              store.put(c);
              for (const [k, m] of model) if (m.rpId === c.rpId && m.userId[0] === c.userId[0]) model.delete(k);
              model.set(toHex(c.id), c);
            } else {
              const victim = [...model.keys()][o.del % Math.max(1, model.size)];
              if (victim === undefined) continue;
              expect(store.delete(Buffer.from(victim, 'hex'))).toBe(true);
              model.delete(victim);
            }
          }
          const rpIds = [...new Set([...model.values()].map((c) => c.rpId))].sort();
          expect(store.count()).toBe(model.size);
          expect(store.rpCount()).toBe(rpIds.length);
          expect(store.rps(undefined, Infinity).map((r) => [r.rpId, r.credentials])).toEqual(
            rpIds.map((rp) => [rp, [...model.values()].filter((c) => c.rpId === rp).length]));
          // One RP at a time, as credentialManagement walks them.
          const walked: string[] = [];
          for (let r = store.rps(undefined, 1); r.length > 0; r = store.rps(r[0]!.rpId, 1)) walked.push(r[0]!.rpId);
          expect(walked).toEqual(rpIds);
          for (const rpId of ['rp0.example', 'rp1.example', 'rp2.example', 'none.example']) {
            for (const max of [1, 2, 3, undefined]) {
              const want = ordered([...model.values()].filter((c) => c.rpId === rpId && c.credProtect <= (max ?? 3)));
              expect(store.countByRp(rpId, { maxCredProtect: max })).toBe(want.length);
              expect(store.pageByRp(rpId, { maxCredProtect: max, limit: Infinity }).map((c) => toHex(c.id))).toEqual(want);
              // One at a time after a position, as getNextAssertion walks them.
              const got: string[] = [];
              for (let page = store.pageByRp(rpId, { maxCredProtect: max, limit: 1 }); page.length > 0;) {
                const last = page[0]!;
                got.push(toHex(last.id));
                page = store.pageByRp(rpId, { maxCredProtect: max, limit: 1, after: { createdAt: last.createdAt, id: last.id } });
              }
              expect(got).toEqual(want);
            }
            // summaries(): list() order, without secrets, from any position, of all RPs or of one.
            for (const only of [undefined, rpId]) {
              const want = rpIds.filter((rp) => only === undefined || rp === only)
                .flatMap((rp) => ordered([...model.values()].filter((c) => c.rpId === rp)));
              expect(store.summaries({ rpId: only, limit: Infinity }).map((c) => toHex(c.id))).toEqual(want);
              for (const size of [1, 2]) {
                const got: string[] = [];
                for (let page = store.summaries({ rpId: only, limit: size }); page.length > 0;) {
                  expect(page.length).toBeLessThanOrEqual(size);
                  got.push(...page.map((c) => toHex(c.id)));
                  const last = page[page.length - 1]!;
                  page = store.summaries({ rpId: only, limit: size, after: { rpId: last.rpId, createdAt: last.createdAt, id: last.id } });
                }
                expect(got).toEqual(want);
              }
            }
            for (let user = 0; user <= 5; user++) {
              const want = [...model.values()].find((c) => c.rpId === rpId && c.userId[0] === user);
              expect(store.findByUser(rpId, new Uint8Array([user])) && toHex(store.findByUser(rpId, new Uint8Array([user]))!.id)).toBe(want && toHex(want.id));
            }
          }
        } finally {
          store.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('summaries() carry every field but the secrets, and start after a position of another RP or a deleted credential', () => {
    const store = make();
    const a = cred(1, { rpId: 'a.example', rpName: 'A', credRandom: new Uint8Array(32).fill(9), credBlob: new Uint8Array([5]), largeBlobKey: new Uint8Array(32).fill(8) });
    store.putMany([a, cred(2, { rpId: 'a.example' }), cred(3, { rpId: 'c.example' }), cred(4, { rpId: 'c.example' })]);
    const { privateKey: _p, credRandom: _r, credBlob: _b, largeBlobKey: _l, ...shown } = store.get(a.id)!;
    expect(store.summaries({ limit: 10 }).find((c) => toHex(c.id) === toHex(a.id))).toEqual({ ...shown, hasLargeBlobKey: true });
    for (const c of store.summaries({ limit: 10 })) expect(['privateKey', 'credRandom', 'credBlob', 'largeBlobKey'].filter((k) => k in c)).toEqual([]);
    // After a position in an RP with nothing left, or in no RP at all: the next RP's newest.
    const ids = (p: Parameters<CredentialStore['summaries']>[0]): string[] => store.summaries(p).map((c) => toHex(c.id));
    expect(ids({ limit: 1, after: { rpId: 'a.example', createdAt: 0, id: new Uint8Array(0) } })).toEqual([toHex(cred(4).id)]);
    expect(ids({ limit: 9, after: { rpId: 'b.example', createdAt: 0, id: new Uint8Array(0) } })).toEqual([toHex(cred(4).id), toHex(cred(3).id)]);
    expect(ids({ rpId: 'a.example', limit: 9, after: { rpId: 'b.example', createdAt: 0, id: new Uint8Array(0) } })).toEqual([]);
    expect(ids({ rpId: 'c.example', limit: 9, after: { rpId: 'a.example', createdAt: 9999, id: new Uint8Array(0) } })).toEqual([toHex(cred(4).id), toHex(cred(3).id)]);
    store.delete(cred(4).id);
    expect(ids({ limit: 1, after: { rpId: 'c.example', createdAt: cred(4).createdAt, id: cred(4).id } })).toEqual([toHex(cred(3).id)]);
    store.close();
  });

  it('putMany stores a batch as put would, the same user replaced', () => {
    const store = make();
    store.putMany([cred(1), cred(2, { userId: new Uint8Array([1]) }), cred(3, { rpId: 'other.example' })]);
    expect(store.count()).toBe(2);
    expect(store.findByUser('example.com', new Uint8Array([1]))!.id).toEqual(cred(2).id);
    expect(store.rps(undefined, 10).map((r) => r.rpId)).toEqual(['example.com', 'other.example']);
    store.close();
  });

  it('continues after a position whose credential was deleted', () => {
    const store = make();
    for (let n = 1; n <= 4; n++) store.put(cred(n, { userId: new Uint8Array([n]) }));
    const [newest, second] = store.pageByRp('example.com', { limit: 2 });
    store.delete(newest!.id);
    expect(store.pageByRp('example.com', { limit: 1, after: { createdAt: newest!.createdAt, id: newest!.id } })[0]!.id).toEqual(second!.id);
    store.close();
  });
});

describe.each(drivers.filter((d) => !d.skip))('SqliteStore $driver summaries()', ({ driver }) => {
  it('reads in the RP-order index: no sort of the table, no pass over it before the page', () => {
    const path = join(dir, `k${files++}.sqlite`);
    const store = new SqliteStore(path, { driver });
    store.putMany(Array.from({ length: 50 }, (_, i) => cred(i + 1, { rpId: `rp${i % 5}.example`, userId: new Uint8Array([i]) })));
    store.close();
    const db = raw(path, driver);
    try {
      for (const [name, sql] of Object.entries(listingSql(SUMMARY_COLUMNS))) {
        const params = Array.from({ length: sql.split('?').length - 1 }, () => 1);
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params).map((r) => String(r.detail));
        expect(plan, name).toEqual([expect.stringMatching(/^(SEARCH|SCAN) credentials USING (COVERING )?INDEX credentials_in_rp_order\b/)]);
      }
    } finally {
      db.close();
    }
  });
});

describe('RP order', () => {
  it('is code point (UTF-8 byte) order in every store, as SQLite orders text', () => {
    const ids = ['\uFFFD.example', '\u{1F600}.example', 'z.example', 'a.example'];
    for (const [, make] of stores) {
      const store = make();
      ids.forEach((rpId, i) => store.put(cred(i + 1, { rpId })));
      expect(store.rps(undefined, 10).map((r) => r.rpId)).toEqual(['a.example', 'z.example', '\uFFFD.example', '\u{1F600}.example']);
      store.close();
    }
  });
});

describe.each(stores)('%s counts changes (encCredStoreState)', (_name, make) => {
  it('moves on every addition, replacement and removal, not on counters, and never goes back', () => {
    const s = make();
    const seen = [s.changes()];
    const step = (f: () => void) => {
      f();
      const now = s.changes();
      expect(now).toBeGreaterThan(seen.at(-1)!);
      seen.push(now);
    };
    step(() => s.put(cred(1)));
    step(() => s.putMany([cred(2), cred(3)]));
    step(() => s.put({ ...cred(1), userName: 'renamed' })); // same user: replaced
    const before = s.changes();
    s.nextSignCount(cred(2).id);
    s.setSignCount(cred(3).id, 9);
    expect(s.changes()).toBe(before);
    step(() => s.delete(cred(2).id));
    expect(s.delete(cred(2).id)).toBe(false);
    expect(s.changes()).toBe(seen.at(-1));
    step(() => s.wipe());
    s.close();
  });
});

describe.each(stores)('%s tells IDs and user IDs apart byte for byte', (_name, make) => {
  it('every byte value, a long ID, and user IDs with a newline or an RP ID inside', () => {
    const s = make();
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const ids = [all, all.slice(0, 255), Uint8Array.from([0]), Uint8Array.from([0, 0]), new Uint8Array(5000).fill(0x80), new Uint8Array(2500).fill(0x38)];
    ids.forEach((id, i) => s.put(cred(i + 1, { id, userId: Uint8Array.of(i + 1) })));
    ids.forEach((id, i) => expect(s.get(id)?.userName).toBe(`user${i + 1}`));
    expect(s.get(new Uint8Array(4999).fill(0x80))).toBeUndefined();
    // RP "a\n" and user "b", RP "a" and user "\nb": two users, not one that replaces the other.
    const nl = new TextEncoder().encode('\nb');
    s.put(cred(20, { rpId: 'a\n', userId: Uint8Array.of(0x62) }));
    s.put(cred(21, { rpId: 'a', userId: nl }));
    expect([s.findByUser('a\n', Uint8Array.of(0x62))?.userName, s.findByUser('a', nl)?.userName]).toEqual(['user20', 'user21']);
    expect(s.count()).toBe(ids.length + 2);
    s.close();
  });
});
