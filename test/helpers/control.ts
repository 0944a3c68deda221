// `serve --control` as a test drives it: the key over UDP with its control API, an authorized
// request helper, and a WebAuthn client on the key (closed after the test).
import { connectUdp } from '../../src/hid/udp.js';
import { WebAuthnClient } from '../../src/node/clients.js';
import { closeLater } from './cleanup.js';
import { origin } from './importedKeys.js';
import { serveUdpCli, type ServeProcess } from './serveProcess.js';

export interface Control {
  serve: ServeProcess;
  url: string;
  token: string;
  /** An authorized request; the status and the parsed JSON body. */
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any }>;
  /** A WebAuthn client talking to the key over UDP. */
  client(): WebAuthnClient;
}

/** `serve --memory --control 0 ARGS`, once it says where its control API is. */
export async function startControl(args: string[] = []): Promise<Control> {
  const serve = await serveUdpCli(['--memory', '--control', '0', ...args]);
  const m = /control: (http:\/\/127\.0\.0\.1:\d+) token=(\S+)/.exec(serve.stderr());
  if (!m) throw new Error(`no control line: ${serve.stderr()}`);
  const [, url, token] = m as unknown as [string, string, string];
  return {
    serve, url, token,
    async call(method, path, body, t = token) {
      const headers: Record<string, string> = t === null ? {} : { authorization: `Bearer ${t}` };
      const res = await fetch(url + path, { method, headers, body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    client() {
      const c = new WebAuthnClient({ connect: () => connectUdp('127.0.0.1', serve.port) }, { origin });
      closeLater(() => c.close());
      return c;
    },
  };
}
