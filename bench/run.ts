// Benchmarks, run on demand (npm run bench): figures and ratios, never pass/fail.
// Machines here are shared and noisy: compare ratios within one run, not figures across runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { Authenticator } from '../src/ctap2/authenticator.js';
import { decodeCbor, encodeCbor, type CborMap } from '../src/ctap/cbor.js';
import type { CredentialStore } from '../src/keystore/types.js';
import { MemoryStore } from '../src/keystore/memory.js';
import { SqliteStore } from '../src/keystore/sqlite.js';
import { parseAuthData } from '../src/client/authData.js';
import { Ctap2Client } from '../src/client/ctap2.js';
import { CtapHidHost } from '../src/hid/host.js';
import { VirtualAuthenticator } from '../src/node/virtual.js';
import { NodeCrypto } from '../src/node/nodeCrypto.js';
import type { Crypto } from '../src/ctap/crypto.js';
import { randomBytes } from 'node:crypto';

const ctx = { channel: 1, signal: new AbortController().signal, keepalive: () => undefined };

/** Runs `fn` repeatedly for about `ms`; operations per second (median of 3 rounds). */
async function rate(fn: () => unknown, ms = 700): Promise<number> {
  const rounds: number[] = [];
  for (let r = 0; r < 3; r++) {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < ms / 3) {
      await fn();
      n++;
    }
    rounds.push(n / ((performance.now() - start) / 1000));
  }
  return rounds.sort((a, b) => a - b)[1]!;
}

function core(store: CredentialStore, crypto?: Crypto): Authenticator {
  return new Authenticator(
    { now: Date.now, randomBytes: (n) => new Uint8Array(randomBytes(n)), userPresence: async () => 'approved', store, crypto },
    { maxDiscoverableCredentials: 100_000 },
  );
}

async function makeCredential(a: Authenticator, alg: number, rk: boolean, user = 1, rp = 'bench.example'): Promise<Uint8Array> {
  const req = new Map<number, unknown>([
    [1, new Uint8Array(32)], [2, { id: rp }], [3, { id: new Uint8Array([user >> 8, user & 255]) }],
    [4, [{ alg, type: 'public-key' }]], [7, { rk }],
  ]);
  const res = await a.handle(new Uint8Array([1, ...encodeCbor(req as never)]), ctx);
  return parseAuthData((decodeCbor(res.subarray(1)) as CborMap).get(2) as Uint8Array).attested!.credentialId;
}

function getAssertionRequest(id: Uint8Array, rp = 'bench.example'): Uint8Array {
  return new Uint8Array([2, ...encodeCbor(new Map<number, unknown>([[1, rp], [2, new Uint8Array(32)], [3, [{ type: 'public-key', id }]]]) as never)]);
}

const line = (name: string, value: number, unit = 'ops/s'): void => console.log(`${name.padEnd(58)} ${value.toFixed(0).padStart(8)} ${unit}`);

async function main(): Promise<void> {
  console.log('ctap-emu benchmarks (node', process.version, ')\n');

  console.log('signature primitive (P-256 ECDSA):');
  const msg = new Uint8Array(100);
  const sk = p256.utils.randomSecretKey();
  const noble = await rate(() => p256.sign(msg, sk, { format: 'der' }));
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const openssl = await rate(() => createSign('SHA256').update(msg).sign(privateKey));
  line('  @noble/curves p256.sign', noble);
  line('  node:crypto (OpenSSL) sign', openssl);
  console.log(`  ratio OpenSSL / noble: ${(openssl / noble).toFixed(1)}x (the core computes with the crypto it is given)\n`);

  console.log('authenticatorGetAssertion (allowList, memory store):');
  const results: Record<string, number> = {};
  for (const [name, alg] of [['ES256', -7], ['EdDSA', -8]] as const) {
    for (const [signerName, crypto] of [['noble', undefined], ['node:crypto', new NodeCrypto()]] as const) {
      const a = core(new MemoryStore(), crypto);
      const req = getAssertionRequest(await makeCredential(a, alg, false));
      results[`${name} ${signerName}`] = await rate(() => a.handle(req, ctx));
      line(`  core, ${name}, crypto: ${signerName}`, results[`${name} ${signerName}`]!);
    }
    console.log(`  ratio node:crypto / noble for ${name}: ${(results[`${name} node:crypto`]! / results[`${name} noble`]!).toFixed(1)}x`);
  }

  const key = new VirtualAuthenticator();
  const hid = await CtapHidHost.open(key.connect());
  const client = new Ctap2Client(hid);
  const id = parseAuthData((await client.makeCredential({
    clientDataHash: new Uint8Array(32), rp: { id: 'bench.example' }, user: { id: new Uint8Array([1]) },
    pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
  })).authData).attested!.credentialId;
  const viaHid = await rate(() => client.getAssertion({ rpId: 'bench.example', clientDataHash: new Uint8Array(32), allowList: [{ id, type: 'public-key' }] }));
  line('  CTAPHID loopback + Ctap2Client, ES256 (VirtualAuthenticator: node:crypto)', viaHid);
  console.log(`  ratio core / through CTAPHID: ${(results['ES256 node:crypto']! / viaHid).toFixed(2)}x\n`);
  await hid.close();
  key.close();

  console.log('discoverable getAssertion on the SQLite keystore, by how many credentials it holds:');
  const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-bench-'));
  const perSize: number[] = [];
  for (const n of [10, 2000]) {
    const store = new SqliteStore(join(dir, `k${n}.sqlite`));
    const a = core(store, new NodeCrypto());
    let target: Uint8Array = new Uint8Array(0);
    for (let u = 0; u < n; u++) {
      const credId = await makeCredential(a, -7, true, u, u === 0 ? 'bench.example' : `rp${u % 50}.example`);
      if (u === 0) target = credId;
    }
    const req = getAssertionRequest(target);
    perSize.push(await rate(() => a.handle(req, ctx)));
    line(`  ${n} credentials in the store (counter stored each time)`, perSize.at(-1)!);
    store.close();
  }
  console.log(`  ratio 10 / 2000 credentials: ${(perSize[0]! / perSize[1]!).toFixed(2)}x (1.0 means no growth)`);
  rmSync(dir, { recursive: true, force: true });
}

void main();
