// `npm run bench [-- --scale N] [--only a,b] [--json]`: figures and ratios, never pass/fail (the
// exit status says only whether the bench itself ran). Machines here are shared and noisy: compare
// each figure with its anchor in the same run, not figures across runs.
import { cryptoSection } from './sections/crypto.js';
import { hidSection } from './sections/hid.js';
import { passkeysSection } from './sections/passkeys.js';
import { scaleSection } from './sections/scale.js';
import { signSection } from './sections/sign.js';
import { udpSection } from './sections/udp.js';
import { Report } from './lib/report.js';

export interface BenchOptions {
  /** The large store size of the scale section. */
  scale: number;
  json: boolean;
}

const SECTIONS: Record<string, (r: Report, o: BenchOptions) => Promise<void>> = {
  crypto: cryptoSection,
  sign: signSection,
  hid: hidSection,
  passkeys: passkeysSection,
  udp: udpSection,
  scale: scaleSection,
};

const USAGE = `usage: npm run bench -- [--scale N] [--only ${Object.keys(SECTIONS).join(',')}] [--json]`;

function parseArgs(argv: string[]): BenchOptions & { only: string[] } {
  const o = { scale: 100_000, json: false, only: Object.keys(SECTIONS) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => argv[++i] ?? fail(`${a} needs a value`);
    if (a === '--json') o.json = true;
    else if (a === '--scale') o.scale = Number(value());
    else if (a === '--only') o.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--help' || a === '-h') (console.log(USAGE), process.exit(0));
    else fail(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.scale) || o.scale < 100) fail('--scale must be a whole number >= 100');
  for (const s of o.only) if (!SECTIONS[s]) fail(`unknown section ${s}`);
  return o;
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const r = new Report(o.json);
  const started = new Date().toISOString();
  (o.json ? process.stderr : process.stdout).write(`ctap-emu benchmarks: node ${process.version}, scale ${o.scale}, sections ${o.only.join(',')}\n`);
  for (const id of o.only) {
    try {
      await SECTIONS[id]!(r, o);
    } catch (e) {
      // A section that breaks is reported and the others still run.
      r.section(`${id}-error`, `${id}: error`);
      r.skip(`error: ${(e as Error).stack ?? String(e)}`);
      process.exitCode = 1;
    }
  }
  if (o.json) process.stdout.write(`${r.document({ started, node: process.version, scale: o.scale, only: o.only })}\n`);
}

void main();
