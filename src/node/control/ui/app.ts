// The key's window's script, served as /ui/app.js: plain browser JavaScript, no framework. It talks
// to the control API with the token as a bearer header, reads /events and /ui/trace as streams
// (fetch, since EventSource cannot send a header), and puts every string the key or an RP gave in
// as text (textContent, text nodes), never as markup. Kept free of template literals: it lives in
// one. view.ts draws; this file holds the token, the requests and the streams.
import { VIEW_JS } from './view.js';

const CONNECTION_JS = String.raw`
const TOKEN_ITEM = 'ctap-emu-control-token';
const state = { token: sessionStorage.getItem(TOKEN_ITEM) || '', key: 0, keys: [], run: null, pendingSeq: 0 };

function keyPath(path) { return '/keys/' + state.key + path; }

function headers(json) {
  const h = { authorization: 'Bearer ' + state.token };
  if (json) h['content-type'] = 'application/json';
  return h;
}

class Unauthorized extends Error {}

async function api(method, path, body) {
  const res = await fetch(path, { method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  if (res.status === 401) throw new Unauthorized('the key refused the token');
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new Error((data && data.error) || ('HTTP ' + res.status));
  return data;
}

/** Reads a server-sent event stream: each event's name and parsed data to onEvent, until it ends. */
async function readStream(path, signal, onEvent) {
  const res = await fetch(path, { headers: headers(false), signal, cache: 'no-store' });
  if (res.status === 401) throw new Unauthorized('the key refused the token');
  if (!res.ok) { const e = new Error('HTTP ' + res.status); e.status = res.status; throw e; }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) name = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) onEvent(name, JSON.parse(data.join('\n')));
    }
  }
}

function failed(e) {
  if (e instanceof Unauthorized) return logout('The key refused the token: paste it again.');
  notice(String(e && e.message || e));
}

async function refreshPending() {
  const seq = ++state.pendingSeq;
  try {
    const { pending } = await api('GET', keyPath('/ui/pending'));
    if (seq === state.pendingSeq) showPending(pending);
  } catch (e) { failed(e); }
}

async function refreshPasskeys() {
  try { showPasskeys(await api('GET', keyPath('/credentials'))); } catch (e) { failed(e); }
}

async function answer(action) {
  try {
    const r = await api('POST', keyPath('/pending'), { action });
    notice(r.answered ? 'Answered: ' + action : 'The key was not waiting for that any more');
  } catch (e) { failed(e); }
  refreshPending();
}

async function inspect(id) {
  try { showCredential(id, await api('GET', keyPath('/credentials/' + encodeURIComponent(id)))); } catch (e) { failed(e); }
}

async function remove(id) {
  try {
    await api('DELETE', keyPath('/credentials/' + encodeURIComponent(id)));
    notice('Deleted the passkey');
  } catch (e) { failed(e); }
  refreshPasskeys();
}

function onKeyEvent(name, event) {
  logEvent(event);
  if (name.startsWith('touch-') || name === 'response' || name === 'power-cycle') refreshPending();
  if (name.startsWith('credential-') || name === 'reset') refreshPasskeys();
  if (name === 'reset' || name.startsWith('pin-') || name === 'credential-added' || name === 'credential-deleted') refreshKeys().catch(failed);
}

/** Both streams of the chosen key; when the key goes away, tries again every 2 s. */
function connect() {
  if (state.run) state.run.abort();
  const run = new AbortController();
  state.run = run;
  const events = readStream(keyPath('/events'), run.signal, onKeyEvent);
  // A key without a decoded trace (404) says so once; then only the event stream counts.
  const trace = readStream(keyPath('/ui/trace'), run.signal, (name, m) => logTrace(m)).catch((e) => {
    if (e.status !== 404) throw e;
    traceMissing();
    return events;
  });
  connection('on', 'connected to key ' + state.key);
  refreshPending();
  refreshPasskeys();
  Promise.race([events, trace]).then(() => { throw new Error('the key stopped'); }).catch((e) => {
    if (run.signal.aborted) return;
    run.abort();
    if (e instanceof Unauthorized) return logout('The key refused the token: paste it again.');
    connection('error', 'disconnected: ' + (e && e.message || e) + '; retrying');
    setTimeout(() => { if (state.run === run) start(); }, 2000);
  });
}

async function refreshKeys() {
  state.keys = await api('GET', '/keys');
  showKeys(state.keys, state.key);
}

async function start() {
  try {
    await refreshKeys();
  } catch (e) {
    if (e instanceof Unauthorized) return logout('The key refused the token: paste it again.');
    connection('error', 'cannot reach the key: ' + (e && e.message || e) + '; retrying');
    setTimeout(start, 2000);
    return;
  }
  showMain();
  connect();
}

function chooseKey(index) {
  state.key = index;
  clearKeyViews();
  showKeys(state.keys, state.key);
  connect();
}

function logout(message) {
  if (state.run) state.run.abort();
  state.run = null;
  state.token = '';
  sessionStorage.removeItem(TOKEN_ITEM);
  connection('off', 'not connected');
  showLogin(message);
}

function login(token) {
  state.token = token.trim();
  sessionStorage.setItem(TOKEN_ITEM, state.token);
  start();
}

document.addEventListener('DOMContentLoaded', () => {
  bindView({ login, logout: () => logout(''), answer, inspect, remove, chooseKey });
  if (state.token) start(); else showLogin('');
});
`;

export const APP_JS = `'use strict';\n(() => {\n${VIEW_JS}\n${CONNECTION_JS}\n})();\n`;
