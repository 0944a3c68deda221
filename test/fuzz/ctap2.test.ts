// Fuzz of the core's CBOR commands: valid requests for every command and subcommand (corpus.ts),
// mutated (mutate.ts), each on a fresh copy of a key with a PIN, credentials and a live token.
// Whatever arrives: a status the spec names, never CTAP1_ERR_OTHER (a handler bug), canonical
// CBOR on success, no hang, and the key still answers getInfo afterwards.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Command } from '../../src/ctap/constants.js';
import { Status, statusName } from '../../src/ctap/status.js';
import type { PresenceResult } from '../../src/ctap2/env.js';
import type { Authenticator } from '../../src/ctap2/authenticator.js';
import { toHex } from '../../src/util/bytes.js';
import { buildCorpus, type Seed } from './corpus.js';
import { checkResponse } from './checks.js';
import { copyKey, ctx, world } from './fixture.js';
import { applyMutation, mutation, type Mutation } from './mutate.js';
import { fuzz, timeout } from './settings.js';

let seeds: Seed[] = [];
beforeAll(async () => {
  seeds = await buildCorpus();
}, 30_000);

const BASE_TIME = world.now;

/** A request the key never answers fails the case instead of the whole run. */
async function answer(key: Authenticator, request: Uint8Array): Promise<Uint8Array> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer in 5 s')), 5000);
  });
  try {
    return await Promise.race([key.handle(request, ctx()), hung]);
  } finally {
    clearTimeout(timer);
  }
}

async function checked(key: Authenticator, request: Uint8Array, what: string): Promise<Uint8Array> {
  const res = await answer(key, request);
  try {
    checkResponse(res);
  } catch (e) {
    throw new Error(`${what}: request ${toHex(request)} got ${toHex(res)}: ${(e as Error).message}`);
  }
  return res;
}

interface Case {
  seed: number;
  mutation: Mutation;
  presence: PresenceResult;
  /** Milliseconds the clock jumps before the mutant: tokens and walks expire. */
  later: number;
}

async function runCase(pool: Seed[], c: Case): Promise<void> {
  const seed = pool[c.seed % pool.length]!;
  const key = copyKey(seed.key);
  world.presence = c.presence;
  world.now = BASE_TIME;
  try {
    for (const p of seed.prefix) await checked(key, p, `${seed.name} (prefix)`);
    world.now = BASE_TIME + c.later;
    await checked(key, applyMutation(seed.request, c.mutation), seed.name);
    const info = await checked(key, new Uint8Array([Command.authenticatorGetInfo]), `getInfo after ${seed.name}`);
    expect(statusName(info[0]!)).toBe('CTAP2_OK');
  } finally {
    world.presence = 'approved';
    world.now = BASE_TIME;
  }
}

const cases = (): fc.Arbitrary<Case> =>
  fc.record({
    seed: fc.nat(),
    mutation,
    presence: fc.constantFrom<PresenceResult>('approved', 'approved', 'denied', 'timeout'),
    later: fc.constantFrom(0, 0, 0, 29_000, 31_000, 601_000),
  });

/** Seeds grouped by command, so each command gets its share of runs. */
const GROUPS: [string, (s: Seed) => boolean][] = [
  ['makeCredential', (s) => s.request[0] === Command.authenticatorMakeCredential],
  ['getAssertion and getNextAssertion', (s) => s.request[0] === Command.authenticatorGetAssertion || s.request[0] === Command.authenticatorGetNextAssertion],
  ['clientPIN', (s) => s.request[0] === Command.authenticatorClientPIN],
  ['credentialManagement', (s) => s.request[0] === Command.authenticatorCredentialManagement || s.request[0] === Command.authenticatorCredentialManagementPreview],
  ['config', (s) => s.request[0] === Command.authenticatorConfig],
  ['getInfo, reset, selection, unimplemented and vendor commands', (s) =>
    ![0x01, 0x02, 0x06, 0x08, 0x0a, 0x41, 0x0d].includes(s.request[0]!)],
];

describe('the corpus', () => {
  it('gets, unmutated, the status each seed is meant to on a fresh copy of its key', async () => {
    for (const seed of seeds) {
      const key = copyKey(seed.key);
      for (const p of seed.prefix) await checked(key, p, `${seed.name} (prefix)`);
      const res = await checked(key, seed.request, seed.name);
      expect(`${seed.name}: ${statusName(res[0]!)}`).toBe(`${seed.name}: ${statusName(seed.expect)}`);
    }
    // Every group has seeds, and every command of CTAP 2.1 is among them.
    for (const [, inGroup] of GROUPS) expect(seeds.some(inGroup)).toBe(true);
    const commands = new Set(seeds.map((s) => s.request[0]));
    for (const c of [0x01, 0x02, 0x04, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]) expect(commands).toContain(c);
  });
});

describe('mutants of valid requests', () => {
  it.each(GROUPS)('%s', async (name, inGroup) => {
    const pool = seeds.filter(inGroup);
    await fuzz(`ctap2 mutants: ${name}`, fc.asyncProperty(cases(), (c) => runCase(pool, c)), 300);
  }, timeout(20_000));
});

describe('any bytes after any command byte', () => {
  it('answers with a named status, and getInfo after', async () => {
    const pool = seeds.filter((s) => s.request[0] === Command.authenticatorGetInfo);
    const anyRequest = fc.tuple(fc.nat(0xff), fc.uint8Array({ maxLength: 200 })).map(([cmd, body]) => Uint8Array.from([cmd, ...body]));
    await fuzz(
      'ctap2 random bytes',
      fc.asyncProperty(anyRequest, async (request) => {
        const key = copyKey(pool[0]!.key);
        await checked(key, request, 'random request');
        expect((await checked(key, new Uint8Array([Command.authenticatorGetInfo]), 'getInfo'))[0]).toBe(Status.CTAP2_OK);
      }),
      300,
    );
  }, timeout(20_000));
});
