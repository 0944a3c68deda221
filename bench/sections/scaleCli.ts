// Part of section "scale": the CLI on a large keystore file, as its users meet it. `ctap-emu creds
// list` (time to the last line, goal < 2 s), `ctap-emu serve` start-up (time until it says it is
// ready, goal < 1 s), and the RSS of each at 10 passkeys vs --scale. A bare `node -e 0` is the
// anchor: that much of every figure is Node starting.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../src/keystore/sqlite.js';
import { runCli, serve } from '../lib/cli.js';
import { procRssKb } from '../lib/measure.js';
import type { Report } from '../lib/report.js';
import type { BenchOptions } from '../run.js';

function nodeStartMs(): number {
  const t = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return performance.now() - t;
}

/** How many passkeys the file holds (a fill that ran out of time holds fewer than --scale). */
function countOf(path: string): number {
  const store = new SqliteStore(path, { mustExist: true });
  try {
    return store.count();
  } finally {
    store.close();
  }
}

interface CliFigures {
  listMs: number;
  listRssKb: number;
  readyMs: number;
  serveRssKb: number;
}

/** `large`: the goals apply (they are set for the large store). */
async function onFile(r: Report, label: string, path: string, large: boolean): Promise<CliFigures> {
  const list = await runCli(['creds', 'list', '--store', path]);
  if (list.code !== 0) throw new Error(`creds list exited ${list.code}: ${list.stderr.trim()}`);
  r.figure(`${label}: \`ctap-emu creds list\` (table to a pipe)`, list.ms, 'ms', undefined, large ? '< 2000' : undefined);
  r.figure(`${label}: creds list peak RSS`, list.peakRssKb / 1024, 'MiB');
  const served = await serve(path);
  const rss = procRssKb(served.pid)?.rss ?? NaN;
  await served.stop();
  r.figure(`${label}: \`ctap-emu serve\` start-up until ready`, served.readyMs, 'ms', undefined, large ? '< 1000' : undefined);
  r.figure(`${label}: serve RSS when ready`, rss / 1024, 'MiB');
  return { listMs: list.ms, listRssKb: list.peakRssKb, readyMs: served.readyMs, serveRssKb: rss };
}

/** `dir` holds the SQLite files the scale section filled (the spread layout fills fastest). */
export async function scaleCliSection(r: Report, o: BenchOptions, dir: string): Promise<void> {
  const small = join(dir, 'SQLite-one-RP-10.sqlite');
  const large = join(dir, `SQLite-many-RPs-${o.scale}.sqlite`);
  if (!existsSync(small) || !existsSync(large)) return r.note('CLI figures skipped: the SQLite stores were not filled');
  r.figure('anchor: `node -e 0` (Node start-up alone)', nodeStartMs(), 'ms');
  const a = await onFile(r, '10 passkeys', small, false);
  const count = countOf(large);
  const b = await onFile(r, `${count} passkeys`, large, true);
  r.ratio(`creds list time, ${count} / 10`, b.listMs / a.listMs);
  r.ratio(`serve start-up time, ${count} / 10`, b.readyMs / a.readyMs);
  r.ratio(`creds list peak RSS, ${count} / 10`, b.listRssKb / a.listRssKb, '<= 1.5');
  r.ratio(`serve RSS when ready, ${count} / 10`, b.serveRssKb / a.serveRssKb, '<= 1.5');
}
