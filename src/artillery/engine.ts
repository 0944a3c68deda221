// An Artillery 2.x engine (scenarios with `engine: ctap-emu`): each virtual user gets a key of its
// own in memory and a WebAuthn client, and its flow creates and uses passkeys against the RP's JSON
// endpoints. Artillery loads engines by package name (artillery-engine-ctap-emu re-exports this), so
// a script runs unchanged on Artillery's distributed runners. Nothing here imports Artillery.
import { VirtualAuthenticator } from '../node/virtual.js';
import { ENGINE_NAME, parseCeremonyStep, parseEngineConfig, type EngineConfig } from './config.js';
import { runCeremony, VirtualUser, type ArtilleryEvents } from './ceremony.js';

/** Artillery's per-virtual-user context: `vars` is what templates see. */
export interface ScenarioContext {
  vars: Record<string, unknown>;
  [other: string]: unknown;
}
export type StepCallback = (err: unknown, context?: ScenarioContext) => void;
export type Step = (context: ScenarioContext, callback: StepCallback) => void;

/** The helpers Artillery passes an engine (its engine_util): templates, think times, loops. */
export interface ArtilleryHelpers {
  template(value: unknown, context: ScenarioContext): unknown;
  createThink(spec: Record<string, unknown>, defaults: unknown): Step;
  createLoopWithCount(count: unknown, steps: Step[], options: { loopValue?: string; overValues?: unknown }): Step;
}

export interface ArtilleryScript {
  config: { target?: string; engines?: Record<string, unknown>; defaults?: { think?: unknown } };
}

/** The context member holding a virtual user's key while its scenario runs. */
const USER = '_ctapEmuUser';

export class CtapEmuEngine {
  private readonly config: EngineConfig;
  private readonly origin: string;

  constructor(
    private readonly script: ArtilleryScript,
    _ee: ArtilleryEvents,
    private readonly helpers: ArtilleryHelpers,
  ) {
    this.config = parseEngineConfig(script.config.engines?.[ENGINE_NAME]);
    const origin = this.config.origin ?? script.config.target;
    if (!origin || !URL.canParse(origin)) throw new Error(`ctap-emu engine: no origin: set config.target (or config.engines.${ENGINE_NAME}.origin) to the RP's URL`);
    this.origin = new URL(origin).origin;
    // Bad key options fail the run here, once, rather than every virtual user's first ceremony.
    new VirtualAuthenticator({ ...this.config.key, store: 'memory' }).close();
  }

  /** Artillery calls this once per scenario; the function it returns runs once per virtual user. */
  createScenario(spec: { flow?: unknown[] }, ee: ArtilleryEvents): (context: ScenarioContext, done: StepCallback) => void {
    const steps = (spec.flow ?? []).map((s, i) => this.step(s, i, ee));
    return (context, done) => {
      ee.emit('started');
      const finish = (err: unknown) => {
        (context[USER] as VirtualUser | undefined)?.close();
        delete context[USER];
        done(err, context);
      };
      const next = (i: number) => (i === steps.length ? finish(null) : steps[i]!(context, (err) => (err ? finish(err) : next(i + 1))));
      next(0);
    };
  }

  private step(raw: unknown, index: number, ee: ArtilleryEvents): Step {
    if (typeof raw !== 'object' || raw === null) throw new Error(`ctap-emu engine: flow[${index}] must be a map`);
    const spec = raw as Record<string, unknown>;
    const ceremony = parseCeremonyStep(spec, index);
    if (ceremony) {
      return (context, callback) => {
        const user = (context[USER] as VirtualUser | undefined) ?? (context[USER] = new VirtualUser(this.config, this.origin));
        const fill = <T>(v: T): T => this.helpers.template(v, context) as T;
        const resolved = {
          kind: ceremony.kind,
          optionsUrl: this.url(fill(ceremony.optionsUrl)),
          verifyUrl: this.url(fill(ceremony.verifyUrl)),
          json: fill(ceremony.json),
          headers: fill(ceremony.headers),
        };
        runCeremony(user, resolved, this.config.timeoutMs, ee).then(
          (id) => ((context.vars.credentialId = id), callback(null, context)),
          (err: unknown) => callback(err, context),
        );
      };
    }
    if ('think' in spec) return this.helpers.createThink(spec, this.script.config.defaults?.think ?? {});
    if ('loop' in spec && Array.isArray(spec.loop)) {
      const inner = spec.loop.map((s, i) => this.step(s, i, ee));
      return this.helpers.createLoopWithCount(spec.count ?? -1, inner, { loopValue: (spec.loopValue as string) ?? '$loopCount', overValues: spec.over });
    }
    if ('log' in spec) {
      return (context, callback) => (console.log(this.helpers.template(spec.log, context)), callback(null, context));
    }
    throw new Error(`ctap-emu engine: flow[${index}] is none of register, authenticate, think, loop, log: ${JSON.stringify(spec).slice(0, 100)}`);
  }

  private url(pathOrUrl: string): string {
    const base = this.script.config.target ?? this.origin;
    return new URL(pathOrUrl, base).href;
  }
}
