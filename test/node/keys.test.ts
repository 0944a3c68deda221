// Several keys in one process (createKeys): each its own store, presence and PIN, and what a
// browser does with two keys plugged in: it asks both, takes the one touched, and CANCELs the
// other, which answers CTAP2_ERR_KEEPALIVE_CANCEL after its keepalives and keeps working.
import { afterEach, describe, expect, it } from 'vitest';
import { Ctap2Client } from '../../src/client/ctap2.js';
import { ClientPin } from '../../src/client/clientPin.js';
import { Command, KeepaliveStatus } from '../../src/ctap/constants.js';
import { CtapError, Status } from '../../src/ctap/status.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { createKeys } from '../../src/node/keys.js';
import { MemoryStore } from '../../src/keystore/memory.js';
import type { VirtualAuthenticator } from '../../src/node/virtual.js';
import { askAll, rkRequest } from '../helpers/twoKeys.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function keys(...args: Parameters<typeof createKeys>): VirtualAuthenticator[] {
  const ks = createKeys(...args);
  cleanup.push(() => ks.forEach((k) => k.close()));
  return ks;
}

async function client(k: VirtualAuthenticator): Promise<Ctap2Client> {
  const h = await CtapHidHost.open(k.connect());
  cleanup.push(() => h.close());
  return new Ctap2Client(h);
}

describe('createKeys', () => {
  it('makes independent keys: a credential and a PIN on one are not on the other', async () => {
    const [a, b] = keys(2);
    const [ca, cb] = [await client(a!), await client(b!)];
    await ca.makeCredential(rkRequest);
    expect(a!.getCredentials()).toHaveLength(1);
    expect(b!.getCredentials()).toHaveLength(0);
    await new ClientPin(cb, [2]).setPin('4321');
    expect([a!.info().pin, b!.info().pin]).toEqual([false, true]);
    expect((await ca.getInfo()).options.clientPin).toBe(false);
    expect((await cb.getInfo()).options.clientPin).toBe(true);
  });

  it('takes options per key, and refuses one store for two keys', () => {
    const ks = keys(3, (i) => ({ presence: i === 0 ? 'approve' : 'deny', aaguid: `${String(i).repeat(32)}` }));
    expect(ks.map((k) => [k.info().presence, k.info().aaguid.slice(0, 2)])).toEqual([['approve', '00'], ['deny', '11'], ['deny', '22']]);
    const shared = new MemoryStore();
    expect(() => createKeys(2, { store: shared })).toThrow(/store of its own/);
    expect(() => createKeys(0)).toThrow(RangeError);
    expect(() => createKeys(17)).toThrow(RangeError);
  });
});

describe('two keys plugged in: the browser asks both and cancels the one not touched', () => {
  it('makeCredential: the touched key registers; the other sends UPNEEDED keepalives, then KEEPALIVE_CANCEL, and stores nothing', async () => {
    const ks = keys(2, (i) => ({ presence: i === 0 ? 'timeout' : { approveAfterMs: 400 } }));
    const clients = [await client(ks[0]!), await client(ks[1]!)];
    const r = await askAll(clients, (c, signal, onKeepalive) => c.makeCredential(rkRequest, { signal, onKeepalive }));
    expect(r.winner).toBe(1);
    expect(r.others[0]).toBeInstanceOf(CtapError);
    expect((r.others[0] as CtapError).status).toBe(Status.CTAP2_ERR_KEEPALIVE_CANCEL);
    expect(r.keepalives[0]).toContain(KeepaliveStatus.UPNEEDED);
    expect([ks[0]!.getCredentials().length, ks[1]!.getCredentials().length]).toEqual([0, 1]);
    // The cancelled key is not stuck: it answers the next request on the same channel.
    expect((await clients[0]!.getInfo()).versions).toContain('FIDO_2_1');
  });

  it('authenticatorSelection (keys with a PIN): the other key is cancelled the same way', async () => {
    const ks = keys(2, (i) => ({ pin: '1234', presence: i === 0 ? { approveAfterMs: 300 } : 'timeout' }));
    const clients = [await client(ks[0]!), await client(ks[1]!)];
    const r = await askAll(clients, (c, signal, onKeepalive) => c.send(Command.authenticatorSelection, undefined, { signal, onKeepalive }));
    expect(r.winner).toBe(0);
    expect((r.others[1] as CtapError).status).toBe(Status.CTAP2_ERR_KEEPALIVE_CANCEL);
    expect(r.keepalives[1]).toContain(KeepaliveStatus.UPNEEDED);
    expect(await clients[1]!.send(Command.authenticatorGetInfo)).toBeInstanceOf(Map);
  });
});
