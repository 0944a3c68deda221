// What a client has been told by the key, and the checks a restarted key must pass against it:
// every answered registration is there, and no counter is at or below a value already received.
import { parseAuthData } from '../../src/client/authData.js';
import type { AssertionResponse, Ctap2Client } from '../../src/client/ctap2.js';
import { CtapError, Status } from '../../src/ctap/status.js';

export const RPS = ['a.example', 'b.example', 'c.example'];
export const USERS_PER_RP = 3;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** A slot is one (RP, user): registering it again replaces its credential (one transaction). */
export const slotOf = (rp: number, user: number): string => `${RPS[rp]}/${user}`;

export class Model {
  /** Slot -> the credential ID of the last registration answered for it. */
  readonly slots = new Map<string, string>();
  /** Slots whose registration was in flight when the key died: it may or may not have been stored. */
  readonly pending = new Set<string>();
  /** Credential ID -> the highest signCount received for it. */
  readonly high = new Map<string, number>();
  /** The highest value of the global counter (non-discoverable credentials) received. */
  global = 0;
  /** Non-discoverable credentials made (nothing stored: the ID is the key). */
  readonly nonRk: { rpId: string; id: Uint8Array }[] = [];
  answered = { registrations: 0, assertions: 0 };
  /** Registrations in flight at a crash, found stored after the restart or not. */
  inFlight = { stored: 0, lost: 0 };

  /** A per-credential counter received: strictly above everything received for it before. */
  see(id: string, count: number, where: string): void {
    const before = this.high.get(id) ?? 0;
    if (count <= before) throw new Error(`${where}: credential ${id.slice(0, 16)}… signCount ${count}, but ${before} was already received`);
    this.high.set(id, count);
  }

  seeGlobal(count: number, where: string): void {
    if (count <= this.global) throw new Error(`${where}: global signCount ${count}, but ${this.global} was already received`);
    this.global = count;
  }

  registered(slot: string, id: string): void {
    const old = this.slots.get(slot);
    if (old) this.high.delete(old);
    this.slots.set(slot, id);
    this.high.set(id, 0);
  }

  /** An assertion's counter, to the credential's own or the global one. */
  asserted(a: AssertionResponse, where: string): void {
    const count = parseAuthData(a.authData).signCount;
    const id = hex(a.credential.id);
    if (this.high.has(id)) this.see(id, count, where);
    else if (this.nonRk.some((c) => hex(c.id) === id)) this.seeGlobal(count, where);
    else throw new Error(`${where}: an assertion by ${id.slice(0, 16)}…, a credential no answer made`);
    this.answered.assertions++;
  }
}

const clientDataHash = (): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(32));

/** The credentials a discoverable getAssertion walk lists for `rpId` (none: NO_CREDENTIALS). */
async function walk(client: Ctap2Client, rpId: string): Promise<AssertionResponse[]> {
  try {
    return await client.getAssertions({ rpId, clientDataHash: clientDataHash() });
  } catch (e) {
    if (e instanceof CtapError && e.status === Status.CTAP2_ERR_NO_CREDENTIALS) return [];
    throw e;
  }
}

/**
 * After a restart: each RP's discoverable credentials hold exactly the answered registrations (a
 * registration in flight at the crash may have replaced its slot's), each counter above what was
 * received; then the global counter, above what was received.
 */
export async function verify(client: Ctap2Client, m: Model, where: string): Promise<void> {
  let storedInFlight = 0;
  for (const rpId of RPS) {
    const found = new Map<string, AssertionResponse>();
    for (const a of await walk(client, rpId)) {
      const slot = `${rpId}/${a.user!.id[1]}`;
      if (found.has(slot)) throw new Error(`${where}: two credentials for ${slot}`);
      found.set(slot, a);
    }
    for (const [slot, id] of m.slots) {
      if (!slot.startsWith(`${rpId}/`) || found.has(slot) || m.pending.has(slot)) continue;
      throw new Error(`${where}: the answered registration ${slot} (${id.slice(0, 16)}…) is gone`);
    }
    for (const [slot, a] of found) {
      const id = hex(a.credential.id);
      const answered = m.slots.get(slot);
      if (id !== answered) {
        if (!m.pending.has(slot)) throw new Error(`${where}: ${slot} holds ${id.slice(0, 16)}…, not the answered ${answered?.slice(0, 16)}`);
        m.registered(slot, id); // the one in flight was stored: it counts from here
        storedInFlight++;
      }
      m.asserted(a, `${where}, ${slot} after restart`);
    }
  }
  m.inFlight.lost += m.pending.size - storedInFlight;
  m.pending.clear();
  const probe = m.nonRk[0];
  if (probe) m.asserted(await client.getAssertion({ rpId: probe.rpId, clientDataHash: clientDataHash(), allowList: [{ id: probe.id, type: 'public-key' }] }), `${where}, global after restart`);
}
