// The key's window's drawing half (see app.ts): the blinking light and what it waits for, the
// passkeys, the event log and the trace. Every value is put in as text: el() makes text nodes of
// strings, and nothing here sets innerHTML.

export const VIEW_JS = String.raw`
const $ = (id) => document.getElementById(id);

/** An element with these properties and children; a string child becomes a text node. */
function el(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c !== undefined && c !== null) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

const MAX_LINES = 400;
const OPERATIONS = {
  makeCredential: 'register a passkey',
  getAssertion: 'sign in',
  reset: 'reset the key (every passkey and the PIN go)',
  selection: 'pick this key',
  clientPIN: 'get a PIN/UV token',
  ctap1: 'use a U2F credential',
};
const ACTIONS = { presence: ['approve', 'deny'], verification: ['verify', 'fail-verification'] };
let handlers;

function bindView(h) {
  handlers = h;
  $('login').addEventListener('submit', (e) => { e.preventDefault(); handlers.login($('token').value); $('token').value = ''; });
  $('logout').addEventListener('click', () => handlers.logout());
  $('key-select').addEventListener('change', (e) => handlers.chooseKey(Number(e.target.value)));
  for (const b of document.querySelectorAll('[data-action]')) b.addEventListener('click', () => handlers.answer(b.dataset.action));
  $('inspect-close').addEventListener('click', () => { $('inspect').hidden = true; });
}

function showLogin(message) {
  $('main').hidden = true;
  $('logout').hidden = true;
  $('key-picker').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  $('token').focus();
}

function showMain() {
  $('login').hidden = true;
  $('main').hidden = false;
  $('logout').hidden = false;
}

function connection(stateName, text) {
  $('connection').dataset.state = stateName;
  $('connection').textContent = text;
}

function notice(text) { $('notice').textContent = text; }

function showKeys(keys, chosen) {
  const select = $('key-select');
  select.replaceChildren(...keys.map((k) => el('option', { value: String(k.index), selected: k.index === chosen }, 'key ' + k.index + ' (' + k.profile + ')')));
  $('key-picker').hidden = keys.length < 2;
  const k = keys[chosen];
  if (!k) return;
  $('key-info').textContent = 'Key ' + k.index + ': profile ' + k.profile + ', presence ' + k.presence + ', PIN ' + (k.pin ? 'set' : 'not set')
    + (k.builtInUv ? ', fingerprint sensor' : '') + ', ' + k.discoverableCredentials + ' of ' + k.maxDiscoverableCredentials + ' passkey slots used';
}

function clearKeyViews() {
  $('event-log').replaceChildren();
  $('trace-log').replaceChildren();
  $('trace-missing').hidden = true;
  $('inspect').hidden = true;
  notice('');
  showPending([]);
  showPasskeys([]);
}

/** The light blinks while the key waits; the oldest wait is the one the buttons answer. */
function showPending(pending) {
  const first = pending[0];
  const led = $('led');
  led.classList.toggle('waiting', Boolean(first));
  led.dataset.kind = first ? first.kind : '';
  document.title = (first ? '(touch) ' : '') + 'ctap-emu: the key\'s window';
  for (const b of document.querySelectorAll('[data-action]')) {
    const a = b.dataset.action;
    b.disabled = !first || (a !== 'timeout' && !ACTIONS[first.kind].includes(a));
  }
  const details = $('request-details');
  if (!first) {
    $('request-title').textContent = 'Nothing to touch';
    details.replaceChildren();
    return;
  }
  const what = first.kind === 'verification' ? 'a finger on the sensor' : 'a touch';
  const who = first.rpId || 'The host';
  $('request-title').textContent = who + ' asks for ' + what + ' to ' + (OPERATIONS[first.command] || first.command);
  const rows = [['RP', first.rpId], ['Operation', first.command], ['User', first.userName], ['Waiting since', new Date(first.since).toLocaleTimeString()]];
  if (pending.length > 1) rows.push(['Also waiting', String(pending.length - 1)]);
  details.replaceChildren(...rows.filter((r) => r[1] !== undefined).flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-field': k }, v)]));
}

/** A button that asks to be clicked again before it does anything. */
function confirmButton(label, confirmLabel, act) {
  const b = el('button', { type: 'button' }, label);
  let timer;
  b.addEventListener('click', () => {
    if (!b.classList.contains('confirm')) {
      b.classList.add('confirm');
      b.textContent = confirmLabel;
      timer = setTimeout(() => { b.classList.remove('confirm'); b.textContent = label; }, 4000);
      return;
    }
    clearTimeout(timer);
    b.disabled = true;
    act();
  });
  return b;
}

function showPasskeys(list) {
  $('passkey-count').textContent = '(' + list.length + ')';
  if (!list.some((c) => c.credentialId === $('inspect').dataset.credentialId)) $('inspect').hidden = true; // it went
  $('passkeys-empty').hidden = list.length > 0;
  $('passkey-rows').replaceChildren(...list.map((c) => el('tr', { 'data-credential-id': c.credentialId },
    el('td', {}, c.rpId), el('td', {}, c.userName || ''), el('td', {}, c.userDisplayName || ''), el('td', {}, String(c.signCount)),
    el('td', {}, c.isResidentCredential ? 'discoverable' : 'imported'),
    el('td', { class: 'buttons' },
      el('button', { type: 'button', onclick: () => handlers.inspect(c.credentialId) }, 'Inspect'), ' ',
      confirmButton('Delete', 'Really delete?', () => handlers.remove(c.credentialId))))));
}

function showCredential(id, credential) {
  $('inspect').dataset.credentialId = id;
  $('inspect-title').textContent = 'Credential ' + id;
  $('inspect-body').textContent = JSON.stringify(credential, null, 2);
  $('inspect').hidden = false;
}

function time(iso) {
  const d = iso ? new Date(iso) : new Date();
  return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

function prepend(list, item) {
  list.prepend(item);
  while (list.children.length > MAX_LINES) list.lastElementChild.remove();
}

function logEvent(event) {
  const members = Object.entries(event).filter(([k]) => k !== 'type' && k !== 'time').map(([k, v]) => k + '=' + (typeof v === 'string' ? v : JSON.stringify(v)));
  prepend($('event-log'), el('li', { 'data-event': event.type }, el('span', { class: 'time' }, time(event.time)), el('span', { class: 'name' }, event.type), members.join(' ')));
}

/** A run of the same keepalive on one channel is one line with its count, as trace show writes it. */
function logTrace(m) {
  const list = $('trace-log');
  const last = list.firstElementChild;
  if (m.cmd === 'KEEPALIVE' && last && last.dataset.cid === m.cid && last.dataset.text === m.text) {
    const n = Number(last.dataset.count) + 1;
    last.dataset.count = String(n);
    last.querySelector('.count').textContent = 'x' + n;
    return;
  }
  prepend(list, el('li', { 'data-cid': m.cid, 'data-text': m.text, 'data-count': '1' },
    el('span', { class: 'time' }, time(m.time) + ' ' + m.cid), el('span', { class: m.dir }, m.text), el('span', { class: 'count' })));
}

function traceMissing() {
  $('trace-missing').textContent = 'No decoded trace from this key (the library\'s startControl without a trace source): the event log has each request and response.';
  $('trace-missing').hidden = false;
}
`;
