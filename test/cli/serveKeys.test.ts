// `serve --keys N` run as a user runs it: N keys on consecutive UDP ports, each with its own
// keystore and presence policy, UV, PIN and profile given per key (perKey); the control API addressing each (/keys/N/..., /keys/N/events);
// faults, counter model and profile on every key; and a host that asks both keys, as a browser
// does, and CANCELs the one not touched.
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ctap2Client } from '../../src/client/ctap2.js';
import { ClientPin, pinUvAuthParam } from '../../src/client/clientPin.js';
import { Permission } from '../../src/ctap/permissions.js';
import { KeepaliveStatus } from '../../src/ctap/constants.js';
import { CtapError, Status } from '../../src/ctap/status.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { connectUdp } from '../../src/hid/udp.js';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { closeLater } from '../helpers/cleanup.js';
import { askAll, rkRequest } from '../helpers/twoKeys.js';
import { sseEvents } from '../../src/cli/ctl.js';
import { until } from '../helpers/until.js';
import { cliEnv, requireBuiltCli, runCli, serveUdpCli, type ServeProcess } from '../helpers/serveProcess.js';
import { oneOf, perKey } from '../../src/cli/serveKeys.js';
import { CliError, ExitCode } from '../../src/cli/errors.js';
import { formatUuid } from '../../src/util/bytes.js';

let dir: string;
beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'ctap-emu-keys-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Keys {
  serve: ServeProcess;
  /** Each key's UDP port, from its start-up line. */
  ports: number[];
  control?: { url: string; token: string };
}

/** serve --keys N, once every key's line is out. */
async function serveKeys(n: number, args: string[]): Promise<Keys> {
  const serve = await serveUdpCli(['--keys', String(n), ...args]);
  while (!serve.stderr().includes('Ctrl-C stops it')) await new Promise((r) => setTimeout(r, 20));
  const ports = [...serve.stderr().matchAll(/key (\d+): security key on udp 127\.0\.0\.1:(\d+)/g)].map((m) => {
    expect(Number(m[1])).toBeLessThan(n);
    return Number(m[2]);
  });
  const c = /control: (http:\/\/127\.0\.0\.1:\d+) token=(\S+)/.exec(serve.stderr());
  return { serve, ports, control: c ? { url: c[1]!, token: c[2]! } : undefined };
}

async function client(port: number): Promise<Ctap2Client> {
  const h = await CtapHidHost.open(await connectUdp('127.0.0.1', port));
  closeLater(() => h.close());
  return new Ctap2Client(h);
}

async function call(k: Keys, method: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(k.control!.url + path, { method, headers: { authorization: `Bearer ${k.control!.token}` } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('serve --keys 2 over UDP', () => {
  it('a browser-like host asks both keys; the touched one registers, the other is CANCELled; /keys/N tells them apart', async () => {
    const k = await serveKeys(2, ['--memory', '--presence', 'timeout,delay:400', '--control', '0']);
    expect(k.ports).toHaveLength(2);
    expect(k.ports[0]).not.toBe(k.ports[1]);
    const clients = [await client(k.ports[0]!), await client(k.ports[1]!)];
    const r = await askAll(clients, (c, signal, onKeepalive) => c.makeCredential(rkRequest, { signal, onKeepalive }));
    expect(r.winner).toBe(1);
    expect(r.others[0]).toBeInstanceOf(CtapError);
    expect((r.others[0] as CtapError).status).toBe(Status.CTAP2_ERR_KEEPALIVE_CANCEL);
    expect(r.keepalives[0]).toContain(KeepaliveStatus.UPNEEDED);
    expect((await clients[0]!.getInfo()).versions).toContain('FIDO_2_1');

    const list = await call(k, 'GET', '/keys');
    expect(list.body.map((x: any) => [x.index, x.presence, x.discoverableCredentials])).toEqual([[0, 'timeout', 0], [1, 'delay:400', 1]]);
    expect((await call(k, 'GET', '/keys/1/credentials')).body).toHaveLength(1);
    expect((await call(k, 'GET', '/keys/0/credentials')).body).toHaveLength(0);
    expect((await call(k, 'GET', '/credentials')).body).toHaveLength(0); // without the prefix: key 0
    expect((await call(k, 'GET', '/keys/2/key')).status).toBe(404);
    // ctl --key N reaches key N; a setting made there stays on that key.
    const env = cliEnv({ CTAP_EMU_CONTROL: k.control!.url, CTAP_EMU_TOKEN: k.control!.token });
    const ctl = await runCli(['ctl', 'list', '--key', '1'], env);
    expect(ctl.code, ctl.stderr).toBe(0);
    expect(JSON.parse(ctl.stdout)).toHaveLength(1);
    expect((await runCli(['ctl', 'presence', 'deny', '--key', '0'], env)).code).toBe(0);
    expect((await call(k, 'GET', '/keys')).body.map((x: any) => x.presence)).toEqual(['deny', 'delay:400']);
    k.serve.child.kill('SIGTERM');
    expect((await k.serve.exited).code).toBe(0);
  });

  it('listens on consecutive ports from --port, one line each', async () => {
    // A base the test does not know to be free: a few tries.
    for (let attempt = 0; ; attempt++) {
      const base = 20000 + Math.floor(Math.random() * 30000);
      const run = serveUdpCli(['--keys', '3', '--memory', '--port', String(base)]).catch((e: Error) => e);
      const s = await run;
      if (s instanceof Error) {
        if (/is in use/.test(s.message) && attempt < 5) continue;
        throw s;
      }
      while (!s.stderr().includes('Ctrl-C stops it')) await new Promise((r) => setTimeout(r, 20));
      expect([...s.stderr().matchAll(/key (\d): security key on udp 127\.0\.0\.1:(\d+)/g)].map((m) => [m[1], m[2]]))
        .toEqual([['0', String(base)], ['1', String(base + 1)], ['2', String(base + 2)]]);
      break;
    }
  });
});

/** GET path as server-sent events, held open: the events parsed so far. */
async function subscribe(k: Keys, path: string): Promise<{ events(): Record<string, unknown>[]; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(k.control!.url + path, { headers: { authorization: `Bearer ${k.control!.token}` }, signal: abort.signal });
  expect(res.status).toBe(200);
  let text = '';
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (r.done) return;
      text += r.value;
    }
  })();
  closeLater(() => abort.abort());
  return { events: () => sseEvents(text).data.map((d) => JSON.parse(d) as Record<string, unknown>), close: () => abort.abort() };
}

describe('serve --keys 2 with the single-key features (faults, counter model, profile, events, conformance)', () => {
  it('each key gets them; /keys/1/events is key 1\'s stream, its touch comes through /keys/1/presence/touch', async () => {
    const deny = { command: 'makeCredential', fault: { type: 'status', status: 'CTAP2_ERR_OPERATION_DENIED' } };
    const k = await serveKeys(2, ['--memory', '--presence', 'approve,timeout', '--control', '0', '--conformance',
      '--profile', 'yubikey5', '--counter', 'global', '--fault', JSON.stringify(deny)]);
    const err = k.serve.stderr();
    for (const i of [0, 1]) {
      expect(err).toMatch(new RegExp(`key ${i}: fault rules in force: f1 makeCredential status`));
      expect(err).toMatch(new RegExp(`key ${i}: security key on udp [^\\n]*; profile yubikey5; [^\\n]*; counter global; `));
    }
    expect(err).toMatch(/key 1: security key on [^\n]*presence timeout; [^\n]*reset only with a touch through the control API/);
    expect(err).toMatch(/conformance tools automation: .* \(key 0\)/);
    // ctl events --key 1: key 1's stream (its power cycle at the end, not key 0's; it exits when serve stops).
    const ctlEvents = runCli(['ctl', 'events', '--key', '1'], cliEnv({ CTAP_EMU_CONTROL: k.control!.url, CTAP_EMU_TOKEN: k.control!.token }));
    const list = (await call(k, 'GET', '/keys')).body;
    expect(list.map((x: any) => [x.index, x.profile, x.counterModel])).toEqual([[0, 'yubikey5', 'global'], [1, 'yubikey5', 'global']]);

    // Faults: each key has the rule; removed on key 1 only.
    expect((await call(k, 'GET', '/keys/1/faults')).body).toHaveLength(1);
    expect((await call(k, 'DELETE', '/keys/1/faults')).status).toBeLessThan(300);
    expect((await call(k, 'GET', '/keys/1/faults')).body).toHaveLength(0);
    expect((await call(k, 'GET', '/faults')).body).toHaveLength(1);
    const [c0, c1] = [await client(k.ports[0]!), await client(k.ports[1]!)];
    await expect(c0.makeCredential(rkRequest)).rejects.toMatchObject({ status: Status.CTAP2_ERR_OPERATION_DENIED });
    await until(() => /key 0: fault f1 \(status\) on makeCredential/.test(k.serve.stderr()));

    // Events: key 1's own stream sees its touch asked; the touch comes through the control API.
    const ev0 = await subscribe(k, '/events');
    const ev1 = await subscribe(k, '/keys/1/events');
    const made = c1.makeCredential(rkRequest);
    await until(() => ev1.events().some((e) => e.type === 'touch-asked'));
    expect((await call(k, 'POST', '/keys/1/presence/touch')).body).toEqual({ touch: 'approved' });
    await made;
    await until(() => ev1.events().some((e) => e.type === 'credential-added'));
    expect(ev0.events().filter((e) => e.type !== 'request' && e.type !== 'response')).toEqual([]);
    expect((await call(k, 'GET', '/keys/1/credentials')).body).toHaveLength(1);
    expect((await call(k, 'GET', '/credentials')).body).toHaveLength(0);

    // The conformance tools' paths (no token) are key 0's.
    const up = await fetch(`${k.control!.url}/conformance/userpresence`, { method: 'POST' });
    expect(up.status).toBe(200);
    expect((await fetch(`${k.control!.url}/keys/1/conformance/userpresence`, { method: 'POST' })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1000)); // ctl events has long subscribed
    expect((await call(k, 'POST', '/key/power-cycle')).status).toBeLessThan(300); // key 0: not on key 1's streams
    expect((await call(k, 'POST', '/keys/1/key/power-cycle')).status).toBeLessThan(300);
    await until(() => ev1.events().some((e) => e.type === 'power-cycle'));
    expect(ev1.events().filter((e) => e.type === 'power-cycle')).toHaveLength(1);
    expect(ev0.events().filter((e) => e.type === 'power-cycle')).toHaveLength(1);
    ev0.close();
    ev1.close();
    k.serve.child.kill('SIGTERM');
    expect((await k.serve.exited).code).toBe(0);
    const ctl = await ctlEvents;
    expect(ctl.code, ctl.stderr).toBe(0);
    const types = ctl.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types.filter((t) => t === 'power-cycle')).toHaveLength(1);
  });

  it('--presence timeout: one key needs --control; a key beside others does not', async () => {
    const one = await runCli(['serve', '--transport', 'udp', '--memory', '--presence', 'timeout'], cliEnv({ XDG_DATA_HOME: dir }));
    expect(one.code, one.stderr).toBe(2);
    expect(one.stderr).toMatch(/--presence timeout needs --control/);
    const k = await serveKeys(2, ['--memory', '--presence', 'timeout,approve']);
    expect(k.serve.stderr()).toMatch(/key 0: security key on [^\n]*presence timeout; reset refused \(presence timeout\)/);
    k.serve.child.kill('SIGTERM');
    expect((await k.serve.exited).code).toBe(0);
  });
});

describe('serve --keys: a keystore per key', () => {
  it('--store with {n}: one file per key, each its own key (a PIN set on all, a credential on one)', async () => {
    const pattern = join(dir, 'k-{n}.sqlite');
    const k = await serveKeys(2, ['--store', pattern, '--pin', '1234']);
    const c = await client(k.ports[0]!);
    const token = await new ClientPin(c, [2]).getPinToken('1234', Permission.mc, 'two.example');
    await c.makeCredential({ ...rkRequest, pinUvAuthParam: pinUvAuthParam(token, rkRequest.clientDataHash), pinUvAuthProtocol: 2 });
    k.serve.child.kill('SIGTERM');
    expect((await k.serve.exited).code).toBe(0);
    const [a, b] = [0, 1].map((i) => new VirtualAuthenticator({ store: join(dir, `k-${i}.sqlite`) }));
    expect([a!.info().pin, b!.info().pin]).toEqual([true, true]);
    expect([a!.getCredentials().length, b!.getCredentials().length]).toEqual([1, 0]);
    a!.close();
    b!.close();
  });

  it('--store DIR/: DIR/keystore-N.sqlite', async () => {
    const sub = join(dir, 'many') + '/';
    const k = await serveKeys(2, ['--store', sub]);
    expect(k.serve.stderr()).toContain(`store ${join(sub, 'keystore-1.sqlite')}`);
    k.serve.child.kill('SIGTERM');
    await k.serve.exited;
    expect(existsSync(join(sub, 'keystore-0.sqlite')) && existsSync(join(sub, 'keystore-1.sqlite'))).toBe(true);
  });

  it.each([
    [['--store', 'one.sqlite'], /--keys 2 needs a keystore per key/],
    [['--memory', '--presence', 'approve,deny,deny'], /--presence names 3 values for 2 keys/],
    [['--memory', '--uv', 'match,nomatch,match'], /--uv names 3 values for 2 keys: give one, or one per key/],
    [['--memory', '--uv', 'match,maybe'], /--uv must be match or nomatch, got "maybe"/],
    [['--memory', '--profile', 'default,yubikey9'], /--profile: .*yubikey9/],
    [['--memory', '--attestation', ',none'], /--attestation must be basic or self/],
    [['--memory', '--counter', 'global,sideways'], /--counter: /],
    [['--memory', '--aaguid', '00112233445566778899aabbccddeeff,xyz'], /--aaguid/],
    [['--memory', '--presence', 'approve,sometimes'], /--presence must be/],
    [['--memory', '--keys', '0'], /--keys must be 1-16/],
    [['--memory', '--port', '65535'], /runs past 65535/],
  ])('usage errors: %j', async (args, message) => {
    const e = await runCli(['serve', '--transport', 'udp', '--keys', '2', ...args], cliEnv({ XDG_DATA_HOME: dir }));
    expect(e.code, e.stderr).toBe(2);
    expect(e.stderr).toMatch(message);
    expect(existsSync('one.sqlite')).toBe(false);
  });
});

describe('perKey: one value for every key, or one per key', () => {
  const usage = (f: () => unknown): CliError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(CliError);
      expect((e as CliError).exitCode).toBe(ExitCode.usage);
      return e as CliError;
    }
    throw new Error('no error');
  };

  it('one value: every key gets it; a list: key i gets the i-th; an empty place: the default (undefined)', () => {
    expect(perKey('--uv', 'match', 3)).toEqual(['match', 'match', 'match']);
    expect(perKey('--uv', undefined, 2)).toEqual([undefined, undefined]);
    expect(perKey('--profile', 'bio,yubikey5', 2)).toEqual(['bio', 'yubikey5']);
    expect(perKey('--pin', '1234,', 2)).toEqual(['1234', undefined]);
    expect(perKey('--uv', ',nomatch,', 3)).toEqual([undefined, 'nomatch', undefined]);
  });

  it('one key takes the value whole (a PIN may hold a comma)', () => {
    expect(perKey('--pin', '12,34', 1)).toEqual(['12,34']);
  });

  it('a count that is neither one nor the number of keys is a usage error naming the option, never the values', () => {
    const e = usage(() => perKey('--pin', '1111,2222,3333', 2));
    expect(e.message).toBe('--pin names 3 values for 2 keys: give one, or one per key (comma-separated)');
    expect(usage(() => perKey('--profile', 'bio,solo', 3)).message).toMatch(/--profile names 2 values for 3 keys/);
  });

  it('oneOf: a value of the choices, absent, or a usage error', () => {
    expect(oneOf('--uv', 'match', ['match', 'nomatch'])).toBe('match');
    expect(oneOf('--uv', undefined, ['match', 'nomatch'])).toBeUndefined();
    expect(usage(() => oneOf('--uv', 'yes', ['match', 'nomatch'])).message).toBe('--uv must be match or nomatch, got "yes"');
  });
});

describe('serve --keys 2 with options per key', () => {
  it('--profile, --uv, --pin, --counter, --aaguid differ per key: getInfo and the control API tell the keys apart', async () => {
    const aaguid = '00112233-4455-6677-8899-aabbccddeeff';
    const k = await serveKeys(2, ['--memory', '--control', '0', '--presence', 'approve,timeout', '--profile', 'default,yubikey5',
      '--uv', ',match', '--pin', '1234,', '--counter', 'global,zero', '--aaguid', `${aaguid},`]);
    const err = k.serve.stderr();
    expect(err).toMatch(/key 0: security key on [^\n]*; store [^\n]*presence approve; counter global; /);
    expect(err).toMatch(/key 1: security key on [^\n]*; profile yubikey5; [^\n]*presence timeout; built-in UV match; counter zero; /);
    expect(err).not.toMatch(/key 0: [^\n]*built-in UV/);
    const [i0, i1] = [await (await client(k.ports[0]!)).getInfo(), await (await client(k.ports[1]!)).getInfo()];
    expect(formatUuid(i0.aaguid)).toBe(aaguid);
    expect(formatUuid(i1.aaguid)).toBe('5bc6dcea-7b43-4fe1-902d-621d0e701997'); // yubikey5's own
    expect([i0.options.clientPin, i1.options.clientPin]).toEqual([true, false]);
    expect([i0.options.uv, i1.options.uv]).toEqual([undefined, true]); // built-in UV, a finger enrolled, on key 1 only
    expect((await call(k, 'GET', '/keys')).body.map((x: any) => [x.profile, x.pin, x.builtInUv, x.counterModel, x.presence]))
      .toEqual([['default', true, false, 'global', 'approve'], ['yubikey5', false, true, 'zero', 'timeout']]);
    k.serve.child.kill('SIGTERM');
    expect((await k.serve.exited).code).toBe(0);
  });
});
