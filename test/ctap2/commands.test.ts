// The core's commands, driven directly: success paths, and each malformed or refused request
// with the exact status the spec names.
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Command, KeepaliveStatus } from '../../src/ctap/constants.js';
import { decodeCbor, encodeCbor, type CborMap } from '../../src/ctap/cbor.js';
import { Status } from '../../src/ctap/status.js';
import { parseAuthData } from '../../src/client/authData.js';
import { concatBytes, utf8 } from '../../src/util/bytes.js';
import { gaParams, hash32, mcParams, TestKey } from '../helpers/core.js';

const { authenticatorMakeCredential: MC, authenticatorGetAssertion: GA, authenticatorGetInfo: INFO,
  authenticatorGetNextAssertion: NEXT, authenticatorReset: RESET, authenticatorSelection: SELECT } = Command;

async function makeRk(key: TestKey, userId: number, extra: Record<number, unknown> = {}): Promise<Uint8Array> {
  const [st, res] = await key.call(MC, mcParams({
    3: { id: new Uint8Array([userId]), name: `user${userId}`, displayName: `User ${userId}` },
    7: { rk: true },
    ...(extra as Record<number, never>),
  }));
  expect(st).toBe(Status.CTAP2_OK);
  return parseAuthData(res!.get(2) as Uint8Array).attested!.credentialId;
}

describe('authenticatorGetInfo', () => {
  it('answers in canonical CBOR and follows the rules hosts enforce', async () => {
    const key = new TestKey();
    const res = await key.raw(new Uint8Array([INFO]));
    expect(res[0]).toBe(0);
    const info = decodeCbor(res.subarray(1)) as CborMap;
    expect(encodeCbor(info)).toEqual(res.subarray(1)); // canonical: re-encoding gives the same bytes
    const versions = info.get(1) as string[];
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions).toContain('FIDO_2_0');
    expect((info.get(3) as Uint8Array).length).toBe(16);
    for (const v of (info.get(4) as CborMap).values()) expect(typeof v).toBe('boolean');
    expect(info.get(9)).toEqual(['usb']);
    // ES256, EdDSA, ES384 by default, in that order; RS256 only when turned on.
    expect(info.get(10)).toEqual([-7, -8, -35].map((alg) => new Map<string, unknown>([['alg', alg], ['type', 'public-key']])));
    expect(info.get(0x14)).toBe(256);
  });

  it('counts remaining discoverable credentials down', async () => {
    const key = new TestKey({ maxDiscoverableCredentials: 2 });
    await makeRk(key, 1);
    const [, info] = await key.call(INFO);
    expect(info!.get(0x14)).toBe(1);
  });
});

describe('authenticatorMakeCredential', () => {
  it('returns packed self attestation whose signature verifies with the new key (attestation: self)', async () => {
    const key = new TestKey({ attestation: 'self' });
    const [st, res] = await key.call(MC, mcParams());
    expect(st).toBe(0);
    expect(res!.get(1)).toBe('packed');
    const authData = res!.get(2) as Uint8Array;
    const ad = parseAuthData(authData);
    expect(ad.rpIdHash).toEqual(sha256(utf8('example.com')));
    expect(ad.flags).toBe(0x41); // UP | AT
    const cose = ad.attested!.publicKey;
    const pub = concatBytes(new Uint8Array([4]), cose.get(-2) as Uint8Array, cose.get(-3) as Uint8Array);
    const attStmt = res!.get(3) as CborMap;
    expect(attStmt.get('alg')).toBe(-7);
    const msg = concatBytes(authData, hash32());
    expect(p256.verify(attStmt.get('sig') as Uint8Array, msg, pub, { format: 'der' })).toBe(true);
  });

  it('honours attestationFormatsPreference ["none"]', async () => {
    const key = new TestKey();
    const [, res] = await key.call(MC, mcParams({ 0x0b: ['tpm', 'none'] }));
    expect(res!.get(1)).toBe('none');
    expect(res!.get(3)).toEqual(new Map());
  });

  it('picks the first supported algorithm in the RP order and skips other types', async () => {
    const key = new TestKey();
    const [, res] = await key.call(MC, mcParams({
      4: [{ alg: -257, type: 'public-key' }, { alg: -7, type: 'not-a-key' }, { alg: -8, type: 'public-key' }, { alg: -7, type: 'public-key' }],
    }));
    expect(parseAuthData(res!.get(2) as Uint8Array).attested!.publicKey.get(3)).toBe(-8);
  });

  it.each([
    ['no supported algorithm', { 4: [{ alg: -257, type: 'public-key' }] }, Status.CTAP2_ERR_UNSUPPORTED_ALGORITHM],
    ['missing clientDataHash', { 1: undefined }, Status.CTAP2_ERR_MISSING_PARAMETER],
    ['missing rp', { 2: undefined }, Status.CTAP2_ERR_MISSING_PARAMETER],
    ['missing user', { 3: undefined }, Status.CTAP2_ERR_MISSING_PARAMETER],
    ['missing pubKeyCredParams', { 4: undefined }, Status.CTAP2_ERR_MISSING_PARAMETER],
    ['rp.id missing', { 2: { name: 'x' } }, Status.CTAP2_ERR_MISSING_PARAMETER],
    ['user.id missing', { 3: { name: 'x' } }, Status.CTAP2_ERR_MISSING_PARAMETER],
    ['clientDataHash as text', { 1: 'abc' }, Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['rp as an array', { 2: ['example.com'] }, Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['user.id as text', { 3: { id: 'abc' } }, Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['pubKeyCredParams as a map', { 4: { alg: -7 } }, Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['a pubKeyCredParams entry without alg', { 4: [{ type: 'public-key' }] }, Status.CTAP2_ERR_MISSING_PARAMETER],
    ['an option that is not a boolean', { 7: { rk: 1 } }, Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['excludeList entry without id', { 5: [{ type: 'public-key' }] }, Status.CTAP2_ERR_MISSING_PARAMETER],
    ['up=false', { 7: { up: false } }, Status.CTAP2_ERR_INVALID_OPTION],
    ['uv=true with no built-in verification', { 7: { uv: true } }, Status.CTAP2_ERR_INVALID_OPTION],
    ['user.id over 64 bytes', { 3: { id: new Uint8Array(65) } }, Status.CTAP1_ERR_INVALID_LENGTH],
    ['enterprise attestation', { 0x0a: 1 }, Status.CTAP1_ERR_INVALID_PARAMETER],
    ['credProtect level 4', { 6: { credProtect: 4 } }, Status.CTAP1_ERR_INVALID_PARAMETER],
    ['pinUvAuthParam without protocol', { 8: new Uint8Array(16) }, Status.CTAP2_ERR_MISSING_PARAMETER],
    ['an unknown pinUvAuthProtocol', { 8: new Uint8Array(16), 9: 7 }, Status.CTAP1_ERR_INVALID_PARAMETER],
  ])('refuses %s', async (_name, over, status) => {
    const key = new TestKey();
    const [st] = await key.call(MC, mcParams(over as never));
    expect(st).toBe(status);
    expect(key.store.count()).toBe(0);
  });

  it('answers the zero-length pinUvAuthParam probe with PIN_NOT_SET, after a touch', async () => {
    const key = new TestKey();
    const [st] = await key.call(MC, mcParams({ 8: new Uint8Array(0), 9: 1 }));
    expect(st).toBe(Status.CTAP2_ERR_PIN_NOT_SET);
    expect(key.asked).toHaveLength(1);
  });

  it('excludes a credential it holds, after a touch, and ignores foreign IDs', async () => {
    const key = new TestKey();
    const id = await makeRk(key, 1);
    key.asked.length = 0;
    const [st] = await key.call(MC, mcParams({ 5: [{ type: 'public-key', id: new Uint8Array(70) }, { type: 'public-key', id }] }));
    expect(st).toBe(Status.CTAP2_ERR_CREDENTIAL_EXCLUDED);
    expect(key.asked).toEqual([expect.objectContaining({ command: 'makeCredential', probe: true })]);
  });

  it('replaces the discoverable credential of the same user and RP', async () => {
    const key = new TestKey();
    const first = await makeRk(key, 1);
    const second = await makeRk(key, 1);
    expect(key.store.count()).toBe(1);
    expect(key.store.get(first)).toBeUndefined();
    expect(key.store.get(second)).toBeDefined();
  });

  it('refuses a new discoverable credential when the store is full', async () => {
    const key = new TestKey({ maxDiscoverableCredentials: 1 });
    await makeRk(key, 1);
    const [st] = await key.call(MC, mcParams({ 3: { id: new Uint8Array([9]) }, 7: { rk: true } }));
    expect(st).toBe(Status.CTAP2_ERR_KEY_STORE_FULL);
  });

  it('maps a denied touch, a time-out and a cancel to their statuses, storing nothing', async () => {
    const key = new TestKey();
    key.presence = 'denied';
    expect((await key.call(MC, mcParams({ 7: { rk: true } })))[0]).toBe(Status.CTAP2_ERR_OPERATION_DENIED);
    key.presence = 'timeout';
    expect((await key.call(MC, mcParams({ 7: { rk: true } })))[0]).toBe(Status.CTAP2_ERR_USER_ACTION_TIMEOUT);
    const ac = new AbortController();
    key.presence = () => new Promise(() => undefined); // the user never touches
    const pending = key.call(MC, mcParams({ 7: { rk: true } }), ac.signal);
    await new Promise((r) => setTimeout(r, 5));
    expect(key.keepalives).toContain(KeepaliveStatus.UPNEEDED);
    ac.abort();
    expect((await pending)[0]).toBe(Status.CTAP2_ERR_KEEPALIVE_CANCEL);
    expect(key.store.count()).toBe(0);
  });

  it('reports credProtect in the authenticator data extensions', async () => {
    const key = new TestKey();
    const [, res] = await key.call(MC, mcParams({ 6: { credProtect: 2 } }));
    const ad = parseAuthData(res!.get(2) as Uint8Array);
    expect(ad.flags & 0x80).toBe(0x80);
    expect(ad.extensions!.get('credProtect')).toBe(2);
  });
});

describe('authenticatorGetAssertion and authenticatorGetNextAssertion', () => {
  it('signs with a non-discoverable credential from allowList, counter rising, no user entity', async () => {
    const key = new TestKey();
    const [, mc] = await key.call(MC, mcParams());
    const id = parseAuthData(mc!.get(2) as Uint8Array).attested!.credentialId;
    const [st, res] = await key.call(GA, gaParams({ 3: [{ type: 'public-key', id }] }));
    expect(st).toBe(0);
    expect(res!.has(4)).toBe(false);
    expect(res!.has(5)).toBe(false);
    const c1 = parseAuthData(res!.get(2) as Uint8Array).signCount;
    const [, res2] = await key.call(GA, gaParams({ 3: [{ type: 'public-key', id }] }));
    expect(parseAuthData(res2!.get(2) as Uint8Array).signCount).toBeGreaterThan(c1);
  });

  it('returns only the user id without user verification', async () => {
    const key = new TestKey();
    await makeRk(key, 7);
    const [, res] = await key.call(GA, gaParams());
    expect(res!.get(4)).toEqual(new Map([['id', new Uint8Array([7])]]));
  });

  it('stores each counter before answering', async () => {
    const key = new TestKey();
    const id = await makeRk(key, 1);
    const [, res] = await key.call(GA, gaParams());
    expect(key.store.get(id)!.signCount).toBe(parseAuthData(res!.get(2) as Uint8Array).signCount);
  });

  it('walks discoverable credentials newest first, then refuses another getNextAssertion', async () => {
    const key = new TestKey();
    const ids = [];
    for (const u of [1, 2, 3]) {
      ids.push(await makeRk(key, u));
      key.time += 1000;
    }
    const [, first] = await key.call(GA, gaParams());
    expect(first!.get(5)).toBe(3);
    const got = [(first!.get(1) as CborMap).get('id')];
    for (let i = 0; i < 2; i++) {
      const [st, next] = await key.call(NEXT);
      expect(st).toBe(0);
      expect(next!.has(5)).toBe(false);
      got.push((next!.get(1) as CborMap).get('id'));
    }
    expect(got).toEqual([ids[2], ids[1], ids[0]]);
    expect((await key.call(NEXT))[0]).toBe(Status.CTAP2_ERR_NOT_ALLOWED);
  });

  it('walks from the store: a credential deleted mid-walk is skipped, one added is not counted in', async () => {
    const key = new TestKey();
    const ids = [];
    for (const u of [1, 2, 3, 4]) {
      ids.push(await makeRk(key, u));
      key.time += 1000;
    }
    const [, first] = await key.call(GA, gaParams());
    expect(first!.get(5)).toBe(4);
    key.store.delete(ids[2]!);
    const [, next] = await key.call(NEXT);
    expect((next!.get(1) as CborMap).get('id')).toEqual(ids[1]);
    const [, last] = await key.call(NEXT);
    expect((last!.get(1) as CborMap).get('id')).toEqual(ids[0]);
    // Four were announced but only three remained: the walk ends with the store.
    expect((await key.call(NEXT))[0]).toBe(Status.CTAP2_ERR_NOT_ALLOWED);
  });

  it('counts and walks only the credentials credProtect lets a request without uv find', async () => {
    const key = new TestKey();
    const open1 = await makeRk(key, 1);
    key.time += 1000;
    await makeRk(key, 2, { 6: { credProtect: 2 } });
    key.time += 1000;
    const open3 = await makeRk(key, 3);
    key.time += 1000;
    await makeRk(key, 4, { 6: { credProtect: 3 } });
    const [, first] = await key.call(GA, gaParams());
    expect(first!.get(5)).toBe(2);
    expect((first!.get(1) as CborMap).get('id')).toEqual(open3);
    const [, next] = await key.call(NEXT);
    expect((next!.get(1) as CborMap).get('id')).toEqual(open1);
    expect((await key.call(NEXT))[0]).toBe(Status.CTAP2_ERR_NOT_ALLOWED);
  });

  it('walks credentials made in the same millisecond newest first (creation order, not ID order)', async () => {
    const key = new TestKey();
    const ids = [];
    for (const u of [1, 2, 3, 4, 5, 6]) ids.push(await makeRk(key, u)); // the clock does not move
    const [, first] = await key.call(GA, gaParams());
    const got = [(first!.get(1) as CborMap).get('id')];
    for (let i = 0; i < 5; i++) got.push(((await key.call(NEXT))[1]!.get(1) as CborMap).get('id'));
    expect(got).toEqual(ids.reverse());
  });

  it('ends the walk after 30 s or after any other command', async () => {
    const key = new TestKey();
    for (const u of [1, 2, 3]) await makeRk(key, u);
    await key.call(GA, gaParams());
    key.time += 30_001;
    expect((await key.call(NEXT))[0]).toBe(Status.CTAP2_ERR_NOT_ALLOWED);
    await key.call(GA, gaParams());
    await key.call(INFO);
    expect((await key.call(NEXT))[0]).toBe(Status.CTAP2_ERR_NOT_ALLOWED);
  });

  it('answers NO_CREDENTIALS (after the touch) for an RP it has nothing for', async () => {
    const key = new TestKey();
    await makeRk(key, 1);
    key.asked.length = 0;
    const [st] = await key.call(GA, gaParams({ 1: 'other.example' }));
    expect(st).toBe(Status.CTAP2_ERR_NO_CREDENTIALS);
    expect(key.asked).toHaveLength(1);
  });

  it('does not find a deleted discoverable credential even by its ID', async () => {
    const key = new TestKey();
    const id = await makeRk(key, 1);
    key.store.delete(id);
    expect((await key.call(GA, gaParams({ 3: [{ type: 'public-key', id }] })))[0]).toBe(Status.CTAP2_ERR_NO_CREDENTIALS);
  });

  it('signs without a touch when up=false, and clears the UP flag', async () => {
    const key = new TestKey();
    await makeRk(key, 1);
    key.asked.length = 0;
    const [, res] = await key.call(GA, gaParams({ 5: { up: false } }));
    expect(parseAuthData(res!.get(2) as Uint8Array).up).toBe(false);
    expect(key.asked).toHaveLength(0);
  });

  it('hides credProtect level 3 without uv, and level 2 unless named in allowList', async () => {
    const key = new TestKey();
    const id2 = await makeRk(key, 2, { 6: { credProtect: 2 } });
    await makeRk(key, 3, { 6: { credProtect: 3 } });
    expect((await key.call(GA, gaParams()))[0]).toBe(Status.CTAP2_ERR_NO_CREDENTIALS);
    expect((await key.call(GA, gaParams({ 3: [{ type: 'public-key', id: id2 }] })))[0]).toBe(0);
  });

  it.each([
    ['missing rpId', { 1: undefined }, Status.CTAP2_ERR_MISSING_PARAMETER],
    ['missing clientDataHash', { 2: undefined }, Status.CTAP2_ERR_MISSING_PARAMETER],
    ['rpId as bytes', { 1: new Uint8Array(3) }, Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['allowList as a map', { 3: { id: 1 } }, Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['an allowList entry id as text', { 3: [{ type: 'public-key', id: 'x' }] }, Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['the rk option', { 5: { rk: true } }, Status.CTAP2_ERR_UNSUPPORTED_OPTION],
    ['uv=true with no built-in verification', { 5: { uv: true } }, Status.CTAP2_ERR_INVALID_OPTION],
  ])('refuses %s', async (_name, over, status) => {
    const key = new TestKey();
    expect((await key.call(GA, gaParams(over as never)))[0]).toBe(status);
  });

  it('refuses getNextAssertion with no walk in progress', async () => {
    expect((await new TestKey().call(NEXT))[0]).toBe(Status.CTAP2_ERR_NOT_ALLOWED);
  });
});

describe('authenticatorReset and authenticatorSelection', () => {
  it('wipes credentials and the master secret within 10 s of power-up, after a touch', async () => {
    const key = new TestKey();
    const [, mc] = await key.call(MC, mcParams());
    const id = parseAuthData(mc!.get(2) as Uint8Array).attested!.credentialId;
    await makeRk(key, 1);
    expect((await key.call(RESET))[0]).toBe(0);
    expect(key.store.count()).toBe(0);
    // The old non-discoverable credential was sealed under the old master secret.
    expect((await key.call(GA, gaParams({ 3: [{ type: 'public-key', id }] })))[0]).toBe(Status.CTAP2_ERR_NO_CREDENTIALS);
  });

  it('refuses reset more than 10 s after power-up until the next power cycle', async () => {
    const key = new TestKey();
    await makeRk(key, 1);
    key.time += 10_001;
    expect((await key.call(RESET))[0]).toBe(Status.CTAP2_ERR_NOT_ALLOWED);
    expect(key.store.count()).toBe(1);
    key.auth.powerCycle();
    expect((await key.call(RESET))[0]).toBe(0);
  });

  it('keeps everything when the user denies the reset touch', async () => {
    const key = new TestKey();
    await makeRk(key, 1);
    key.presence = 'denied';
    expect((await key.call(RESET))[0]).toBe(Status.CTAP2_ERR_OPERATION_DENIED);
    expect(key.store.count()).toBe(1);
  });

  it('answers selection after a touch', async () => {
    const key = new TestKey();
    expect((await key.call(SELECT))[0]).toBe(0);
    key.presence = 'denied';
    expect((await key.call(SELECT))[0]).toBe(Status.CTAP2_ERR_OPERATION_DENIED);
  });
});

describe('request framing in the core', () => {
  it.each([
    ['an empty request', [], Status.CTAP1_ERR_INVALID_LENGTH],
    ['an unknown command', [0x55], Status.CTAP1_ERR_INVALID_COMMAND],
    ['a vendor command', [0x42, 0xa0], Status.CTAP1_ERR_INVALID_COMMAND],
    ['malformed CBOR', [MC, 0xa1, 0x01], Status.CTAP2_ERR_INVALID_CBOR],
    ['parameters that are not a map', [MC, 0x80], Status.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['makeCredential with no parameters', [MC], Status.CTAP2_ERR_MISSING_PARAMETER],
    ['getAssertion with no parameters', [GA], Status.CTAP2_ERR_MISSING_PARAMETER],
  ])('answers %s with its status', async (_name, bytes, status) => {
    const res = await new TestKey().raw(new Uint8Array(bytes));
    expect([...res]).toEqual([status]);
  });
});
