// How hard the fuzz properties run: a short pass inside `npm test`, or what `npm run fuzz` asks for
// (test/fuzz/run.mjs passes it in the environment). Every property reports its seed, and a failure
// the fast-check counterexample and the command that replays it.
import fc from 'fast-check';
import { expect } from 'vitest';

const env = process.env;
const num = (s: string | undefined): number | undefined => (s === undefined || s === '' ? undefined : Number(s));

/** Set by run.mjs: runs per property, seconds per property, a seed and a path to replay. */
const runs = num(env.CTAP_EMU_FUZZ_RUNS);
const seconds = num(env.CTAP_EMU_FUZZ_SECONDS);
const seed = num(env.CTAP_EMU_FUZZ_SEED);
const path = env.CTAP_EMU_FUZZ_PATH || undefined;

/** The long mode of `npm run fuzz` (the short pass in `npm test` otherwise). */
export const LONG = runs !== undefined || seconds !== undefined || path !== undefined;

/** A vitest time-out: the short pass's own, or none to speak of in the long mode. */
export const timeout = (shortMs: number): number => (LONG ? 2 ** 31 - 1 : shortMs);

/** Checks `property` `shortRuns` times (or as run.mjs says); throws a report that replays a failure. */
export async function fuzz<Ts>(name: string, property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>, shortRuns: number): Promise<void> {
  const params: fc.Parameters<Ts> = {
    seed: seed ?? (Date.now() ^ Math.floor(Math.random() * 2 ** 31)) | 0,
    numRuns: runs ?? (seconds !== undefined ? Number.MAX_SAFE_INTEGER : shortRuns),
    path,
    plugins: (seconds !== undefined ? [fc.interruptAfterTimeLimit(seconds * 1000)] : []) as fc.Parameters<Ts>['plugins'],
  };
  const started = performance.now();
  const out = await fc.check(property, params);
  const took = ((performance.now() - started) / 1000).toFixed(1);
  if (LONG || out.failed) console.log(`[fuzz] ${name}: ${out.numRuns} runs in ${took} s, seed ${out.seed}${out.failed ? ', FAILED' : ', ok'}`);
  if (!out.failed) return;
  const report = (await fc.asyncDefaultReportMessage(out)) ?? 'failed';
  // vitest's -t takes a pattern over the test's name (not the property's): this test's, escaped.
  const test = (expect.getState().currentTestName ?? name).split(' > ').at(-1)!;
  const pattern = test.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/'/g, '.');
  const replay = `npm run fuzz -- --seed ${out.seed} --path ${out.counterexamplePath ?? ''} -t '${pattern}'`;
  throw new Error(`${name}\n${report}\nReplay: ${replay}`, { cause: out.errorInstance });
}
