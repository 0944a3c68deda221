// Fault rules on a running key: `serve --fault` at start, the control API's /faults (same bearer
// token; 400 with a message on a bad rule, nothing added), and `ctap-emu ctl fault`. Each fault's
// effect is seen by a host over UDP: a sign-in @simplewebauthn/server verifies, or not.
import { beforeAll, describe, expect, it } from 'vitest';
import { startControl } from '../helpers/control.js';
import { outsideCredential, signIn } from '../helpers/importedKeys.js';
import { cliEnv, requireBuiltCli, runCli } from '../helpers/serveProcess.js';

beforeAll(requireBuiltCli);

const DENY = { command: 'getAssertion', fault: { type: 'status', status: 'CTAP2_ERR_OPERATION_DENIED' } };

/** A running key with its control API, and the environment `ctl` finds it by. */
async function start(args: string[] = []) {
  const k = await startControl(args);
  return { ...k, env: cliEnv({ CTAP_EMU_CONTROL: k.url, CTAP_EMU_TOKEN: k.token }) };
}

describe('fault rules on a running key', () => {
  it('serve --fault: in force from the start, announced, listed; the host sees NotAllowedError until it is removed', async () => {
    const k = await start(['--fault', JSON.stringify(DENY)]);
    expect(k.serve.stderr()).toMatch(/fault rules in force: f1 getAssertion status/);
    expect((await k.call('GET', '/faults')).body).toEqual([{ id: 'f1', ...DENY, fault: { type: 'status', status: 'CTAP2_ERR_OPERATION_DENIED' }, when: 'always', seen: 0, fired: 0 }]);
    const c = outsideCredential('P-256');
    await k.call('POST', '/credentials', c.json);
    await expect(signIn(k.client(), c, 0)).rejects.toMatchObject({ name: 'NotAllowedError', ctapStatus: 0x27 });
    expect((await k.call('GET', '/faults')).body[0]).toMatchObject({ seen: 1, fired: 1 });
    expect(k.serve.stderr()).toMatch(/fault f1 \(status\) on getAssertion/);
    expect((await k.call('DELETE', '/faults/f1')).status).toBe(204);
    expect(await signIn(k.client(), c, 0)).toMatchObject({ verified: true });
  });

  it('serve --fault with a bad rule is a usage error saying what is wrong', async () => {
    const r = await runCli(['serve', '--memory', '--transport', 'udp', '--port', '0', '--fault', '{"fault":{"type":"delay"}}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fault.ms must be a whole number/);
  });

  it('POST /faults: one rule or an array; a bad one is 400 and adds nothing; no token is 401; DELETE clears', async () => {
    const k = await start();
    const c = outsideCredential('P-256');
    await k.call('POST', '/credentials', c.json);
    const added = await k.call('POST', '/faults', { command: 'getAssertion', when: { nth: 2 }, fault: { type: 'badSignature' } });
    expect(added).toMatchObject({ status: 201, body: { id: 'f1', when: { nth: 2 } } });
    expect(await signIn(k.client(), c, 0)).toMatchObject({ verified: true });
    expect(await signIn(k.client(), c, 1)).toMatchObject({ verified: false });
    expect(await signIn(k.client(), c, 2)).toMatchObject({ verified: true });

    for (const [body, error] of [
      [[DENY, { fault: { type: 'flags' } }], /fault flags needs set, clear or flip/],
      [{ command: 'CTAPHID_PING', fault: { type: 'badSignature' } }, /CTAP2 fault/],
      [undefined, /a fault rule must be a JSON object/],
    ] as const) {
      const r = await k.call('POST', '/faults', body);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(error);
    }
    expect((await k.call('POST', '/faults', DENY, 'not-the-token')).status).toBe(401);
    expect((await k.call('GET', '/faults')).body.map((f: { id: string }) => f.id)).toEqual(['f1']);
    expect((await k.call('POST', '/faults', [DENY, DENY])).body).toHaveLength(2);
    expect((await k.call('DELETE', '/faults/f9')).status).toBe(404);
    expect((await k.call('DELETE', '/faults')).body).toEqual({ removed: 3 });
  });

  it('ctl fault add (JSON or flags), list, remove, clear', async () => {
    const k = await start();
    const ctl = (...args: string[]) => runCli(['ctl', 'fault', ...args], k.env);
    expect(JSON.parse((await ctl('add', JSON.stringify(DENY))).stdout)).toMatchObject({ id: 'f1' });
    const flagged = await ctl('add', '--command', 'getAssertion', '--rp-id', 'example.com', '--probability', '0.5', '--seed', '7', '--fault', 'badSignature');
    expect(JSON.parse(flagged.stdout)).toMatchObject({ id: 'f2', rpId: 'example.com', when: { probability: 0.5, seed: 7 }, fault: { type: 'badSignature' } });
    const json = await ctl('add', '--command', 'makeCredential', '--fault', '{"type":"flags","clear":["UP"]}');
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 'f3', fault: { clear: ['UP'] } });
    expect(JSON.parse((await ctl('list')).stdout)).toHaveLength(3);
    expect((await ctl('remove', 'f2')).code).toBe(0);
    expect(await ctl('remove', 'f2')).toMatchObject({ code: 3, stderr: expect.stringMatching(/no fault f2/) });
    expect(await ctl('add', '--fault', 'nope')).toMatchObject({ code: 2, stderr: expect.stringMatching(/fault.type must be one of/) });
    expect(await ctl('add', '{}', '--nth', '2')).toMatchObject({ code: 2, stderr: expect.stringMatching(/JSON or as flags, not both/) });
    expect(JSON.parse((await ctl('clear')).stdout)).toEqual({ removed: 2 });
  });
});
