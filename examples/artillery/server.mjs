// A small relying party for the Artillery example: SimpleWebAuthn behind four JSON endpoints, the
// challenge kept in a session cookie, users and passkeys in memory. Passkeys only: a discoverable
// credential and user verification are required, and sign-in asks for no user name.
//   PORT (default 8080; 0 picks a free one), HOST (default localhost), RP_ID (default localhost),
//   ORIGIN (default http://localhost:PORT): the page origin the browser (here, the engine) claims.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
} from '@simplewebauthn/server';

const rpID = process.env.RP_ID ?? 'localhost';
const sessions = new Map(); // session id -> { challenge, user? } until the ceremony's verify
const users = new Map(); // user name -> { id, name }
const passkeys = new Map(); // credential id -> { credential, user }
let origin;

const routes = {
  async '/registration/options'(body, session) {
    const name = String(body.username ?? '');
    if (!name || users.has(name)) return [400, { error: name ? 'user exists' : 'username needed' }];
    const options = await generateRegistrationOptions({
      rpName: 'ctap-emu Artillery example', rpID, userName: name, attestationType: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    session.challenge = options.challenge;
    session.user = { id: options.user.id, name };
    return [200, options];
  },
  async '/registration/verify'(body, session) {
    const { verified, registrationInfo } = await verifyRegistrationResponse({
      response: body, expectedChallenge: session.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true,
    });
    if (verified) {
      users.set(session.user.name, session.user);
      passkeys.set(registrationInfo.credential.id, { credential: registrationInfo.credential, user: session.user });
    }
    return [200, { verified }];
  },
  async '/authentication/options'(_body, session) {
    const options = await generateAuthenticationOptions({ rpID, userVerification: 'required' });
    session.challenge = options.challenge;
    return [200, options];
  },
  async '/authentication/verify'(body, session) {
    const passkey = passkeys.get(body.id);
    if (!passkey || body.response?.userHandle !== passkey.user.id) return [400, { verified: false, error: 'unknown passkey' }];
    const { verified, authenticationInfo } = await verifyAuthenticationResponse({
      response: body, expectedChallenge: session.challenge, expectedOrigin: origin, expectedRPID: rpID,
      credential: passkey.credential, requireUserVerification: true,
    });
    if (verified) passkey.credential.counter = authenticationInfo.newCounter;
    return [200, { verified, user: passkey.user.name }];
  },
};

const server = createServer(async (req, res) => {
  const send = (status, json, headers = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(json));
  const route = routes[req.url];
  if (req.method !== 'POST' || !route) return send(404, { error: 'not found' });
  let sid = /(?:^|;\s*)sid=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
  const fresh = !sid || !sessions.has(sid);
  if (fresh) sessions.set((sid = randomBytes(16).toString('base64url')), {});
  const session = sessions.get(sid);
  try {
    let text = '';
    for await (const chunk of req) text += chunk;
    const [status, json] = await route(text ? JSON.parse(text) : {}, session);
    if (req.url.endsWith('/verify')) sessions.delete(sid); // a challenge is good for one answer
    send(status, json, fresh ? { 'set-cookie': `sid=${sid}; Path=/; HttpOnly; SameSite=Strict` } : {});
  } catch (err) {
    sessions.delete(sid);
    send(400, { verified: false, error: String(err?.message ?? err) });
  }
});

server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? 'localhost', () => {
  const { port } = server.address();
  origin = process.env.ORIGIN ?? `http://localhost:${port}`;
  console.log(`RP listening on http://localhost:${port} (origin ${origin}, RP ID ${rpID})`);
});
