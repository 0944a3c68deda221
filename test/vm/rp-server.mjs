// A relying party for the Chromium VM test: serves a page on http://localhost:PORT that registers
// a passkey and signs in with it, and verifies both with @simplewebauthn/server. Writes the
// outcome as JSON to the file named in argv[3], then exits (0 when both verified).
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
} from '@simplewebauthn/server';

const port = Number(process.argv[2] ?? 8080);
const resultFile = process.argv[3] ?? '/vmwork/chromium-result.json';
const origin = `http://localhost:${port}`;
const rpID = 'localhost';
const state = { steps: [] };
let regChallenge, authChallenge, credential;

const page = `<!doctype html><meta charset="utf-8"><title>ctap-emu passkey test</title><pre id="log"></pre><script>
const log = (s) => { document.getElementById('log').textContent += s + '\\n'; fetch('/log', { method: 'POST', body: s }); };
const post = (path, body) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
(async () => {
  try {
    const createOptions = await post('/reg-options', {});
    log('create');
    const created = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(createOptions) });
    log('registration: ' + JSON.stringify(await post('/reg-verify', created.toJSON())));
    const getOptions = await post('/auth-options', {});
    log('get');
    const asserted = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(getOptions) });
    log('authentication: ' + JSON.stringify(await post('/auth-verify', asserted.toJSON())));
  } catch (e) { log('error: ' + e.name + ': ' + e.message); await post('/fail', { error: e.name + ': ' + e.message }); }
})();
</script>`;

function finish(ok) {
  writeFileSync(resultFile, JSON.stringify({ ok, ...state }, null, 2));
  setTimeout(() => process.exit(ok ? 0 : 1), 200);
}

const server = createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  console.log(new Date().toISOString(), req.method, req.url, req.url === '/log' ? body : '');
  const json = (v) => (res.writeHead(200, { 'content-type': 'application/json' }), res.end(JSON.stringify(v)));
  try {
    if (req.method === 'GET' && req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }), res.end(page);
    if (req.url === '/log') return state.steps.push(body), res.end();
    if (req.url === '/reg-options') {
      const o = await generateRegistrationOptions({
        rpName: 'ctap-emu VM test', rpID, userName: 'vm-user', attestationType: 'direct',
        authenticatorSelection: { residentKey: 'required', userVerification: 'required', authenticatorAttachment: 'cross-platform' },
      });
      regChallenge = o.challenge;
      return json(o);
    }
    if (req.url === '/reg-verify') {
      const r = await verifyRegistrationResponse({ response: JSON.parse(body), expectedChallenge: regChallenge, expectedOrigin: origin, expectedRPID: rpID });
      credential = r.registrationInfo?.credential;
      state.registration = { verified: r.verified, userVerified: r.registrationInfo?.userVerified, fmt: r.registrationInfo?.fmt };
      return json(state.registration);
    }
    if (req.url === '/auth-options') {
      const o = await generateAuthenticationOptions({ rpID, userVerification: 'required' });
      authChallenge = o.challenge;
      return json(o);
    }
    if (req.url === '/auth-verify') {
      const r = await verifyAuthenticationResponse({ response: JSON.parse(body), expectedChallenge: authChallenge, expectedOrigin: origin, expectedRPID: rpID, credential });
      state.authentication = { verified: r.verified, userVerified: r.authenticationInfo.userVerified, newCounter: r.authenticationInfo.newCounter };
      json(state.authentication);
      return finish(state.registration?.verified === true && r.verified === true);
    }
    if (req.url === '/fail') return (state.error = JSON.parse(body).error), json({}), finish(false);
    res.writeHead(404).end();
  } catch (e) {
    state.error = String(e?.message ?? e);
    json({ error: state.error });
    finish(false);
  }
});
server.listen(port, '127.0.0.1', () => console.log(`rp on ${origin}`));
