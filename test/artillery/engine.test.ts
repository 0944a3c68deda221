// The Artillery engine driven as Artillery drives it (createScenario, then one call per virtual
// user), against the example RP (examples/artillery/server.mjs, @simplewebauthn/server behind it).
// The real Artillery run is test/package/artillery.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { generateRegistrationOptions } from '@simplewebauthn/server';
import { CtapEmuEngine, METRICS, type ArtilleryHelpers, type ScenarioContext } from '../../src/artillery/index.js';
import { CookieJar } from '../../src/artillery/http.js';
import { startExampleRp, type ExampleRp } from '../helpers/exampleRp.js';

/** What the engine told Artillery: counters summed, rates counted, histogram values, errors. */
class Events {
  counters: Record<string, number> = {};
  rates: Record<string, number> = {};
  histograms: Record<string, number[]> = {};
  errors: string[] = [];
  started = 0;
  emit(event: string, ...args: unknown[]): boolean {
    const [name, value] = args as [string, number];
    if (event === 'counter') this.counters[name] = (this.counters[name] ?? 0) + value;
    else if (event === 'rate') this.rates[name] = (this.rates[name] ?? 0) + 1;
    else if (event === 'histogram') (this.histograms[name] ??= []).push(value);
    else if (event === 'error') this.errors.push(name);
    else if (event === 'started') this.started++;
    else throw new Error(`unexpected event ${event}`);
    return true;
  }
}

/** Artillery's template for `{{ name }}` (its functions are not needed here). */
const helpers: ArtilleryHelpers = {
  template(value, context) {
    const fill = (v: unknown): unknown => {
      if (typeof v === 'string') return v.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => String(context.vars[k]));
      if (Array.isArray(v)) return v.map(fill);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
      return v;
    };
    return fill(value);
  },
  createThink: () => { throw new Error('not used here'); },
  createLoopWithCount: () => { throw new Error('not used here'); },
};

const register = { register: { optionsUrl: '/registration/options', verifyUrl: '/registration/verify', json: { username: '{{ name }}' } } };
const authenticate = { authenticate: { optionsUrl: '/authentication/options', verifyUrl: '/authentication/verify' } };

let rp: ExampleRp | undefined;
let target: string;

beforeAll(async () => {
  rp = await startExampleRp(process.execPath, 'examples/artillery');
  target = rp.url;
});
afterAll(() => void rp?.process.kill());

function engine(flow: unknown[], engineConfig: unknown = { key: { pin: '1234' } }, at = target) {
  const events = new Events();
  const e = new CtapEmuEngine({ config: { target: at, engines: { 'ctap-emu': engineConfig } } }, events, helpers);
  /** A scenario of this engine; each call of the function it returns is one virtual user: its error (or null) and its context afterwards. */
  const scenario = (steps: unknown[]) => {
    const run = e.createScenario({ flow: steps }, events);
    return (vars: Record<string, unknown>) => new Promise<{ err: unknown; context: ScenarioContext }>((resolve) => {
      const context: ScenarioContext = { vars: { ...vars } };
      run(context, (err) => resolve({ err, context }));
    });
  };
  return { events, user: scenario(flow), scenario };
}

describe('ctap-emu Artillery engine', () => {
  it('a virtual user registers a passkey (PIN key, UV and resident key required) and signs in with it; each ceremony counted and timed', async () => {
    const { events, user } = engine([register, authenticate, authenticate]);
    const { err, context } = await user({ name: 'alice' });
    expect(err).toBeNull();
    expect(context.vars.credentialId).toMatch(/^[\w-]{16,}$/);
    expect(context._ctapEmuUser, 'the key is closed and dropped when the scenario ends').toBeUndefined();
    expect(events.started).toBe(1);
    expect(events.counters).toEqual({
      [METRICS.ceremonies]: 3, [`${METRICS.ceremonies}.register`]: 1, [`${METRICS.ceremonies}.authenticate`]: 2, [METRICS.failed]: 0,
    });
    expect(events.rates[METRICS.rate]).toBe(3);
    for (const m of [METRICS.ceremonyTime, METRICS.keyTime, METRICS.rpTime]) {
      expect(events.histograms[`${m}.register`]).toHaveLength(1);
      expect(events.histograms[`${m}.authenticate`]).toHaveLength(2);
    }
    const [total] = events.histograms[`${METRICS.ceremonyTime}.register`]!;
    const [key] = events.histograms[`${METRICS.keyTime}.register`]!;
    const [rpTime] = events.histograms[`${METRICS.rpTime}.register`]!;
    expect(key! + rpTime!).toBeLessThanOrEqual(total! + 0.01);
    expect(events.errors).toEqual([]);
  });

  it('each virtual user has a key of its own: another user finds no passkey, and the failure is counted', async () => {
    const { events, user, scenario } = engine([register]);
    expect((await user({ name: 'bob' })).err).toBeNull();
    const { err } = await scenario([authenticate])({}); // the same engine, another virtual user
    expect(events.counters[METRICS.ceremonies]).toBe(1);
    expect(String(err)).toMatch(/authenticate/);
    expect(events.counters[METRICS.failed]).toBe(1);
    expect(events.counters[`${METRICS.failed}.authenticate`]).toBe(1);
    expect(events.errors).toEqual(['ctap_emu.authenticate.webauthn_NotAllowedError']);
  });

  it('the RP refusing the options request fails the ceremony with its status, and ends the virtual user', async () => {
    const { events, user } = engine([register, authenticate]);
    expect((await user({ name: 'carol' })).err).toBeNull();
    const again = await user({ name: 'carol' }); // the example RP refuses a user name it has; sign-in is not reached
    expect(String(again.err)).toMatch(/answered 400/);
    expect(events.errors).toEqual(['ctap_emu.register.options_http_400']);
    expect(events.counters[METRICS.ceremonies]).toBe(2);
    expect(events.counters[METRICS.failed]).toBe(1);
    expect(events.counters[`${METRICS.ceremonies}.authenticate`]).toBe(1);
  });

  it('a key that cannot verify the user fails a UV-required registration', async () => {
    const { events, user } = engine([register], { key: {} });
    const { err } = await user({ name: 'dave' });
    expect(err).toBeTruthy();
    expect(events.counters[METRICS.failed]).toBe(1);
    expect(events.errors).toHaveLength(1);
    expect(events.errors[0]).toMatch(/^ctap_emu\.register\./);
  });

  it('an answer of { verified: false } from the verify endpoint is a failed ceremony', async () => {
    const server: Server = createServer(async (req, res) => {
      const body = req.url === '/options' ? await generateRegistrationOptions({ rpName: 'x', rpID: 'localhost', userName: 'eve' }) : { verified: false };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, 'localhost', r));
    try {
      const port = (server.address() as { port: number }).port;
      const { events, user } = engine([{ register: { optionsUrl: '/options', verifyUrl: '/verify' } }], {}, `http://localhost:${port}`);
      const { err } = await user({});
      expect(String(err)).toMatch(/verified/);
      expect(events.errors).toEqual(['ctap_emu.register.not_verified']);
    } finally {
      server.close();
    }
  });

  it('a script mistake fails when Artillery compiles the scenario, naming the place', () => {
    expect(() => engine([], { keys: {} })).toThrow(/config\.engines\.ctap-emu: unknown member "keys"/);
    expect(() => engine([], { key: { store: 'k.sqlite' } })).toThrow(/key\.store: each virtual user has a key of its own/);
    expect(() => engine([], { key: { profile: 'no-such-profile' } })).toThrow(/no-such-profile/);
    expect(() => engine([], { timeout: 0 })).toThrow(/timeout/);
    expect(() => engine([{ register: { optionsUrl: '/o' } }])).toThrow(/flow\[0\]\.register\.verifyUrl/);
    expect(() => engine([{ regster: {} }])).toThrow(/flow\[0\] is none of register, authenticate/);
    expect(() => engine([], {}, '')).toThrow(/no origin/);
  });
});

describe('CookieJar', () => {
  const headers = (...cookies: string[]) => {
    const h = new Headers();
    for (const c of cookies) h.append('set-cookie', c);
    return h;
  };
  it('keeps name=value of each Set-Cookie, replaces by name, and drops an expired one', () => {
    const jar = new CookieJar();
    expect(jar.header()).toBeUndefined();
    jar.remember(headers('sid=abc; Path=/; HttpOnly', 'theme=dark'));
    expect(jar.header()).toBe('sid=abc; theme=dark');
    jar.remember(headers('sid=def; Path=/'));
    expect(jar.header()).toBe('sid=def; theme=dark');
    jar.remember(headers('sid=; Max-Age=0', 'theme=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT'));
    expect(jar.header()).toBeUndefined();
  });
});
