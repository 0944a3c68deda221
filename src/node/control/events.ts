// GET /events: the key's events as server-sent events (text/event-stream), one event per line group
// (`id: N`, `event: NAME`, `data: JSON`), a comment line every heartbeat so proxies and clients see the
// stream alive, and a clean end (the last chunk sent) when the control API closes with the key.
// Each event's ID is one more than the last; the newest are kept in a ring, so a client that comes
// back with Last-Event-ID (as EventSource does) gets what it missed, or an `events-lost` event saying
// that some are gone (fell out of the ring, or the ID is not from this run of the key).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyEvent } from '../events/types.js';
import type { VirtualAuthenticator } from '../virtual.js';
import { AutomationError } from '../automation/credentialJson.js';

/** How often a stream with no events says it is alive. */
export const HEARTBEAT_MS = 15_000;
/** How many of the newest events a reconnecting client can get again. */
export const EVENT_HISTORY = 1000;

interface Logged {
  id: number;
  /** The event as it goes on the stream. */
  text: string;
}

/** What a client that reconnects is told when events it has not seen are gone. */
interface EventsLost {
  type: 'events-lost';
  time: string;
  lastEventId: number;
  /** 'dropped': older than the ring; 'unknown': an ID this run of the key never gave (a restart). */
  reason: 'dropped' | 'unknown';
  /** How many are gone ('dropped'). */
  missed?: number;
  /** The oldest event still kept: the stream goes on from there. */
  oldestId?: number;
}

const frame = (e: { type: string }, id?: number): string =>
  `${id === undefined ? '' : `id: ${id}\n`}event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

/** Last-Event-ID (header, or ?lastEventId= for clients that cannot set one); undefined when absent. */
function lastEventId(req: IncomingMessage): number | undefined {
  const given = req.headers['last-event-id'] ?? new URL(req.url ?? '/', 'http://control').searchParams.get('lastEventId') ?? undefined;
  if (given === undefined || given === '') return undefined;
  const text = Array.isArray(given) ? given[0]! : given;
  if (!/^\d{1,15}$/.test(text)) throw new AutomationError('invalid', `Last-Event-ID must be an event ID this stream gave (a whole number), got "${text}"`);
  return Number(text);
}

/** The open streams of one key's control API and the key's recent events, ended together when it closes. */
export class EventStreams {
  /** Every open stream (ended together). */
  private readonly open = new Set<ServerResponse>();
  /** The streams of the key's events (each event written to them). */
  private readonly keyStreams = new Set<ServerResponse>();
  private readonly ring: Logged[] = [];
  private nextId = 1;
  private readonly record = (e: KeyEvent): void => {
    const id = this.nextId++;
    const logged = { id, text: frame(e, id) };
    this.ring.push(logged);
    if (this.ring.length > this.history) this.ring.shift();
    for (const res of this.keyStreams) res.write(logged.text);
  };

  constructor(private readonly key: VirtualAuthenticator, private readonly heartbeatMs = HEARTBEAT_MS, private readonly history = EVENT_HISTORY) {
    // Listening from the start, so a client reconnecting later finds what it missed.
    key.on('*', this.record);
  }

  /** What a client that saw up to `last` missed: the lost notice, if any, and the events kept after it. */
  private missed(last: number): string {
    const oldest = this.ring[0]?.id ?? this.nextId;
    const time = new Date().toISOString();
    let lost: EventsLost | undefined;
    if (last >= this.nextId) lost = { type: 'events-lost', time, lastEventId: last, reason: 'unknown' };
    else if (last < oldest - 1) lost = { type: 'events-lost', time, lastEventId: last, reason: 'dropped', missed: oldest - 1 - last, oldestId: oldest };
    // An unknown ID is not from this run: everything kept may be news to it.
    const from = lost ? 0 : last;
    return (lost ? frame(lost) : '') + this.ring.filter((e) => e.id > from).map((e) => e.text).join('');
  }

  /** Answers the request with the stream; it runs until the client goes or end() is called. Throws before answering on a bad Last-Event-ID. */
  serve(req: IncomingMessage, res: ServerResponse): void {
    const last = lastEventId(req);
    this.begin(req, res, 'ctap-emu events', last === undefined ? '' : this.missed(last));
    this.keyStreams.add(res);
    res.on('close', () => this.keyStreams.delete(res));
  }

  /**
   * Any source's events as a stream on the same terms (heartbeat, ended with the others), without
   * IDs: `subscribe` starts the source and returns what stops it.
   */
  stream(req: IncomingMessage, res: ServerResponse, title: string, subscribe: (send: (name: string, data: unknown) => void) => () => void): void {
    this.begin(req, res, title, '');
    const stop = subscribe((name, data) => void res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`));
    res.on('close', stop);
  }

  /** Starts a stream: headers and a first line (then `first`) out at once, so the client knows it is subscribed. */
  private begin(req: IncomingMessage, res: ServerResponse, title: string, first: string): void {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`: ${title}\n\n${first}`);
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), this.heartbeatMs);
    heartbeat.unref();
    this.open.add(res);
    res.on('close', () => {
      clearInterval(heartbeat);
      this.open.delete(res);
    });
  }

  /**
   * Ends every stream (the terminating chunk goes out) and stops listening: the key stops. A client
   * that went away meanwhile counts as ended (its end callback may never come).
   */
  end(): Promise<void> {
    this.key.off('*', this.record);
    const ends = [...this.open].map((res) => new Promise<void>((resolve) => {
      if (res.destroyed) return resolve();
      res.once('close', () => resolve());
      res.end(': the key stopped\n\n', () => resolve());
    }));
    return Promise.all(ends).then(() => undefined);
  }
}
