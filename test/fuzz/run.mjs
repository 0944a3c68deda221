#!/usr/bin/env node
// npm run fuzz -- [--runs N] [--seconds S] [--seed S] [--path P] [vitest options, e.g. -t NAME]
// The fuzz suite (test/fuzz) under vitest, long: --runs per property (default 100000), or for
// --seconds per property; --seed and --path replay what a failure printed. Not shipped (test/).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ours = { '--runs': 'CTAP_EMU_FUZZ_RUNS', '--seconds': 'CTAP_EMU_FUZZ_SECONDS', '--seed': 'CTAP_EMU_FUZZ_SEED', '--path': 'CTAP_EMU_FUZZ_PATH' };
const env = { ...process.env };
const rest = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i].split(/=(.*)/s, 2);
  if (!(flag in ours)) {
    rest.push(args[i]);
    continue;
  }
  const value = inline ?? args[++i];
  if (value === undefined || (flag !== '--path' && !/^-?\d+$/.test(value))) {
    console.error(`${flag} needs ${flag === '--path' ? 'a path such as 12:0:3' : 'an integer'}`);
    process.exit(2);
  }
  env[ours[flag]] = value;
}
if (!env.CTAP_EMU_FUZZ_RUNS && !env.CTAP_EMU_FUZZ_SECONDS && !env.CTAP_EMU_FUZZ_PATH) env.CTAP_EMU_FUZZ_RUNS = '100000';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
// One file at a time: each property gets a core to itself, and the output reads in order.
const r = spawnSync(process.execPath, [vitest, 'run', 'test/fuzz', '--no-file-parallelism', ...rest], { cwd: root, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
