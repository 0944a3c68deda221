// A client that registers and signs until the key dies under it, recording every answer it gets in
// the model. Both counter kinds move: per-credential (discoverable) and global (non-discoverable).
import { parseAuthData } from '../../src/client/authData.js';
import type { Ctap2Client } from '../../src/client/ctap2.js';
import { CtapError } from '../../src/ctap/status.js';
import { KeyGone, type Serve } from './harness.js';
import { Model, RPS, slotOf, USERS_PER_RP } from './model.js';

const ES256 = [{ alg: -7, type: 'public-key' }];
const NON_RK_POOL = 4;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const clientDataHash = (): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(32));

type Op = (client: Ctap2Client, m: Model, pick: (n: number) => number, ask: <T>(p: Promise<T>) => Promise<T>) => Promise<void>;

/** Registers (or replaces) a discoverable credential for one (RP, user) slot. */
const registerRk: Op = async (client, m, pick, ask) => {
  const rp = pick(RPS.length);
  const user = pick(USERS_PER_RP);
  const slot = slotOf(rp, user);
  m.pending.add(slot); // until answered: if the key dies now, the slot may hold either
  const r = await ask(client.makeCredential({
    clientDataHash: clientDataHash(), rp: { id: RPS[rp]! }, user: { id: new Uint8Array([rp, user]), name: `u${user}` },
    pubKeyCredParams: ES256, options: { rk: true },
  }));
  m.pending.delete(slot);
  m.registered(slot, hex(parseAuthData(r.authData).attested!.credentialId));
  m.answered.registrations++;
};

/** A non-discoverable credential: nothing stored, but its authData takes a global counter value. */
const registerNonRk: Op = async (client, m, pick, ask) => {
  const rpId = RPS[pick(RPS.length)]!;
  const r = await ask(client.makeCredential({
    clientDataHash: clientDataHash(), rp: { id: rpId }, user: { id: new Uint8Array([9]) }, pubKeyCredParams: ES256,
  }));
  const data = parseAuthData(r.authData);
  m.seeGlobal(data.signCount, 'makeCredential (non-discoverable)');
  const made = { rpId, id: data.attested!.credentialId };
  if (m.nonRk.length < NON_RK_POOL) m.nonRk.push(made);
  else m.nonRk[pick(NON_RK_POOL)] = made;
};

/** A discoverable getAssertion on an RP, then part of the walk through its other credentials. */
const walkSome: Op = async (client, m, pick, ask) => {
  const rps = RPS.filter((rp) => [...m.slots.keys()].some((s) => s.startsWith(`${rp}/`)));
  if (rps.length === 0) return;
  const rpId = rps[pick(rps.length)]!;
  const first = await ask(client.getAssertion({ rpId, clientDataHash: clientDataHash() }));
  m.asserted(first, 'getAssertion (discoverable)');
  const more = pick(first.numberOfCredentials ?? 1);
  for (let i = 0; i < more; i++) m.asserted(await ask(client.getNextAssertion()), 'getNextAssertion');
};

/** getAssertion with an allowList: a non-discoverable credential (global counter) or a stored one. */
const allowListed = (discoverable: boolean): Op => async (client, m, pick, ask) => {
  const pool = discoverable
    ? [...m.slots].map(([slot, id]) => ({ rpId: slot.split('/')[0]!, id: Buffer.from(id, 'hex') }))
    : m.nonRk;
  if (pool.length === 0) return;
  const c = pool[pick(pool.length)]!;
  const a = await ask(client.getAssertion({ rpId: c.rpId, clientDataHash: clientDataHash(), allowList: [{ id: new Uint8Array(c.id), type: 'public-key' }] }));
  m.asserted(a, `getAssertion (allowList, ${discoverable ? 'discoverable' : 'non-discoverable'})`);
};

const OPS: [weight: number, op: Op][] = [
  [12, registerRk], [6, registerNonRk], [30, walkSome], [30, allowListed(false)], [22, allowListed(true)],
];
const TOTAL = OPS.reduce((n, [w]) => n + w, 0);

export interface RunOptions {
  /** Stop after this many operations (default: only when the key is gone). */
  maxOps?: number;
  /** A CTAP error status these runs expect (a full disk): counted and the run goes on, the operation unanswered. */
  tolerate?: number;
}

/** Runs operations until the key is gone or maxOps ran (resolves: the statuses tolerated), or something is wrong (rejects). */
export async function runUntilGone(s: Serve, m: Model, rng: () => number, o: RunOptions = {}): Promise<number> {
  const pick = (n: number): number => Math.floor(rng() * n);
  const ask = <T>(p: Promise<T>): Promise<T> => Promise.race([s.gone, p]);
  let failed = 0;
  try {
    for (let i = 0; i < (o.maxOps ?? Infinity); i++) {
      let w = rng() * TOTAL;
      const op = OPS.find(([weight]) => (w -= weight) < 0)![1];
      try {
        await op(s.client, m, pick, ask);
      } catch (e) {
        if (!(e instanceof CtapError && e.status === o.tolerate)) throw e;
        failed++;
      }
    }
  } catch (e) {
    if (!(e instanceof KeyGone)) throw e;
  }
  return failed;
}
