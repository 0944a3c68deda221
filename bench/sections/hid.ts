// Section "hid": the same getAssertion through CTAPHID framing (in-process loopback bus, the
// Ctap2Client host) against the core called directly: the price of the transport and the host.
import { Ctap2Client } from '../../src/client/ctap2.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { getAssertionRequest, makeCredential, send } from '../lib/ctap.js';
import { rate } from '../lib/measure.js';
import type { Report } from '../lib/report.js';

export async function hidSection(r: Report): Promise<void> {
  r.section('hid', '2. getAssertion through CTAPHID loopback + Ctap2Client vs core direct');
  const key = new VirtualAuthenticator({ store: 'memory' });
  const hid = await CtapHidHost.open(key.connect());
  try {
    const a = key.authenticator;
    const id = await makeCredential(a, { rpId: 'bench.example' });
    const direct = await rate(() => send(a, getAssertionRequest('bench.example', [id])));
    r.figure('anchor: core getAssertion direct (allowList, memory store)', direct.perSecond, 'ops/s', direct.cpuUsPerOp);
    const client = new Ctap2Client(hid);
    const allowList = [{ id, type: 'public-key' }];
    const viaHid = await rate(() => client.getAssertion({ rpId: 'bench.example', clientDataHash: new Uint8Array(32), allowList }));
    r.figure('getAssertion via Ctap2Client + CTAPHID loopback', viaHid.perSecond, 'ops/s', viaHid.cpuUsPerOp);
    r.ratio('through CTAPHID / direct (rate)', viaHid.perSecond / direct.perSecond);
    r.ratio('through CTAPHID / direct (CPU per op)', viaHid.cpuUsPerOp / direct.cpuUsPerOp);
  } finally {
    await hid.close();
    key.close();
  }
}
