// VirtualAuthenticator as a whole: power cycles reach the CTAPHID device, and reset is not
// auto-approved on a persistent keystore unless the owner said so.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from '../../src/ctap/constants.js';
import { Status } from '../../src/ctap/status.js';
import { HidCmd, HidError } from '../../src/hid/constants.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { VirtualAuthenticator } from '../../src/node/virtual.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function key(options: ConstructorParameters<typeof VirtualAuthenticator>[0] = {}): VirtualAuthenticator {
  const k = new VirtualAuthenticator(options);
  cleanup.push(() => k.close());
  return k;
}

async function host(k: VirtualAuthenticator): Promise<CtapHidHost> {
  const h = await CtapHidHost.open(k.connect());
  cleanup.push(() => h.close());
  return h;
}

describe('VirtualAuthenticator.powerCycle', () => {
  it('releases a CTAPHID lock held by another host', async () => {
    const k = key();
    const a = await host(k);
    const b = await host(k);
    await a.transact(HidCmd.LOCK, new Uint8Array([10]));
    await expect(b.ping(new Uint8Array([1]))).rejects.toMatchObject({ code: HidError.CHANNEL_BUSY });
    k.powerCycle();
    expect(await b.ping(new Uint8Array([1]))).toEqual(new Uint8Array([1]));
  });
});

describe('reset under auto-approval', () => {
  const RESET = new Uint8Array([Command.authenticatorReset]);
  const OK = Status.CTAP2_OK;
  const OPERATION_DENIED = Status.CTAP2_ERR_OPERATION_DENIED;

  function fileStore(): string {
    const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-virtual-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    return join(dir, 'keystore.sqlite');
  }

  async function resetStatus(k: VirtualAuthenticator): Promise<number> {
    return (await (await host(k)).cbor(RESET))[0]!;
  }

  it('is approved on a memory store', async () => {
    expect(await resetStatus(key())).toBe(OK);
  });

  it.each([['approve' as const], [{ approveAfterMs: 20 }]])('is refused on a file store under %j, and nothing is wiped', async (presence) => {
    const k = key({ store: fileStore(), presence, pin: '1234' });
    expect(await resetStatus(k)).toBe(OPERATION_DENIED);
    expect(k.authenticator.hasPin()).toBe(true);
  });

  it('is approved on a file store with allowReset, or once a confirmed caller allows it', async () => {
    const k = key({ store: fileStore(), pin: '1234', allowReset: true });
    expect(await resetStatus(k)).toBe(OK);
    expect(k.authenticator.hasPin()).toBe(false);
    const later = key({ store: fileStore() });
    later.allowReset = true;
    expect(await resetStatus(later)).toBe(OK);
  });

  it('is left to a presence callback, which sees the reset', async () => {
    const seen: string[] = [];
    const k = key({ store: fileStore(), presence: (r) => (seen.push(r.command), true) });
    expect(await resetStatus(k)).toBe(OK);
    expect(seen).toEqual(['reset']);
  });

  it('is refused on a memory store with allowReset: false', async () => {
    expect(await resetStatus(key({ allowReset: false }))).toBe(OPERATION_DENIED);
  });
});

describe('CtapHidHost deadline', () => {
  const SELECTION = new Uint8Array([Command.authenticatorSelection]);

  it('cancels a request still waiting for a touch at its deadline: the key answers KEEPALIVE_CANCEL', async () => {
    const h = await host(key({ presence: 'timeout', presenceTimeoutMs: 20_000 }));
    const keepalives: number[] = [];
    const started = performance.now();
    const res = await h.cbor(SELECTION, { deadline: started + 150, onKeepalive: (s) => keepalives.push(s) });
    expect(res[0]).toBe(Status.CTAP2_ERR_KEEPALIVE_CANCEL);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(keepalives).toContain(2); // UPNEEDED while it waited
  });

  it('cancels at once a request whose deadline has passed, and leaves one answered in time alone', async () => {
    const waiting = await host(key({ presence: 'timeout', presenceTimeoutMs: 20_000 }));
    expect((await waiting.cbor(SELECTION, { deadline: performance.now() - 1 }))[0]).toBe(Status.CTAP2_ERR_KEEPALIVE_CANCEL);
    const touched = await host(key());
    expect((await touched.cbor(SELECTION, { deadline: performance.now() + 60_000 }))[0]).toBe(Status.CTAP2_OK);
    await expect(touched.cbor(SELECTION, { deadline: Number.NaN })).rejects.toThrow(RangeError);
  });
});
