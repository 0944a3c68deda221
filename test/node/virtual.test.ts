// VirtualAuthenticator as a whole: power cycles reach the CTAPHID device, and reset is not
// auto-approved on a persistent keystore unless the owner said so.
import { afterEach, describe, expect, it } from 'vitest';
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
