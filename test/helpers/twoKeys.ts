// What a browser does with two keys plugged in, for the several-keys tests: the same request to
// each, the first answer wins, the others are cancelled (CTAPHID_CANCEL).
import type { Ctap2Client, MakeCredentialParams } from '../../src/client/ctap2.js';

export const rkRequest: MakeCredentialParams = {
  clientDataHash: new Uint8Array(32).fill(7),
  rp: { id: 'two.example' },
  user: { id: new Uint8Array([1]), name: 'alice' },
  pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
  options: { rk: true },
};

type Send = (c: Ctap2Client, signal: AbortSignal, onKeepalive: (status: number) => void) => Promise<unknown>;

/** The winner's index, how each other request ended (its error), and each key's keepalive statuses. */
export async function askAll(clients: Ctap2Client[], send: Send): Promise<{ winner: number; others: unknown[]; keepalives: number[][] }> {
  const aborts = clients.map(() => new AbortController());
  const keepalives: number[][] = clients.map(() => []);
  const runs = clients.map((c, i) => send(c, aborts[i]!.signal, (s) => keepalives[i]!.push(s)).then(() => i));
  const winner = await Promise.race(runs);
  aborts.forEach((a, i) => i !== winner && a.abort());
  const others = await Promise.all(runs.map((r, i) => (i === winner ? undefined : r.then(() => 'answered', (e: unknown) => e))));
  return { winner, others, keepalives };
}
