// The UDP transport with several hosts at once: each reply reaches the host that owns its channel,
// even when it comes long after the request (a slow touch, keepalives) and others talk meanwhile.
import { afterEach, describe, expect, it, vi } from 'vitest';
import dns from 'node:dns';
import { createSocket } from 'node:dgram';
import { Command } from '../../src/ctap/constants.js';
import { Status } from '../../src/ctap/status.js';
import { HidCmd, HidError } from '../../src/hid/constants.js';
import { fragment, parsePacket } from '../../src/hid/framing.js';
import { CtapHidError, CtapHidHost } from '../../src/hid/host.js';
import { connectUdp, lookupAddress } from '../../src/hid/udp.js';
import { serveUdp, type UdpServer } from '../../src/node/serve.js';
import { VirtualAuthenticator } from '../../src/node/virtual.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function start(touchMs = 50): Promise<UdpServer> {
  const key = new VirtualAuthenticator({ presence: { approveAfterMs: touchMs } });
  const server = await serveUdp(key, { host: '127.0.0.1', port: 0 });
  cleanup.push(() => key.close(), () => server.close());
  return server;
}

/** A host that records the channel of every report it hears. */
async function host(port: number): Promise<{ hid: CtapHidHost; heard: number[] }> {
  const pipe = await connectUdp('127.0.0.1', port);
  const heard: number[] = [];
  const hid = await CtapHidHost.open(pipe);
  pipe.onReport((r) => heard.push(parsePacket(r)!.cid));
  cleanup.push(() => hid.close());
  return { hid, heard };
}

/** authenticatorSelection waits for the (50 ms) touch; another host's request gets CHANNEL_BUSY: retry. */
async function selectUntilDone(hid: CtapHidHost, times: number): Promise<number[]> {
  const statuses: number[] = [];
  while (statuses.length < times) {
    try {
      statuses.push((await hid.cbor(new Uint8Array([Command.authenticatorSelection]), { timeoutMs: 2000 }))[0]!);
    } catch (e) {
      if (!(e instanceof CtapHidError && e.code === HidError.CHANNEL_BUSY)) throw e;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
    }
  }
  return statuses;
}

describe('UDP transport, per message', () => {
  it('answers an address without a DNS lookup per report (a name still goes to DNS)', async () => {
    const lookups = vi.spyOn(dns, 'lookup'); // what dgram uses unless told otherwise, taken when a socket is made
    cleanup.push(() => lookups.mockRestore());
    const server = await start();
    const { hid } = await host(server.address.port);
    lookups.mockClear(); // the host's own connect looked its address up
    const info = await hid.cbor(new Uint8Array([Command.authenticatorGetInfo]));
    expect(info[0]).toBe(Status.CTAP2_OK);
    expect(info.length).toBeGreaterThan(2 * 57); // a reply of several reports, each sent to the host's address
    expect(lookups).not.toHaveBeenCalled();

    const named = await new Promise<[string, number]>((resolve, reject) =>
      lookupAddress('localhost', 4, (e, address, family) => (e ? reject(e) : resolve([address, family]))));
    expect(named).toEqual(['127.0.0.1', 4]);
    expect(lookups).toHaveBeenCalledTimes(1);
  });
});

describe('UDP transport', () => {
  it('sends every reply to the host that owns its channel, with a junk sender talking all along', async () => {
    const server = await start();
    const hosts = await Promise.all([1, 2, 3, 4].map(() => host(server.address.port)));
    expect(new Set(hosts.map((h) => h.hid.cid)).size).toBe(4);

    const junk = createSocket('udp4');
    const junkHeard: number[] = [];
    junk.on('message', (m) => junkHeard.push(parsePacket(new Uint8Array(m))!.cid));
    const junkReport = fragment(0x0badcafe, HidCmd.PING, new Uint8Array([1]))[0]!;
    const timer = setInterval(() => junk.send(junkReport, server.address.port, '127.0.0.1'), 1);
    cleanup.push(() => (clearInterval(timer), junk.close()));

    const results = await Promise.all(hosts.map((h) => selectUntilDone(h.hid, 3)));
    for (const r of results) expect(r).toEqual([Status.CTAP2_OK, Status.CTAP2_OK, Status.CTAP2_OK]);
    for (const h of hosts) expect(h.heard.filter((cid) => cid !== h.hid.cid)).toEqual([]);
    expect(junkHeard.length).toBeGreaterThan(0);
    expect(junkHeard.filter((cid) => cid !== 0x0badcafe)).toEqual([]);
  }, 20_000);

  it('keeps the channel of a waiting host through a flood of unknown channel ids', async () => {
    const server = await start(1500);
    const a = await host(server.address.port);
    const touched = a.hid.cbor(new Uint8Array([Command.authenticatorSelection]), { timeoutMs: 3000 });
    const junk = createSocket('udp4');
    const answered = new Set<number>();
    junk.on('message', (m) => answered.add(parsePacket(new Uint8Array(m))!.cid));
    cleanup.push(() => junk.close());
    // Paced, so that the kernel's socket buffers drop none: 6,000 channel ids no INIT gave out.
    for (let i = 1; i <= 6000; i++) {
      junk.send(fragment(0x10000000 + i, HidCmd.PING, new Uint8Array([1]))[0]!, server.address.port, '127.0.0.1');
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    expect((await touched)[0]).toBe(Status.CTAP2_OK);
    expect(answered.size).toBeGreaterThan(5000); // the flood did reach the key
    expect(a.heard.filter((cid) => cid !== a.hid.cid)).toEqual([]);
  }, 20_000);

  it('sends a late answer to its host after another host opened a channel meanwhile', async () => {
    const server = await start();
    const a = await host(server.address.port);
    const touched = a.hid.cbor(new Uint8Array([Command.authenticatorSelection]), { timeoutMs: 2000 });
    await new Promise((r) => setTimeout(r, 10));
    const b = await host(server.address.port); // INIT while a waits for the 50 ms touch
    expect((await touched)[0]).toBe(Status.CTAP2_OK);
    expect(a.heard.filter((cid) => cid !== a.hid.cid)).toEqual([]);
    expect(b.heard).toEqual([]);
  });
});
