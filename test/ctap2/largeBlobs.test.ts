// authenticatorLargeBlobs (CTAP 2.1 §6.10), credBlob (§12.2) and largeBlobKey (§12.3) in the core,
// without a PIN (the lbw-token paths run over CTAPHID in test/client/largeBlobs.test.ts).
import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { Command } from '../../src/ctap/constants.js';
import { encodeCbor, type CborMap } from '../../src/ctap/cbor.js';
import { Status } from '../../src/ctap/status.js';
import { parseAuthData } from '../../src/client/authData.js';
import { concatBytes, fromHex, toHex } from '../../src/util/bytes.js';
import { MAX_SERIALIZED_LARGE_BLOB_ARRAY } from '../../src/ctap2/commands/largeBlobs.js';
import { gaParams, mcParams, TestKey } from '../helpers/core.js';

const { authenticatorLargeBlobs: LB, authenticatorMakeCredential: MC, authenticatorGetAssertion: GA,
  authenticatorGetNextAssertion: NEXT, authenticatorGetInfo: INFO, authenticatorReset: RESET } = Command;

/** The serialized form of `contents`: the bytes and LEFT(SHA-256(bytes), 16). */
const serialized = (contents: Uint8Array): Uint8Array => concatBytes(contents, sha256(contents).subarray(0, 16));
/** A serialized array holding one byte string of `n` bytes of `fill`. */
const arrayOf = (n: number, fill = 0x42): Uint8Array => serialized(encodeCbor([new Uint8Array(n).fill(fill)]));

const read = (key: TestKey, get: number, offset: number): Promise<[number, CborMap | undefined]> =>
  key.call(LB, new Map([[1, get], [3, offset]]));
const write = (key: TestKey, set: Uint8Array, offset: number, length?: number): Promise<[number, CborMap | undefined]> =>
  key.call(LB, new Map<number, unknown>([[2, set], [3, offset], ...(length === undefined ? [] : [[4, length] as [number, number]])]) as never);

async function writeAll(key: TestKey, array: Uint8Array, fragment: number): Promise<void> {
  for (let off = 0; off < array.length; off += fragment) {
    const [st] = await write(key, array.subarray(off, off + fragment), off, off === 0 ? array.length : undefined);
    expect(st).toBe(Status.CTAP2_OK);
  }
}

async function readAll(key: TestKey, fragment: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let off = 0; ; off += fragment) {
    const [st, res] = await read(key, fragment, off);
    expect(st).toBe(Status.CTAP2_OK);
    const part = res!.get(1) as Uint8Array;
    parts.push(part);
    if (part.length < fragment) return concatBytes(...parts);
  }
}

describe('the serialized large-blob array', () => {
  it('starts as the empty array with its trailer (known answer: 0x80 || LEFT(SHA-256(0x80), 16))', async () => {
    // The value CTAP 2.1 §6.10.3 gives for the initial array (also OpenSK's test_process_command_get_empty).
    const expected = '8076be8b528d0075f7aae98d6fa57a6d3c';
    expect(toHex(serialized(new Uint8Array([0x80])))).toBe(expected);
    const [st, res] = await read(new TestKey(), 1024, 0);
    expect(st).toBe(Status.CTAP2_OK);
    expect(toHex(res!.get(1) as Uint8Array)).toBe(expected);
  });

  it('is written in fragments and read back in fragments', async () => {
    const key = new TestKey();
    const array = arrayOf(3000);
    await writeAll(key, array, 1000);
    expect(await readAll(key, 700)).toEqual(array);
    // Reading at the end gives an empty string; past it, INVALID_PARAMETER.
    expect((await read(key, 10, array.length))[1]!.get(1)).toEqual(new Uint8Array(0));
    expect((await read(key, 10, array.length + 1))[0]).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
  });

  it('keeps the old array until the last fragment arrives, and survives a power cycle', async () => {
    const key = new TestKey();
    const first = arrayOf(100, 1);
    await writeAll(key, first, 200);
    const second = arrayOf(300, 2);
    expect((await write(key, second.subarray(0, 100), 0, second.length))[0]).toBe(Status.CTAP2_OK);
    expect(await readAll(key, 1000)).toEqual(first);
    key.auth.powerCycle();
    expect(await readAll(key, 1000)).toEqual(first);
    // The write went with the power cycle.
    expect((await write(key, second.subarray(100), 100))[0]).toBe(Status.CTAP1_ERR_INVALID_SEQ);
  });

  it('refuses an array whose trailer is wrong with INTEGRITY_FAILURE, keeping the old one', async () => {
    const key = new TestKey();
    const bad = arrayOf(40);
    bad[bad.length - 1]! ^= 1;
    expect((await write(key, bad, 0, bad.length))[0]).toBe(Status.CTAP2_ERR_INTEGRITY_FAILURE);
    expect(toHex(await readAll(key, 100))).toBe('8076be8b528d0075f7aae98d6fa57a6d3c');
  });

  it('is emptied by authenticatorReset', async () => {
    const key = new TestKey();
    await writeAll(key, arrayOf(50), 1000);
    expect((await key.call(RESET))[0]).toBe(Status.CTAP2_OK);
    expect(toHex(await readAll(key, 100))).toBe('8076be8b528d0075f7aae98d6fa57a6d3c');
  });
});

describe('authenticatorLargeBlobs errors, with the status §6.10.2 names', () => {
  const max = 7609 - 64; // maxFragmentLength = maxMsgSize - 64

  it('needs offset, and exactly one of get and set', async () => {
    const key = new TestKey();
    expect((await key.call(LB, new Map([[1, 10]])))[0]).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
    expect((await key.call(LB, new Map([[3, 0]])))[0]).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
    expect((await key.call(LB, new Map<number, unknown>([[1, 10], [2, new Uint8Array(17)], [3, 0]]) as never))[0]).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
    expect((await key.raw(new Uint8Array([LB])))[0]).toBe(Status.CTAP2_ERR_MISSING_PARAMETER);
    expect((await key.call(LB, new Map<number, unknown>([[1, 'ten'], [3, 0]]) as never))[0]).toBe(Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  });

  it('get: no length, no pinUvAuthParam, at most maxFragmentLength', async () => {
    const key = new TestKey();
    expect((await key.call(LB, new Map([[1, 10], [3, 0], [4, 10]])))[0]).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
    expect((await key.call(LB, new Map<number, unknown>([[1, 10], [3, 0], [5, new Uint8Array(32)]]) as never))[0]).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
    expect((await key.call(LB, new Map([[1, 10], [3, 0], [6, 2]])))[0]).toBe(Status.CTAP1_ERR_INVALID_PARAMETER);
    expect((await read(key, max, 0))[0]).toBe(Status.CTAP2_OK);
    expect((await read(key, max + 1, 0))[0]).toBe(Status.CTAP1_ERR_INVALID_LENGTH);
  });

  it('set: fragment size, the announced length, and where each fragment goes', async () => {
    const key = new TestKey();
    const array = arrayOf(2000);
    expect((await write(key, new Uint8Array(max + 1), 0, max + 1))[0]).toBe(Status.CTAP1_ERR_INVALID_LENGTH);
    expect((await write(key, array.subarray(0, 100), 0))[0]).toBe(Status.CTAP1_ERR_INVALID_PARAMETER); // no length at offset 0
    expect((await write(key, array.subarray(0, 16), 0, 16))[0]).toBe(Status.CTAP1_ERR_INVALID_PARAMETER); // under 17 bytes
    expect((await write(key, array.subarray(0, 100), 0, MAX_SERIALIZED_LARGE_BLOB_ARRAY + 1))[0]).toBe(Status.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL);
    expect((await write(key, array.subarray(0, 100), 100))[0]).toBe(Status.CTAP1_ERR_INVALID_SEQ); // nothing begun
    expect((await write(key, array.subarray(0, 100), 0, array.length))[0]).toBe(Status.CTAP2_OK);
    expect((await write(key, array.subarray(100, 200), 100, array.length))[0]).toBe(Status.CTAP1_ERR_INVALID_PARAMETER); // length again
    expect((await write(key, array.subarray(101, 200), 101))[0]).toBe(Status.CTAP1_ERR_INVALID_SEQ); // a gap
    expect((await write(key, array.subarray(100), 100 - 1))[0]).toBe(Status.CTAP1_ERR_INVALID_SEQ); // an overlap
    expect((await write(key, concatBytes(array.subarray(100), new Uint8Array(1)), 100))[0]).toBe(Status.CTAP1_ERR_INVALID_PARAMETER); // past the length
    expect((await write(key, array.subarray(100), 100))[0]).toBe(Status.CTAP2_OK); // the write goes on after errors
    expect(await readAll(key, 5000)).toEqual(array);
  });

  it('a write belongs to the channel that began it: another channel talking ends it', async () => {
    const key = new TestKey();
    const array = arrayOf(500);
    expect((await write(key, array.subarray(0, 200), 0, array.length))[0]).toBe(Status.CTAP2_OK);
    key.channel = 2;
    // The other channel cannot continue it...
    expect((await write(key, array.subarray(200), 200))[0]).toBe(Status.CTAP1_ERR_INVALID_SEQ);
    key.channel = 1;
    // ...and its talking (even a getInfo) ended it for the first channel too.
    expect((await write(key, array.subarray(200), 200))[0]).toBe(Status.CTAP1_ERR_INVALID_SEQ);
    expect((await write(key, array.subarray(0, 200), 0, array.length))[0]).toBe(Status.CTAP2_OK);
    key.channel = 3;
    expect((await key.call(INFO))[0]).toBe(Status.CTAP2_OK);
    key.channel = 1;
    expect((await write(key, array.subarray(200), 200))[0]).toBe(Status.CTAP1_ERR_INVALID_SEQ);
    // The same channel's other commands leave it be.
    expect((await write(key, array.subarray(0, 200), 0, array.length))[0]).toBe(Status.CTAP2_OK);
    expect((await key.call(INFO))[0]).toBe(Status.CTAP2_OK);
    expect((await write(key, array.subarray(200), 200))[0]).toBe(Status.CTAP2_OK);
    expect(await readAll(key, 5000)).toEqual(array);
  });
});

describe('credBlob and largeBlobKey', () => {
  const mcRk = (extensions: Record<string, unknown>, rk = true): Map<number, never> =>
    mcParams({ 6: extensions as never, 7: rk ? { rk: true } : undefined }) as Map<number, never>;

  it('getInfo lists the extensions, maxCredBlobLength, largeBlobs and maxSerializedLargeBlobArray', async () => {
    const [, info] = await new TestKey().call(INFO);
    expect(info!.get(2)).toEqual(expect.arrayContaining(['credProtect', 'credBlob', 'largeBlobKey']));
    expect(info!.get(0x0f)).toBeGreaterThanOrEqual(32);
    expect(info!.get(0x0b)).toBeGreaterThanOrEqual(1024);
    expect((info!.get(4) as CborMap).get('largeBlobs')).toBe(true);
    expect((info!.get(4) as CborMap).get('rk')).toBe(true);
  });

  it('credBlob: kept with a discoverable credential, read back with getCredBlob', async () => {
    const key = new TestKey();
    const blob = fromHex('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff');
    const [st, res] = await key.call(MC, mcRk({ credBlob: blob }));
    expect(st).toBe(Status.CTAP2_OK);
    const ad = parseAuthData(res!.get(2) as Uint8Array);
    expect(ad.extensions!.get('credBlob')).toBe(true);
    const [, got] = await key.call(GA, gaParams({ 4: { getCredBlob: true } as never }));
    expect(parseAuthData(got!.get(2) as Uint8Array).extensions!.get('credBlob')).toEqual(blob);
    // Not asked: no output; asked with false: no output either.
    const [, plain] = await key.call(GA, gaParams());
    expect(parseAuthData(plain!.get(2) as Uint8Array).extensions).toBeUndefined();
    const [, no] = await key.call(GA, gaParams({ 4: { getCredBlob: false } as never }));
    expect(parseAuthData(no!.get(2) as Uint8Array).extensions).toBeUndefined();
  });

  it('credBlob: false for a blob over maxCredBlobLength or a non-discoverable credential; empty bytes when none', async () => {
    const key = new TestKey();
    const [, big] = await key.call(MC, mcRk({ credBlob: new Uint8Array(33) }));
    expect(parseAuthData(big!.get(2) as Uint8Array).extensions!.get('credBlob')).toBe(false);
    const [, nonRk] = await key.call(MC, mcRk({ credBlob: new Uint8Array(3) }, false));
    const ad = parseAuthData(nonRk!.get(2) as Uint8Array);
    expect(ad.extensions!.get('credBlob')).toBe(false);
    const allow = [{ id: ad.attested!.credentialId, type: 'public-key' }];
    const [, got] = await key.call(GA, gaParams({ 3: allow as never, 4: { getCredBlob: true } as never }));
    expect(parseAuthData(got!.get(2) as Uint8Array).extensions!.get('credBlob')).toEqual(new Uint8Array(0));
    expect((await key.call(MC, mcRk({ credBlob: 'text' })))[0]).toBe(Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    expect((await key.call(GA, gaParams({ 4: { getCredBlob: 1 } as never })))[0]).toBe(Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  });

  it('largeBlobKey: 32 bytes at makeCredential 0x05, the same at getAssertion 0x07 and through a walk', async () => {
    const key = new TestKey();
    const [st, res] = await key.call(MC, mcRk({ largeBlobKey: true }));
    expect(st).toBe(Status.CTAP2_OK);
    const lbk = res!.get(5) as Uint8Array;
    expect(lbk).toHaveLength(32);
    // Not an authenticator data extension.
    expect(parseAuthData(res!.get(2) as Uint8Array).extensions).toBeUndefined();
    const [, other] = await key.call(MC, mcParams({ 3: { id: new Uint8Array([9]), name: 'bob' } as never, 7: { rk: true } as never }));
    expect(other!.has(5)).toBe(false);
    const [, first] = await key.call(GA, gaParams({ 4: { largeBlobKey: true } as never }));
    expect(first!.get(5)).toBe(2);
    const [, second] = await key.call(NEXT);
    // Newest first: bob (no key) answers first, then alice's key.
    expect(first!.has(7)).toBe(false);
    expect(second!.get(7)).toEqual(lbk);
    const [, notAsked] = await key.call(GA, gaParams({ 3: [{ id: (second!.get(1) as CborMap).get('id'), type: 'public-key' }] as never }));
    expect(notAsked!.has(7)).toBe(false);
  });

  it('largeBlobKey: false, or without rk, is INVALID_OPTION (before any touch)', async () => {
    const key = new TestKey();
    expect((await key.call(MC, mcRk({ largeBlobKey: false })))[0]).toBe(Status.CTAP2_ERR_INVALID_OPTION);
    expect((await key.call(MC, mcRk({ largeBlobKey: true }, false)))[0]).toBe(Status.CTAP2_ERR_INVALID_OPTION);
    expect(key.asked).toHaveLength(0);
    expect((await key.call(GA, gaParams({ 4: { largeBlobKey: false } as never })))[0]).toBe(Status.CTAP2_ERR_INVALID_OPTION);
  });
});
