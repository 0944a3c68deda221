// GET /events: the key's events as server-sent events (text/event-stream), one event per line group
// (`event: NAME`, `data: JSON`), a comment line every heartbeat so proxies and clients see the
// stream alive, and a clean end (the last chunk sent) when the control API closes with the key.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyEvent } from '../events/types.js';
import type { VirtualAuthenticator } from '../virtual.js';

/** How often a stream with no events says it is alive. */
export const HEARTBEAT_MS = 15_000;

/** The open streams of one control API, ended together when it closes. */
export class EventStreams {
  private readonly open = new Set<ServerResponse>();

  constructor(private readonly key: VirtualAuthenticator, private readonly heartbeatMs = HEARTBEAT_MS) {}

  /** Answers the request with the stream; it runs until the client goes or end() is called. */
  serve(req: IncomingMessage, res: ServerResponse): void {
    this.stream(req, res, 'ctap-emu events', (send) => {
      const listener = (e: KeyEvent): void => send(e.type, e);
      this.key.on('*', listener);
      return () => this.key.off('*', listener);
    });
  }

  /**
   * Any source's events as a stream on the same terms (heartbeat, ended with the others):
   * `subscribe` starts the source and returns what stops it.
   */
  stream(req: IncomingMessage, res: ServerResponse, title: string, subscribe: (send: (name: string, data: unknown) => void) => () => void): void {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`: ${title}\n\n`); // headers and a first line out at once: the client knows it is subscribed
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), this.heartbeatMs);
    heartbeat.unref();
    const stop = subscribe((name, data) => void res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`));
    this.open.add(res);
    res.on('close', () => {
      clearInterval(heartbeat);
      stop();
      this.open.delete(res);
    });
  }

  /**
   * Ends every stream (the terminating chunk goes out): the key stops. A client that went away
   * meanwhile counts as ended (its end callback may never come).
   */
  end(): Promise<void> {
    const ends = [...this.open].map((res) => new Promise<void>((resolve) => {
      if (res.destroyed) return resolve();
      res.once('close', () => resolve());
      res.end(': the key stopped\n\n', () => resolve());
    }));
    return Promise.all(ends).then(() => undefined);
  }
}
