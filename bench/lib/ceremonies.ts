// Runs verified passkey ceremonies in batches against any "browser + key" (the in-process
// WebAuthnClient, or Chrome), timing the RP's part and the client+key step apart.
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../../src/client/webauthnTypes.js';
import { PasskeyRp, type CreationOptions, type RequestOptions } from './rp.js';

/** What runs navigator.credentials.create/get: a batch of options in, their responses out, in order. */
export interface CeremonyDriver {
  create(batch: CreationOptions[]): Promise<RegistrationResponseJSON[]>;
  get(batch: RequestOptions[]): Promise<AuthenticationResponseJSON[]>;
  /** CPU time (µs) spent so far outside this process (a browser), if it can be read. */
  externalCpuUs?(): number;
}

export interface CeremonyFigures {
  perSecond: number;
  /** Wall ms per ceremony in the client+key step (options in, response out), and in the RP. */
  stepMs: number;
  rpMs: number;
  /** CPU µs per ceremony in this process, and outside it (undefined when not readable). */
  cpuUs: number;
  externalCpuUs?: number;
  n: number;
}

type Kind = 'register' | 'login';

const WARM_UP_MS = 400;

async function batchOf(rp: PasskeyRp, driver: CeremonyDriver, kind: Kind, size: number): Promise<{ stepMs: number; rpMs: number }> {
  let t = performance.now();
  if (kind === 'register') {
    const options = await Promise.all(Array.from({ length: size }, () => rp.registrationOptions()));
    let rpMs = performance.now() - t;
    t = performance.now();
    const responses = await driver.create(options);
    const stepMs = performance.now() - t;
    t = performance.now();
    for (let i = 0; i < size; i++) await rp.verifyRegistration(options[i]!, responses[i]!);
    rpMs += performance.now() - t;
    return { stepMs, rpMs };
  }
  const options = await Promise.all(Array.from({ length: size }, () => rp.authenticationOptions()));
  let rpMs = performance.now() - t;
  t = performance.now();
  const responses = await driver.get(options);
  const stepMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < size; i++) await rp.verifyAuthentication(options[i]!, responses[i]!);
  rpMs += performance.now() - t;
  return { stepMs, rpMs };
}

/** What runs of one kind added up to; figures() turns it into per-ceremony figures. */
export interface CeremonyTally {
  n: number;
  wallMs: number;
  stepMs: number;
  rpMs: number;
  cpuUs: number;
  /** undefined once any run could not read it. */
  externalCpuUs: number | undefined;
}

export const emptyTally = (): CeremonyTally => ({ n: 0, wallMs: 0, stepMs: 0, rpMs: 0, cpuUs: 0, externalCpuUs: 0 });

export function figures(t: CeremonyTally): CeremonyFigures {
  return {
    perSecond: t.n / (t.wallMs / 1000),
    stepMs: t.stepMs / t.n,
    rpMs: t.rpMs / t.n,
    cpuUs: t.cpuUs / t.n,
    externalCpuUs: t.externalCpuUs === undefined ? undefined : t.externalCpuUs / t.n,
    n: t.n,
  };
}

/**
 * Ceremonies of one kind for about `ms` (at least one batch), added to `tally`. The first run of a
 * driver warms up first, as measure.ts's rate() does: JIT (a batch or two leaves much of the path
 * unoptimized), the key's PIN/UV set-up, the page's first call: a batch, then batches for WARM_UP_MS.
 */
export async function runCeremonies(
  rp: PasskeyRp, driver: CeremonyDriver, kind: Kind, batch: number, ms: number, tally: CeremonyTally,
): Promise<void> {
  if (tally.n === 0) {
    const warmEnd = performance.now() + WARM_UP_MS;
    do await batchOf(rp, driver, kind, batch);
    while (performance.now() < warmEnd);
  }
  let n = 0;
  let stepMs = 0;
  let rpMs = 0;
  const cpu0 = process.cpuUsage();
  const ext0 = driver.externalCpuUs?.();
  const start = performance.now();
  while (n === 0 || performance.now() - start < ms) {
    const b = await batchOf(rp, driver, kind, batch);
    stepMs += b.stepMs;
    rpMs += b.rpMs;
    n += batch;
  }
  // Added only once the run is whole: one that throws leaves the tally as it was.
  tally.wallMs += performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const ext = driver.externalCpuUs?.();
  tally.n += n;
  tally.stepMs += stepMs;
  tally.rpMs += rpMs;
  tally.cpuUs += cpu.user + cpu.system;
  tally.externalCpuUs = tally.externalCpuUs === undefined || ext0 === undefined || ext === undefined ? undefined : tally.externalCpuUs + (ext - ext0);
}
