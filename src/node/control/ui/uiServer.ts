// The key's own window (`serve --ui`) on the control API: the page and its script and style at
// /ui without the token (they hold no secret; the page asks the user for the token and sends it as
// a bearer header, never in a URL), and with the token, per key, what the page reads besides the
// control routes: /ui/pending (what the key waits for, in words) and /ui/trace (each whole message
// decoded, as server-sent events).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VirtualAuthenticator } from '../../virtual.js';
import type { ControlAnswer } from '../routes.js';
import type { EventStreams } from '../events.js';
import { pendingRequests } from './pending.js';
import { APP_JS } from './app.js';
import { PAGE_CSS, PAGE_HTML } from './page.js';

/** One whole CTAPHID message as the trace decoder tells it (secrets redacted). */
export interface TraceMessage {
  /** 'in': host to key; 'out': key to host. */
  dir: 'in' | 'out';
  /** The CTAPHID channel, in hex. */
  cid: string;
  /** The CTAPHID command (CBOR, MSG, INIT, KEEPALIVE...). */
  cmd: string;
  text: string;
}

/** Starts telling `listener` each message of `key` in words; returns what stops it. */
export type TraceSource = (key: VirtualAuthenticator, listener: (m: TraceMessage) => void) => () => void;

export interface UiOptions {
  /** The decoded trace (the CLI's trace decoder); without it the page's trace says so, and the event log has each request and response. */
  trace?: TraceSource;
}

/**
 * The page may run script only from itself, talk only to its own origin, and sit in no frame; no
 * referrer leaves it. Script and style come from files, so no inline code runs at all.
 */
const HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const ASSETS: Record<string, [type: string, body: string]> = {
  '/ui': ['text/html; charset=utf-8', PAGE_HTML],
  '/ui/app.js': ['text/javascript; charset=utf-8', APP_JS],
  '/ui/app.css': ['text/css; charset=utf-8', PAGE_CSS],
};

/**
 * The control API listens on 127.0.0.1 only; a page from another site that rebinds its own name to
 * 127.0.0.1 would still send that name as Host: the window is served to loopback names alone.
 */
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i;

export class UiServer {
  constructor(private readonly keys: readonly VirtualAuthenticator[], private readonly o: UiOptions = {}) {}

  /** Serves the page's files (no token: they hold no secret); false when the request is for none of them. */
  asset(req: IncomingMessage, res: ServerResponse): boolean {
    const path = new URL(req.url ?? '/', 'http://control').pathname.replace(/\/$/, '');
    if (path === '' && req.method === 'GET') {
      req.resume();
      res.writeHead(303, { location: '/ui', ...HEADERS }).end(); // the address a person types first
      return true;
    }
    const asset = Object.hasOwn(ASSETS, path) ? ASSETS[path] : undefined;
    if (!asset) return false;
    req.resume();
    const fail = (status: number, message: string): void => void res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...HEADERS }).end(`${message}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') fail(405, `${req.method} is not allowed on ${path} (GET)`);
    else if (!LOOPBACK_HOST.test(req.headers.host ?? '')) fail(421, 'the key\'s window is served to http://127.0.0.1 or http://localhost only');
    else res.writeHead(200, { 'content-type': asset[0], ...HEADERS }).end(req.method === 'HEAD' ? undefined : asset[1]);
    return true;
  }

  /**
   * Key `index`'s UI resources (behind the token): an answer, 'streamed' when the response went
   * out as a stream, undefined when the path is not the UI's.
   */
  route(index: number, pathname: string, req: IncomingMessage, res: ServerResponse, streams: EventStreams): ControlAnswer | 'streamed' | undefined {
    if (pathname !== '/ui/pending' && pathname !== '/ui/trace') return undefined;
    if (req.method !== 'GET') return { status: 405, body: { error: `${req.method} is not allowed on ${pathname} (GET)` } };
    if (pathname === '/ui/pending') return { status: 200, body: { pending: pendingRequests(this.keys[index]!) } };
    const trace = this.o.trace;
    if (!trace) return { status: 404, body: { error: 'no decoded trace here (serve --ui gives one); GET /events has each request and response' } };
    const key = this.keys[index]!;
    streams.stream(req, res, 'ctap-emu trace', (send) => trace(key, (m) => send('message', { time: new Date().toISOString(), ...m })));
    return 'streamed';
  }
}
