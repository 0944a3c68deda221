// The relying party's JSON endpoints as one virtual user reaches them: POST JSON, read JSON back,
// and keep the session cookies the RP sets (it usually keeps the challenge in its session).

/** Cookies of one virtual user at one RP, by name (domain and path are the target's own). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Takes every Set-Cookie of a response; Max-Age=0 or a past Expires removes the cookie. */
  remember(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const gone = attributes.some((a) => {
        const [k = '', v = ''] = a.split('=').map((s) => s.trim());
        return (k.toLowerCase() === 'max-age' && Number(v) <= 0) || (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now());
      });
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** A failed step of a ceremony: `code` is short and bounded (it becomes an Artillery error metric). */
export class CeremonyError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CeremonyError';
  }
}

export interface PostOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  /** Names the request in errors: 'options' or 'verify'. */
  what: 'options' | 'verify';
}

/** POSTs `body` as JSON to `url`; the answer must be 2xx. Returns its JSON (undefined when it is not JSON). */
export async function postJson(url: string, body: unknown, jar: CookieJar, o: PostOptions): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', ...o.headers };
  const cookie = jar.header();
  if (cookie) headers.cookie = cookie;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body ?? {}), signal: AbortSignal.timeout(o.timeoutMs) });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new CeremonyError(`${o.what}_${timedOut ? 'timeout' : 'unreachable'}`, `POST ${url}: ${timedOut ? `no answer in ${o.timeoutMs} ms` : String((err as Error).cause ?? err)}`);
  }
  jar.remember(res.headers);
  const text = await res.text();
  if (!res.ok) throw new CeremonyError(`${o.what}_http_${res.status}`, `POST ${url} answered ${res.status}: ${text.slice(0, 200)}`);
  if (!/json/i.test(res.headers.get('content-type') ?? '') && !/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CeremonyError(`${o.what}_bad_json`, `POST ${url} answered JSON that does not parse: ${text.slice(0, 200)}`);
  }
}
