// A relying party for the browser VM tests (@simplewebauthn/server), on http://localhost:PORT:
// - /demo, a sign-in page as an RP has one: a user name, Register and Sign in buttons, and a status
//   line (role=status) saying what happened; the Playwright suite (test/vm/playwright) drives it.
//   Its registrations ask for a discoverable credential; /demo?residentKey=discouraged for one that
//   is not (Chromium's headless shell makes no discoverable credentials).
// - / registers a passkey and signs in with it by itself (guest-chromium.sh); with a RESULT_FILE it
//   writes the outcome there as JSON and exits (0 when both verified).
// Usage: node rp-server.mjs PORT [RESULT_FILE]
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
} from '@simplewebauthn/server';

const port = Number(process.argv[2] ?? 8080);
const resultFile = process.argv[3];
const origin = `http://localhost:${port}`;
const rpID = 'localhost';
const state = { steps: [] };
let regChallenge, regUserName, authChallenge;
/** Registered passkeys by credential ID, with the user they belong to. */
const passkeys = new Map();

const SCRIPT = `const post = (path, body) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
async function register(userName, attestation, residentKey) {
  const options = await post('/reg-options', { userName, attestation, residentKey });
  const created = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
  return post('/reg-verify', created.toJSON());
}
async function signIn() {
  const options = await post('/auth-options', {});
  const asserted = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
  return post('/auth-verify', asserted.toJSON());
}`;

const DEMO = `<!doctype html><meta charset="utf-8"><title>ctap-emu demo RP</title>
<h1>Passkeys demo</h1>
<label>User name <input id="user" value="alice"></label>
<button id="register">Register</button> <button id="signin">Sign in</button>
<p role="status" id="status"></p>
<script>${SCRIPT}
const say = (s) => { document.getElementById('status').textContent = s; };
const run = (ceremony) => async () => {
  say('...');
  try { say(await ceremony()); } catch (e) { say(e.name + ': ' + e.message); }
};
document.getElementById('register').onclick = run(async () => {
  const user = document.getElementById('user').value;
  const r = await register(user, 'none', new URLSearchParams(location.search).get('residentKey') ?? undefined);
  return r.verified ? 'Registered ' + user : 'Registration refused: ' + r.error;
});
document.getElementById('signin').onclick = run(async () => {
  const r = await signIn();
  return r.verified ? 'Signed in as ' + r.userName : 'Sign-in refused: ' + r.error;
});
</script>`;

const AUTO = `<!doctype html><meta charset="utf-8"><title>ctap-emu passkey test</title><pre id="log"></pre><script>${SCRIPT}
const log = (s) => { document.getElementById('log').textContent += s + '\\n'; fetch('/log', { method: 'POST', body: s }); };
(async () => {
  try {
    log('create');
    log('registration: ' + JSON.stringify(await register('vm-user', 'direct')));
    log('get');
    log('authentication: ' + JSON.stringify(await signIn()));
    await post('/done', {});
  } catch (e) { log('error: ' + e.name + ': ' + e.message); await post('/fail', { error: e.name + ': ' + e.message }); }
})();
</script>`;

/** The / page's outcome: written, then the server exits (without a result file it runs on). */
function finish(ok) {
  if (!resultFile) return;
  writeFileSync(resultFile, JSON.stringify({ ok, ...state }, null, 2));
  setTimeout(() => process.exit(ok ? 0 : 1), 200);
}

async function handle(req, body, json) {
  if (req.url === '/reg-options') {
    const { userName = 'vm-user', attestation = 'direct', residentKey = 'required' } = JSON.parse(body || '{}');
    const o = await generateRegistrationOptions({
      rpName: 'ctap-emu VM test', rpID, userName, attestationType: attestation === 'none' ? 'none' : 'direct',
      authenticatorSelection: { residentKey, userVerification: 'required', authenticatorAttachment: 'cross-platform' },
    });
    regChallenge = o.challenge;
    regUserName = userName;
    return json(o);
  }
  if (req.url === '/reg-verify') {
    const r = await verifyRegistrationResponse({ response: JSON.parse(body), expectedChallenge: regChallenge, expectedOrigin: origin, expectedRPID: rpID });
    const credential = r.registrationInfo?.credential;
    if (r.verified && credential) passkeys.set(credential.id, { credential, userName: regUserName });
    state.registration = { verified: r.verified, userVerified: r.registrationInfo?.userVerified, fmt: r.registrationInfo?.fmt };
    return json(state.registration);
  }
  if (req.url === '/auth-options') {
    const o = await generateAuthenticationOptions({ rpID, userVerification: 'required' });
    authChallenge = o.challenge;
    return json(o);
  }
  if (req.url === '/auth-verify') {
    const response = JSON.parse(body);
    const passkey = passkeys.get(response.id);
    if (!passkey) return json({ verified: false, error: 'no such passkey registered here' });
    const r = await verifyAuthenticationResponse({ response, expectedChallenge: authChallenge, expectedOrigin: origin, expectedRPID: rpID, credential: passkey.credential });
    if (r.verified) passkey.credential.counter = r.authenticationInfo.newCounter;
    state.authentication = { verified: r.verified, userVerified: r.authenticationInfo.userVerified, newCounter: r.authenticationInfo.newCounter };
    return json({ ...state.authentication, userName: passkey.userName });
  }
  if (req.url === '/done') {
    json({});
    finish(state.registration?.verified === true && state.authentication?.verified === true);
    return true;
  }
  if (req.url === '/fail') {
    state.error = JSON.parse(body).error;
    json({});
    finish(false);
    return true;
  }
  return false;
}

const server = createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  console.log(new Date().toISOString(), req.method, req.url, req.url === '/log' ? body : '');
  const json = (v) => (res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v)), true);
  try {
    const html = req.method === 'GET' ? { '/': AUTO, '/demo': DEMO }[req.url.split('?')[0]] : undefined;
    if (html) return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }), res.end(html);
    if (req.url === '/log') return state.steps.push(body), res.end();
    if (!(await handle(req, body, json))) res.writeHead(404).end();
  } catch (e) {
    // A verification the library refuses: the page shows it; the / page's run ends failed.
    state.error = String(e?.message ?? e);
    json({ verified: false, error: state.error });
    finish(false);
  }
});
server.listen(port, '127.0.0.1', () => console.log(`rp on ${origin}`));
