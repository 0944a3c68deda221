// README's Artillery example as a user runs it: examples/artillery copied into an empty folder, ctap-emu
// and artillery-engine-ctap-emu installed there from their packed tarballs, the example RP started,
// and `artillery run` on the scenario with the engine found by package name through NODE_PATH, as
// Artillery's distributed runners find it. Artillery is this repo's devDependency (it needs Node
// 22.18+: CTAP_EMU_NODE24 runs it where the machine's Node is older). Zero failed ceremonies in its
// JSON report. Needs the npm registry (@simplewebauthn/server); CTAP_EMU_SKIP_PACKAGE=1 skips it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expectOk, MIN, packBuilt, run, type Toolchain } from './toolchain.js';
import { startExampleRp, type ExampleRp } from '../helpers/exampleRp.js';

const REPO = process.cwd();
const EXAMPLE = join(REPO, 'examples/artillery');
const SCENARIO = 'passkeys.yml';

const skipAll = process.env.CTAP_EMU_SKIP_PACKAGE === '1';

/** A node for Artillery (>= 22.18): CTAP_EMU_NODE24's, else this one if new enough. */
function artilleryNode(): { node?: string; reason?: string } {
  if (process.env.CTAP_EMU_NODE24) return { node: join(process.env.CTAP_EMU_NODE24, 'node') };
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 18)) return { node: process.execPath };
  return { reason: `Artillery 2 needs Node 22.18+ (this is ${process.version}); set CTAP_EMU_NODE24 to Node 24's folder, as .ci/run does` };
}
const runtime = artilleryNode();
// On CI a missing runtime is a failure, not a skip.
const skip = skipAll || (!runtime.node && !process.env.CI);
if (!skipAll && !runtime.node && !process.env.CI) console.warn(`skipping the Artillery load test: ${runtime.reason}`);

/** The machine's npm, and `node` = the runtime Artillery needs. */
const tc = (node: string): Toolchain => ({ name: 'Artillery', nodeDir: dirname(node), npm: ['npm'], npx: ['npx'], blocksScripts: false });

/** The ```yaml block of README's Artillery section. */
function readmeScenario(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const at = readme.indexOf('## Load tests with Artillery');
  if (at < 0) throw new Error('README.md has no "## Load tests with Artillery" section');
  const m = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) throw new Error('README\'s Artillery section has no ```yaml block');
  return m[1]!;
}

describe.skipIf(skip)('Artillery: README\'s passkey load on the example RP', () => {
  let work: string;
  let project: string;
  let rp: ExampleRp | undefined;
  let target: string;

  beforeAll(async () => {
    if (!runtime.node) return;
    work = mkdtempSync(join(tmpdir(), 'ctap-emu-artillery-'));
    if (!existsSync(join(REPO, 'dist/src/artillery/index.js'))) throw new Error('dist/src is not built: npm test builds it first');
    const tarballs = await packBuilt(tc(runtime.node), [REPO, join(REPO, 'packages/artillery-engine-ctap-emu')], work);
    project = join(work, 'example');
    cpSync(EXAMPLE, project, { recursive: true });
    // Artillery itself is not installed again (400+ MB): the repo's copy runs it, as a runner's own does.
    const pj = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as Record<string, unknown>;
    delete pj.devDependencies;
    writeFileSync(join(project, 'package.json'), JSON.stringify(pj, null, 2));
    expectOk('npm install (the example, with the packed tarballs)', await run(tc(runtime.node), ['npm', 'install', '--no-audit', '--no-fund', ...tarballs], project, { timeoutMs: 5 * MIN }));

    rp = await startExampleRp(runtime.node, project);
    target = rp.url;
  }, 8 * MIN);

  afterAll(() => {
    rp?.process.kill();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('README\'s scenario is the example\'s passkeys.yml', () => {
    expect(readmeScenario()).toBe(readFileSync(join(EXAMPLE, SCENARIO), 'utf8'));
  });

  it('artillery run: a few hundred passkey ceremonies (UV and resident key required), none failed', async () => {
    if (!runtime.node) throw new Error(runtime.reason);
    const artillery = join(REPO, 'node_modules/artillery/bin/run');
    const r = await run(tc(runtime.node), ['node', artillery, 'run', '--target', target, '--output', 'report.json', SCENARIO], project, {
      env: { NODE_PATH: join(project, 'node_modules'), ARTILLERY_DISABLE_TELEMETRY: 'true' }, timeoutMs: 4 * MIN,
    });
    expectOk(`artillery run --target ${target} ${SCENARIO}`, r);
    expect(r.stdout, 'Artillery could not load the engine').not.toMatch(/WARNING: engine/);
    const { counters } = (JSON.parse(readFileSync(join(project, 'report.json'), 'utf8')) as { aggregate: { counters: Record<string, number> } }).aggregate;
    const errors = Object.entries(counters).filter(([k]) => k.startsWith('errors.'));
    expect(errors, 'errors Artillery counted').toEqual([]);
    expect(counters['ctap_emu.ceremonies_failed'], 'failed ceremonies').toBe(0);
    expect(counters['vusers.failed']).toBe(0);
    // Each virtual user registers once and signs in twice (passkeys.yml).
    expect(counters['vusers.completed']).toBeGreaterThanOrEqual(90);
    expect(counters['ctap_emu.ceremonies.register']).toBe(counters['vusers.completed']);
    expect(counters['ctap_emu.ceremonies.authenticate']).toBe(2 * counters['vusers.completed']!);
    expect(counters['ctap_emu.ceremonies']).toBeGreaterThanOrEqual(270);
  }, 5 * MIN);
});
