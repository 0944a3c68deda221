// Counter models on a running key: PUT /counter-model (the key) and /credentials/:id/counter-model
// over HTTP, `ctap-emu ctl counter`, and `serve --counter`, each seen in the counters a host gets over UDP.
import { beforeAll, describe, expect, it } from 'vitest';
import { WebAuthnClient } from '../../src/node/clients.js';
import { connectUdp } from '../../src/hid/udp.js';
import { closeLater } from '../helpers/cleanup.js';
import { origin, outsideCredential, signIn } from '../helpers/importedKeys.js';
import { cliEnv, requireBuiltCli, runCli, serveUdpCli } from '../helpers/serveProcess.js';

beforeAll(requireBuiltCli);

async function running(args: string[] = []) {
  const serve = await serveUdpCli(['--memory', '--control', '0', ...args]);
  const [, url, token] = /control: (http:\/\/127\.0\.0\.1:\d+) token=(\S+)/.exec(serve.stderr()) ?? [];
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const client = new WebAuthnClient({ connect: () => connectUdp('127.0.0.1', serve.port) }, { origin });
  closeLater(() => client.close());
  return { serve, url: url!, token: token!, call, client };
}

describe('counter models over the control API', () => {
  it('PUT /counter-model and PUT|DELETE /credentials/:id/counter-model change the counters a host sees', async () => {
    const k = await running();
    const a = outsideCredential('P-256', { signCount: 10 });
    const b = outsideCredential('P-256', { signCount: 20, userHandle: 'Ym9i', userName: 'bob' });
    await k.call('POST', '/credentials', [a.json, b.json]);
    expect(await k.call('PUT', '/counter-model', { model: 'zero' })).toEqual({ status: 200, body: { counterModel: 'zero' } });
    expect(await k.call('PUT', `/credentials/${a.json.credentialId}/counter-model`, { model: 'rollback' }))
      .toEqual({ status: 200, body: { credentialId: a.json.credentialId, counterModel: 'rollback' } });
    expect(await signIn(k.client, a, 0)).toMatchObject({ newCounter: 9 });
    expect(await signIn(k.client, b, 0)).toMatchObject({ newCounter: 0 });
    expect((await k.call('GET', '/key')).body).toMatchObject({ counterModel: 'zero', credentialCounterModels: { [a.json.credentialId]: 'rollback' } });
    expect((await k.call('DELETE', `/credentials/${a.json.credentialId}/counter-model`)).status).toBe(204);
    expect((await k.call('PUT', '/counter-model', { model: 'random-step', maxStep: 3, seed: 9 })).body).toEqual({ counterModel: 'random-step:3:9' });
    expect((await k.call('PUT', '/counter-model', { model: 'random-step:4:1' })).body).toEqual({ counterModel: 'random-step:4:1' });
    expect((await k.call('PUT', '/counter-model', { model: 'sometimes' })).status).toBe(400);
    expect((await k.call('PUT', '/credentials/AAAA/counter-model', { model: 'zero' })).status).toBe(404);
  });

  it('ctl counter sets the key model and a credential model; serve --counter starts with one', async () => {
    const k = await running(['--counter', 'global']);
    expect(k.serve.stderr()).toMatch(/counter global/);
    const env = cliEnv({ CTAP_EMU_CONTROL: k.url, CTAP_EMU_TOKEN: k.token });
    const c = outsideCredential('P-256', { signCount: 5 });
    await k.call('POST', '/credentials', c.json);
    expect((await k.call('GET', '/key')).body.counterModel).toBe('global');
    const set = await runCli(['ctl', 'counter', 'wrap', '--credential', c.json.credentialId], env);
    expect(JSON.parse(set.stdout)).toEqual({ credentialId: c.json.credentialId, counterModel: 'wrap' });
    expect(JSON.parse((await runCli(['ctl', 'counter', 'zero'], env)).stdout)).toEqual({ counterModel: 'zero' });
    expect(await runCli(['ctl', 'counter', 'nope'], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/counter model/) });
    expect(await signIn(k.client, c, 5)).toMatchObject({ newCounter: 6 });
    const bad = await runCli(['serve', '--memory', '--transport', 'udp', '--port', '0', '--counter', 'random-step:0']);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringMatching(/--counter: maxStep/) });
  });
});
