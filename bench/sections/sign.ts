// Section "sign": the core's getAssertion (allowList, memory store) against its anchor, the raw
// OpenSSL P-256 signature rate: a getAssertion is one signature plus bookkeeping, so the ratio
// says how much of the time goes to everything that is not the signature.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { getAssertionRequest, makeCredential, send } from '../lib/ctap.js';
import { rate } from '../lib/measure.js';
import type { Report } from '../lib/report.js';

/** Raw OpenSSL ES256 signatures per second, with an imported key object (no per-call key parsing). */
export async function opensslSignRate(): Promise<{ perSecond: number; cpuUsPerOp: number }> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const msg = randomBytes(69); // authData (37) + clientDataHash (32), what a getAssertion signs
  return rate(() => sign('sha256', msg, privateKey));
}

export async function signSection(r: Report): Promise<void> {
  r.section('sign', '1. core getAssertion (allowList, memory store) vs raw OpenSSL P-256 sign');
  const raw = await opensslSignRate();
  r.figure('anchor: node:crypto (OpenSSL) P-256 ECDSA sign', raw.perSecond, 'ops/s', raw.cpuUsPerOp);

  const key = new VirtualAuthenticator({ store: 'memory' });
  try {
    const a = key.authenticator;
    for (const [label, rk] of [['non-discoverable (sealed ID)', false], ['discoverable (stored counter)', true]] as const) {
      const id = await makeCredential(a, { rpId: 'bench.example', rk });
      // The host's part made beforehand, as the anchor's message is: 64 requests, each with its own
      // clientDataHash, taken in turn; the figure is the core's work on a request it is handed.
      const requests = Array.from({ length: 64 }, () => getAssertionRequest('bench.example', [id]));
      let i = 0;
      const g = await rate(() => send(a, requests[i++ & 63]!), 2000);
      r.figure(`core getAssertion, ${label}`, g.perSecond, 'ops/s', g.cpuUsPerOp);
      const kind = rk ? 'discoverable' : 'non-discoverable';
      r.ratio(`core getAssertion ${kind} / OpenSSL sign`, g.perSecond / raw.perSecond, '>= 0.5');
      // The same ratio from CPU time, which another process on a shared machine disturbs less than wall time.
      r.ratio(`core getAssertion ${kind} / OpenSSL sign, by CPU`, raw.cpuUsPerOp / g.cpuUsPerOp, '>= 0.5');
    }
  } finally {
    key.close();
  }
}
