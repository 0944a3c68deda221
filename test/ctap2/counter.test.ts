// The global signature counter of non-discoverable credentials: one store write per reservation,
// and after a power cycle (the process gone) it resumes above every value answered.
import { describe, expect, it } from 'vitest';
import { RESERVATION } from '../../src/keystore/reservedCounters.js';
import { parseAuthData } from '../../src/client/authData.js';
import type { CborMap } from '../../src/ctap/cbor.js';
import { Status } from '../../src/ctap/status.js';
import { TestKey, gaParams, mcParams } from '../helpers/core.js';

const MC = 0x01;
const GA = 0x02;

describe('the global counter', () => {
  it('counts up by one, stores a reservation once per RESERVATION uses, and resumes above it after a power cycle', async () => {
    const key = new TestKey();
    const [, mc] = await key.call(MC, mcParams());
    const id = parseAuthData(mc!.get(2) as Uint8Array).attested!.credentialId;
    let writes = 0;
    const setMeta = key.store.setMeta.bind(key.store);
    key.store.setMeta = (k, v) => {
      if (k === 'globalSignCount') writes++;
      setMeta(k, v);
    };
    const counts: number[] = [];
    for (let i = 0; i < RESERVATION + 10; i++) {
      const [, ga] = await key.call(GA, gaParams({ 3: [{ type: 'public-key', id }] }));
      counts.push(parseAuthData((ga as CborMap).get(2) as Uint8Array).signCount);
    }
    expect(counts).toEqual(counts.map((_, i) => counts[0]! + i));
    expect(writes).toBe(1);
    key.auth.powerCycle();
    const [, ga] = await key.call(GA, gaParams({ 3: [{ type: 'public-key', id }] }));
    const resumed = parseAuthData((ga as CborMap).get(2) as Uint8Array).signCount;
    expect(resumed).toBeGreaterThan(counts[counts.length - 1]!);
    expect(resumed).toBeLessThanOrEqual(counts[counts.length - 1]! + RESERVATION + 1);
  });

  it('holds no reservation it failed to store (a full disk): every use until one is stored fails', async () => {
    const key = new TestKey();
    const [, mc] = await key.call(MC, mcParams());
    const id = parseAuthData(mc!.get(2) as Uint8Array).attested!.credentialId;
    key.auth.powerCycle(); // the next use must store a new reservation
    let full = true;
    const setMeta = key.store.setMeta.bind(key.store);
    key.store.setMeta = (k, v) => {
      if (full && k === 'globalSignCount') throw new Error('disk full');
      setMeta(k, v);
    };
    const assert = (): Promise<[number, CborMap | undefined]> => key.call(GA, gaParams({ 3: [{ type: 'public-key', id }] }));
    for (let i = 0; i < 3; i++) expect((await assert())[0]).toBe(Status.CTAP1_ERR_OTHER);
    full = false;
    const [status, ga] = await assert();
    expect(status).toBe(Status.CTAP2_OK);
    const answered = parseAuthData(ga!.get(2) as Uint8Array).signCount;
    key.auth.powerCycle();
    const [, after] = await assert();
    expect(parseAuthData(after!.get(2) as Uint8Array).signCount).toBeGreaterThan(answered);
  });

  it('stops at 2^32 - 1 rather than wrapping to 0 (which would read as a cloned key)', async () => {
    const key = new TestKey();
    const [, mc] = await key.call(MC, mcParams());
    const id = parseAuthData(mc!.get(2) as Uint8Array).attested!.credentialId;
    key.store.setMeta('globalSignCount', new Uint8Array([0xff, 0xff, 0xff, 0xfe]));
    key.auth.powerCycle();
    for (let i = 0; i < 2; i++) {
      const [, ga] = await key.call(GA, gaParams({ 3: [{ type: 'public-key', id }] }));
      expect(parseAuthData((ga as CborMap).get(2) as Uint8Array).signCount).toBe(0xffffffff);
    }
  });
});
