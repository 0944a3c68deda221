// The control API of a running key (`serve --control`): HTTP+JSON on 127.0.0.1 or a Unix socket,
// node:http only. Every request carries the bearer token; one without it, or with another, gets
// 401 before anything is read or changed.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AutomationError } from '../automation/credentialJson.js';
import type { VirtualAuthenticator } from '../virtual.js';
import { ROUTES, type ControlAnswer } from './routes.js';
import { EventStreams } from './events.js';
import { CONFORMANCE_ROUTES, type ConformanceOptions } from './conformance.js';
import { UiServer, type UiOptions } from './ui/uiServer.js';

export interface ControlOptions {
  /** A TCP port on 127.0.0.1 (0: any free one), or a Unix socket path. */
  listen: { port: number } | { path: string };
  token: string;
  /** The FIDO Conformance Tools' automation paths, without the token (TCP only): see conformance.ts. */
  conformance?: boolean | ConformanceOptions;
  /** How often GET /events says it is alive (default 15 s). */
  heartbeatMs?: number;
  /** The key's own window at /ui (TCP only): see ui/uiServer.ts. */
  ui?: boolean | UiOptions;
  /** How many of the newest events a client reconnecting with Last-Event-ID can get (default 1000). */
  eventHistory?: number;
}

export interface ControlServer {
  /** http://127.0.0.1:PORT, or unix:PATH. */
  url: string;
  close(): Promise<void>;
}

/** The largest body taken (a credential with an RSA key is about 2 KB; an import of many fits). */
const MAX_BODY = 1 << 20;

/** A new token: 32 random bytes in base64url. */
export function newControlToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant time whatever the lengths: both sides hashed first. */
function sameToken(given: string, token: string): boolean {
  const h = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(given), h(token));
}

function authorized(req: IncomingMessage, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  return sameToken(m ? m[1]! : '', token);
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const STATUS_OF = { invalid: 400, notFound: 404, conflict: 409 } as const;

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MAX_BODY) throw new HttpError(413, `the body is over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new HttpError(400, `bad JSON: ${(e as Error).message}`);
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `bad percent-encoding in ${segment}`);
  }
}

/**
 * Several keys (serve --keys N): /keys lists them, /keys/N/... is any route on key N, and the
 * routes without the prefix are key 0's. The key's index, and the path on it.
 */
function keyFor(keys: readonly VirtualAuthenticator[], pathname: string): [number, string] | ControlAnswer {
  if (pathname === '/keys') return { status: 200, body: keys.map((k, index) => ({ index, ...k.info() })) };
  const m = /^\/keys\/(\d{1,3})(\/.*)$/.exec(pathname);
  if (!m) return [0, pathname];
  const index = Number(m[1]);
  if (!keys[index]) throw new HttpError(404, `no key ${m[1]} (keys 0-${keys.length - 1})`);
  return [index, m[2]!];
}

async function answer(key: VirtualAuthenticator, pathname: string, req: IncomingMessage, url: URL): Promise<ControlAnswer> {
  for (const [pattern, methods] of ROUTES) {
    const m = pattern.exec(pathname);
    if (!m) continue;
    const handler = methods[req.method ?? ''];
    if (!handler) throw new HttpError(405, `${req.method} is not allowed on ${url.pathname} (${Object.keys(methods).join(', ')})`);
    const body = await readBody(req);
    return handler(key, { params: m.slice(1).map(decodeSegment), query: url.searchParams, body });
  }
  throw new HttpError(404, `no resource ${url.pathname}`);
}

function send(res: ServerResponse, a: ControlAnswer): void {
  if (a.body === undefined) {
    res.writeHead(a.status).end();
    return;
  }
  const text = `${JSON.stringify(a.body, null, 2)}\n`;
  res.writeHead(a.status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(text);
}

function errorAnswer(e: unknown): ControlAnswer {
  if (e instanceof HttpError) return { status: e.status, body: { error: e.message } };
  if (e instanceof AutomationError) return { status: STATUS_OF[e.kind], body: { error: e.message } };
  return { status: 500, body: { error: `internal error: ${(e as Error).message}` } };
}

/** The conformance tools' paths (no token: the tools send none); false when the path is not one of them. */
async function conformance(key: VirtualAuthenticator, o: ConformanceOptions, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const handler = Object.hasOwn(CONFORMANCE_ROUTES, pathOf(req)) ? CONFORMANCE_ROUTES[pathOf(req)] : undefined;
  if (!handler) return false;
  let a: ControlAnswer;
  try {
    if (req.method !== 'POST' && req.method !== 'GET') throw new HttpError(405, `${req.method} is not allowed on ${pathOf(req)} (POST, GET)`);
    a = handler(key, await readBody(req), o);
  } catch (e) {
    a = errorAnswer(e);
  }
  send(res, a);
  return true;
}

const pathOf = (req: IncomingMessage): string => new URL(req.url ?? '/', 'http://control').pathname;

/** What one control API serves: the keys (key 0 answers the paths without /keys/N), each key's event streams. */
interface Served {
  keys: readonly VirtualAuthenticator[];
  token: string;
  streams: readonly EventStreams[];
  /** The conformance tools' paths, on key 0. */
  conformance?: ConformanceOptions;
  ui?: UiServer;
}

async function handle(s: Served, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { keys, token } = s;
  if (s.conformance && await conformance(keys[0]!, s.conformance, req, res)) return;
  if (s.ui?.asset(req, res)) return;
  if (!authorized(req, token)) {
    req.resume(); // the body is not read, only drained
    res.setHeader('www-authenticate', 'Bearer');
    send(res, { status: 401, body: { error: 'missing or wrong bearer token' } });
    return;
  }
  let a: ControlAnswer;
  try {
    const url = new URL(req.url ?? '/', 'http://control');
    const picked = keyFor(keys, url.pathname);
    if (!Array.isArray(picked)) {
      if (req.method !== 'GET') throw new HttpError(405, `${req.method} is not allowed on ${url.pathname} (GET)`);
      a = picked;
    } else {
      const [index, pathname] = picked;
      if (pathname === '/events' && req.method === 'GET') {
        s.streams[index]!.serve(req, res); // /events is key 0's, /keys/N/events key N's
        return;
      }
      const ui = s.ui?.route(index, pathname, req, res, s.streams[index]!);
      if (ui === 'streamed') return;
      a = ui ?? await answer(keys[index]!, pathname, req, url);
    }
  } catch (e) {
    a = errorAnswer(e);
  }
  send(res, a);
}

function listen(server: Server, o: ControlOptions['listen']): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => (server.off('error', reject), resolve());
    if ('path' in o) server.listen(o.path, done);
    else server.listen(o.port, '127.0.0.1', done);
  });
}

/**
 * Starts the control API for `key` (or keys, the first answering the routes without /keys/N, the
 * conformance paths and /events; /keys/N/events is key N's); the token is never logged here.
 */
export async function startControl(key: VirtualAuthenticator | readonly VirtualAuthenticator[], o: ControlOptions): Promise<ControlServer> {
  if (o.token.length < 16) throw new RangeError('the control token must be at least 16 characters');
  if (o.eventHistory !== undefined && !(Number.isSafeInteger(o.eventHistory) && o.eventHistory >= 1)) throw new RangeError('eventHistory must be a whole number from 1');
  const keys = Array.isArray(key) ? key : [key as VirtualAuthenticator];
  if (keys.length === 0) throw new RangeError('no key to control');
  if (o.conformance && 'path' in o.listen) throw new RangeError('the conformance tools reach the key over TCP: --conformance needs --control PORT');
  if (o.ui && 'path' in o.listen) throw new RangeError('a browser reaches the key\'s window over TCP: --ui needs --control PORT');
  const streams = keys.map((k) => new EventStreams(k, o.heartbeatMs, o.eventHistory));
  const ui = o.ui ? new UiServer(keys, o.ui === true ? {} : o.ui) : undefined;
  const served: Served = { keys, token: o.token, streams, conformance: o.conformance === true ? {} : o.conformance || undefined, ui };
  const server = createServer((req, res) => void handle(served, req, res));
  try {
    await listen(server, o.listen);
  } catch (e) {
    // The event rings stop listening: the keys outlive a port that was taken.
    await Promise.all(streams.map((s) => s.end()));
    throw e;
  }
  let url: string;
  if ('path' in o.listen) {
    chmodSync(o.listen.path, 0o600); // the token guards it too; the socket is the owner's alone
    url = `unix:${o.listen.path}`;
  } else {
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const path = 'path' in o.listen ? o.listen.path : undefined;
  return {
    url,
    close: () => Promise.all(streams.map((e) => e.end())).then(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        if (path) rmSync(path, { force: true });
        resolve();
      });
    })),
  };
}
