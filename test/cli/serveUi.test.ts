// `serve --ui` without a browser: it needs --control PORT (and says so), announces the window's
// address without the token, and its decoded trace stream tells a registration made over UDP in
// words, as `serve -v` and `--trace` do. The page itself: uiWindow.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { generateRegistrationOptions } from '@simplewebauthn/server';
import { startControl } from '../helpers/control.js';
import { requireBuiltCli, runCli } from '../helpers/serveProcess.js';

beforeAll(requireBuiltCli);

/** A server-sent event stream's events, read with the token, until `enough` says so. */
async function eventsUntil(url: string, token: string, enough: (e: { name: string; data: any }) => boolean, during: () => Promise<unknown>): Promise<{ name: string; data: any }[]> {
  const run = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: run.signal });
  expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const events: { name: string; data: any }[] = [];
  const reading = (async () => {
    let buffer = '';
    for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      for (let end; (end = buffer.indexOf('\n\n')) >= 0; buffer = buffer.slice(end + 2)) {
        const m = /^event: (.+)\ndata: (.+)$/.exec(buffer.slice(0, end));
        if (m) events.push({ name: m[1]!, data: JSON.parse(m[2]!) });
      }
      if (events.some(enough)) return;
    }
  })();
  await during();
  await reading;
  run.abort();
  return events;
}

describe('serve --ui', () => {
  it('needs --control PORT: not alone, not on a Unix socket', async () => {
    const alone = await runCli(['serve', '--memory', '--transport', 'udp', '--port', '0', '--ui']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--ui needs --control PORT/);
    const unix = await runCli(['serve', '--memory', '--transport', 'udp', '--port', '0', '--ui', '--control', 'unix:/tmp/ctap-emu-ui.sock']);
    expect(unix.code).toBe(2);
    expect(unix.stderr).toMatch(/--ui needs --control PORT: a browser reaches the window over TCP/);
  });

  it('announces the window without the token, and streams each message decoded', async () => {
    const c = await startControl(['--ui']);
    const line = c.serve.stderr().split('\n').find((l) => / ui: /.test(l))!;
    expect(line).toContain(`ui: ${c.url}/ui `);
    expect(line).not.toContain(c.token);
    expect((await c.call('GET', '/ui/trace', undefined, null)).status).toBe(401);
    const options = await generateRegistrationOptions({ rpName: 'Ex', rpID: 'example.com', userName: 'alice', authenticatorSelection: { residentKey: 'required' } });
    const answered = (e: { data: { text: string } }): boolean => e.data.text.startsWith('<- CTAP2_OK {fmt');
    const events = await eventsUntil(`${c.url}/ui/trace`, c.token, answered, () => c.client().create(options));
    expect(events.every((e) => e.name === 'message')).toBe(true);
    const texts = events.map((e) => e.data.text as string);
    expect(events[0]!.data).toMatchObject({ dir: 'in', cmd: 'INIT', cid: 'ffffffff', time: expect.any(String) });
    const request = texts.find((t) => t.startsWith('-> authenticatorMakeCredential'));
    expect(request).toMatch(/rp: \{id: "example\.com", name: "Ex"\}/);
    expect(request).toMatch(/name: "alice"/);
    expect(request).toMatch(/attestationFormatsPreference: \["none"\]/); // the page's attestation "none"
    expect(texts).toContainEqual(expect.stringMatching(/^<- CTAP2_OK \{fmt: "none", authData: h'/));
  });
});
