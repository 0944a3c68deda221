// `ctap-emu ctl …`: the control API of a running `serve --control`, from the command line. JSON
// answers go to stdout as the API gives them; a refusal is one line and an exit code.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { CliError, ExitCode, printJson } from './common.js';

export interface CtlOptions {
  /** http://127.0.0.1:PORT or unix:PATH; default $CTAP_EMU_CONTROL. */
  control?: string;
  /** Filled from --token, --token-file or $CTAP_EMU_TOKEN (options.ts). */
  token?: string;
  /** Which key of a `serve --keys N` (default 0). */
  key?: string;
}

/** The path on key --key N: /keys/N/PATH (key 0 answers PATH too). */
function keyPath(o: CtlOptions, path: string): string {
  if (o.key === undefined) return path;
  if (!/^\d{1,3}$/.test(o.key)) throw new CliError(`--key must be a key number (0 for the first), got "${o.key}"`, ExitCode.usage);
  return `/keys/${Number(o.key)}${path}`;
}

interface Reply {
  status: number;
  body: unknown;
}

/** Where the API is: a socket path, or host and port of an http: URL. */
function target(o: CtlOptions): { socketPath: string } | { host: string; port: number } {
  const where = o.control ?? process.env.CTAP_EMU_CONTROL;
  if (!where) throw new CliError('give --control URL (or set CTAP_EMU_CONTROL): the line `serve --control` printed at start', ExitCode.usage);
  if (where.startsWith('unix:')) return { socketPath: where.slice('unix:'.length) };
  let url: URL;
  try {
    url = new URL(where);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' || url.port === '') throw new CliError(`--control must be http://HOST:PORT or unix:PATH, got "${where}"`, ExitCode.usage);
  return { host: url.hostname, port: Number(url.port) };
}

/** The bearer token's header, or a usage error without a token. */
function authorization(o: CtlOptions): { authorization: string } {
  if (!o.token) throw new CliError('give --token, --token-file or CTAP_EMU_TOKEN (serve printed the token at start)', ExitCode.usage);
  return { authorization: `Bearer ${o.token}` };
}

const unreachable = (e: NodeJS.ErrnoException): CliError =>
  new CliError(`cannot reach the control API (${e.code ?? e.message}): is \`serve --control\` running?`);

function call(o: CtlOptions, method: string, path: string, body?: unknown): Promise<Reply> {
  const where = target(o);
  const data = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = authorization(o);
  if (data !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request({ ...where, method, path: keyPath(o, path), headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) });
        } catch {
          reject(new CliError(`the control API answered ${res.statusCode} with something not JSON`));
        }
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => reject(unreachable(e)));
    req.end(data);
  });
}

/** Runs one call and prints its answer; a refusal becomes the API's message and an exit code. */
export async function run(o: CtlOptions, method: string, path: string, body?: unknown): Promise<void> {
  const r = await call(o, method, path, body);
  if (r.status >= 400) throw refusal(r);
  if (r.body !== undefined) printJson(r.body);
}

/** A refusal as one line (the API's message) and an exit code. */
function refusal(r: Reply): CliError {
  const message = (r.body as { error?: string } | undefined)?.error ?? `HTTP ${r.status}`;
  if (r.status === 401) return new CliError(`the control API refused the token: ${message}`);
  return new CliError(message, r.status === 404 ? ExitCode.notFound : r.status === 400 ? ExitCode.usage : ExitCode.failure);
}

const credentialPath = (id: string): string => `/credentials/${encodeURIComponent(id)}`;

function warnPrivateKeys(): void {
  process.stderr.write('ctap-emu: warning: the output holds private keys; anyone who reads it can sign in as these users\n');
}

export const ctlKey = (o: CtlOptions): Promise<void> => run(o, 'GET', '/key');
export const ctlKeys = (o: CtlOptions): Promise<void> => run({ ...o, key: undefined }, 'GET', '/keys');
export const ctlPowerCycle = (o: CtlOptions): Promise<void> => run(o, 'POST', '/key/power-cycle');
export const ctlReset = (o: CtlOptions): Promise<void> => run(o, 'POST', '/key/reset');
export const ctlRemoveAll = (o: CtlOptions): Promise<void> => run(o, 'DELETE', '/credentials');
export const ctlRemove = (id: string, o: CtlOptions): Promise<void> => run(o, 'DELETE', credentialPath(id));
export const ctlPresence = (policy: string, o: CtlOptions): Promise<void> => run(o, 'POST', '/presence', { policy });
export const ctlTouch = (o: CtlOptions): Promise<void> => run(o, 'POST', '/presence/touch');

/** `ctl answer ACTION`: the user's answer to the touch or finger the key waits for now. */
export const ctlAnswer = (action: string, o: CtlOptions): Promise<void> => run(o, 'POST', '/pending', { action });

export async function ctlList(o: CtlOptions & { privateKeys?: boolean }): Promise<void> {
  if (o.privateKeys) warnPrivateKeys();
  await run(o, 'GET', `/credentials${o.privateKeys ? '?includePrivateKeys=true' : ''}`);
}

export async function ctlGet(id: string, o: CtlOptions & { privateKeys?: boolean }): Promise<void> {
  if (o.privateKeys) warnPrivateKeys();
  await run(o, 'GET', `${credentialPath(id)}${o.privateKeys ? '?includePrivateKeys=true' : ''}`);
}

/** A file (or - for stdin) holding one credential or an array of them. */
export async function ctlAdd(file: string, o: CtlOptions): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`);
  }
  await run(o, 'POST', '/credentials', body);
}

export async function ctlSet(id: string, o: CtlOptions & { signCount?: string; userName?: string; userDisplayName?: string }): Promise<void> {
  const body: { signCount?: number; user?: { name?: string; displayName?: string } } = {};
  if (o.signCount !== undefined) {
    if (!/^\d+$/.test(o.signCount)) throw new CliError(`--sign-count must be a whole number, got "${o.signCount}"`, ExitCode.usage);
    body.signCount = Number(o.signCount);
  }
  if (o.userName !== undefined || o.userDisplayName !== undefined) body.user = { name: o.userName, displayName: o.userDisplayName };
  if (Object.keys(body).length === 0) throw new CliError('give --sign-count, --user-name or --user-display-name', ExitCode.usage);
  await run(o, 'PATCH', credentialPath(id), body);
}

/** `ctl props ID --backup-eligibility B --backup-state B`: WebAuthn Automation's setCredentialProperties. */
export async function ctlProps(id: string, o: CtlOptions & { backupEligibility?: string; backupState?: string }): Promise<void> {
  const body: Record<string, boolean> = {};
  for (const [k, flag] of [['backupEligibility', '--backup-eligibility'], ['backupState', '--backup-state']] as const) {
    const v = o[k];
    if (v === undefined) continue;
    if (v !== 'true' && v !== 'false') throw new CliError(`${flag} takes true or false, got "${v}"`, ExitCode.usage);
    body[k] = v === 'true';
  }
  if (Object.keys(body).length === 0) throw new CliError('give --backup-eligibility or --backup-state', ExitCode.usage);
  await run(o, 'POST', `${credentialPath(id)}/props`, body);
}

export async function ctlUv(verified: string, o: CtlOptions): Promise<void> {
  if (verified !== 'true' && verified !== 'false') throw new CliError(`uv takes true or false, got "${verified}"`, ExitCode.usage);
  await run(o, 'POST', '/uv', { verified: verified === 'true' });
}

/** Each complete server-sent event in `buffer` (comments and heartbeats skipped): its data and its ID, if it has one; and what is left. */
export function sseEvents(buffer: string): { data: string[]; ids: (string | undefined)[]; rest: string } {
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop()!;
  const data: string[] = [];
  const ids: (string | undefined)[] = [];
  for (const block of blocks) {
    const lines = block.split(/\r?\n/);
    const field = (name: string): string[] => lines.filter((l) => l.startsWith(`${name}:`)).map((l) => l.slice(name.length + 1).replace(/^ /, ''));
    const d = field('data');
    if (d.length === 0) continue;
    data.push(d.join('\n'));
    ids.push(field('id')[0]);
  }
  return { data, ids, rest };
}

/**
 * `ctl events`: each event as one line of JSON (with its stream `id`), as it comes, until the key
 * stops (exit 0) or Ctrl-C; `--last-event-id N` first gives the events after N the key still keeps.
 */
export function ctlEvents(o: CtlOptions & { lastEventId?: string }): Promise<void> {
  const where = target(o);
  if (o.lastEventId !== undefined && !/^\d+$/.test(o.lastEventId)) throw new CliError(`--last-event-id must be an event ID, got "${o.lastEventId}"`, ExitCode.usage);
  const headers = { ...authorization(o), accept: 'text/event-stream', ...(o.lastEventId !== undefined && { 'last-event-id': o.lastEventId }) };
  return new Promise((resolve, reject) => {
    const req = request({ ...where, method: 'GET', path: keyPath(o, '/events'), headers }, (res) => {
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch { /* not JSON: the status says it */ }
          reject(refusal({ status: res.statusCode ?? 0, body }));
        });
        return;
      }
      let buffer = '';
      res.on('data', (d: string) => {
        const { data, ids, rest } = sseEvents(buffer + d);
        buffer = rest;
        data.forEach((line, i) => {
          const id = ids[i] === undefined ? {} : { id: Number(ids[i]) };
          process.stdout.write(`${JSON.stringify({ ...id, ...(JSON.parse(line) as object) })}\n`);
        });
      });
      res.on('end', () => resolve());
      res.on('aborted', () => reject(new CliError('the control API went away mid-stream')));
    });
    req.on('error', (e: NodeJS.ErrnoException) => reject(unreachable(e)));
    req.end();
  });
}

/** The key's counter model, or one credential's: the API parses the text form (random-step:MAX:SEED). */
export async function ctlCounter(model: string, o: CtlOptions & { credential?: string }): Promise<void> {
  await run(o, 'PUT', o.credential === undefined ? '/counter-model' : `${credentialPath(o.credential)}/counter-model`, { model });
}
