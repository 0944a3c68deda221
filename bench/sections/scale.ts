// Section "scale": the cost of discoverable getAssertion (with UV, every credential a candidate;
// without, only credProtect-1 ones) and of makeCredential (rk) with 10, 1,000 and --scale
// passkeys for one RP, and the same totals spread over many RPs (10 each), memory and SQLite.
// Costs are compared with the 10-passkey store: 1.0 means the store's size costs nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../src/keystore/memory.js';
import { SqliteStore } from '../../src/keystore/sqlite.js';
import type { CredentialStore } from '../../src/keystore/types.js';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { getAssertionRequest, makeCredentialRequest, send } from '../lib/ctap.js';
import { fill, TARGET_RP, type Filled, type Layout } from '../lib/fill.js';
import { rate } from '../lib/measure.js';
import type { Report } from '../lib/report.js';
import type { BenchOptions } from '../run.js';
import { scaleCliSection } from './scaleCli.js';

/** How long one store may take to fill before it stops where it got to. */
const FILL_BUDGET_MS = 90_000;
const OPS = ['getAssertion rk, UV', 'getAssertion rk, no UV', 'makeCredential rk, UV'] as const;
type Op = (typeof OPS)[number];
type Costs = Record<Op, number>;

/** µs per operation (wall) of each op on a filled store, through the core. */
async function costs(store: CredentialStore, size: number): Promise<{ us: Costs; cpuUs: Costs }> {
  // Built-in UV, so a plain uv option verifies; room for every row and the new ones.
  const key = new VirtualAuthenticator({ store, userVerification: 'match', maxDiscoverableCredentials: size * 2 + 10_000 });
  const a = key.authenticator;
  const requests: Record<Op, () => Uint8Array> = {
    'getAssertion rk, UV': () => getAssertionRequest(TARGET_RP, [], true),
    'getAssertion rk, no UV': () => getAssertionRequest(TARGET_RP, [], false),
    'makeCredential rk, UV': () => makeCredentialRequest({ rpId: TARGET_RP, rk: true, uv: true }),
  };
  const us = {} as Costs;
  const cpuUs = {} as Costs;
  try {
    for (const op of OPS) {
      const m = await rate(() => send(a, requests[op]()), 700, 3);
      us[op] = 1e6 / m.perSecond;
      cpuUs[op] = m.cpuUsPerOp;
    }
  } finally {
    key.close(); // closes the store too (a SQLite file stays on disk for the CLI figures)
  }
  return { us, cpuUs };
}

function sizesFor(scale: number): number[] {
  return [...new Set([10, 1000, scale])].sort((x, y) => x - y);
}

function fillNote(r: Report, label: string, size: number, f: Filled): void {
  const per = f.count / (f.ms / 1000);
  r.note(f.truncated
    ? `${label}: fill STOPPED at ${f.count} of ${size} rows after ${(f.ms / 1000).toFixed(0)} s (${per.toFixed(0)} puts/s): figures below are for ${f.count}`
    : `${label}: filled ${f.count} rows in ${(f.ms / 1000).toFixed(2)} s (${per.toFixed(0)} rows/s, putMany in batches)`);
}

async function storeKind(r: Report, kind: 'memory' | 'SQLite', o: BenchOptions, dir: string): Promise<void> {
  let base: { us: Costs; cpuUs: Costs } | undefined;
  for (const layout of ['one RP', 'many RPs'] as Layout[]) {
    for (const size of sizesFor(o.scale)) {
      if (layout === 'many RPs' && size === 10) continue; // the same store as one RP with 10
      const path = join(dir, `${kind}-${layout.replace(' ', '-')}-${size}.sqlite`);
      const store: CredentialStore = kind === 'memory' ? new MemoryStore() : new SqliteStore(path);
      try {
        const filled = fill(store, size, layout, FILL_BUDGET_MS);
        const label = `${kind}, ${layout}, ${filled.count}${filled.truncated ? ` (of ${size})` : ''}`;
        fillNote(r, label, size, filled);
        const { us, cpuUs } = await costs(store, size);
        for (const op of OPS) r.figure(`${label}: ${op}`, us[op], 'µs/op', cpuUs[op]);
        base ??= { us, cpuUs };
        if (size === 10) continue;
        for (const op of OPS) r.ratio(`${kind} ${layout} ${filled.count} / 10, ${op}`, us[op] / base.us[op], '<= 1.2');
        // A SQLite registration waits for one fsync, whose time on a shared disk swings by 100x: CPU time shows the store's own cost.
        for (const op of OPS) r.ratio(`${kind} ${layout} ${filled.count} / 10, ${op}, by CPU`, cpuUs[op] / base.cpuUs[op], '<= 1.2');
      } finally {
        store.close();
      }
    }
  }
}

export async function scaleSection(r: Report, o: BenchOptions): Promise<void> {
  r.section('scale', `5. cost by store size: 10 / 1,000 / ${o.scale} passkeys, one RP and spread over many RPs`);
  r.note('credProtect alternates 1 and 2: with UV every credential of the RP is a candidate, without UV half are');
  const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-bench-scale-'));
  try {
    for (const kind of ['memory', 'SQLite'] as const) await storeKind(r, kind, o, dir);
    await scaleCliSection(r, o, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
