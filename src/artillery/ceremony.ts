// One passkey ceremony of one virtual user against the RP's JSON endpoints: options in (POST), the
// browser's part done by the WebAuthn client with the user's own key, the response out (POST), and
// the metrics Artillery aggregates across every worker.
import { WebAuthnClient } from '../node/clients.js';
import { VirtualAuthenticator } from '../node/virtual.js';
import { WebAuthnError } from '../client/webauthnErrors.js';
import type { CreationOptionsJSON, RequestOptionsJSON } from '../client/webauthnTypes.js';
import type { CeremonyKind, EngineConfig } from './config.js';
import { CeremonyError, CookieJar, postJson } from './http.js';

/** The metrics the engine reports (counters, a rate in ceremonies/s, histograms in ms). */
export const METRICS = {
  ceremonies: 'ctap_emu.ceremonies',
  failed: 'ctap_emu.ceremonies_failed',
  rate: 'ctap_emu.ceremony_rate',
  /** The whole ceremony: options request, client and key, verify request. */
  ceremonyTime: 'ctap_emu.ceremony_time',
  /** The client and the key alone (what a browser and a security key would take). */
  keyTime: 'ctap_emu.key_time',
  /** The two requests to the RP. */
  rpTime: 'ctap_emu.rp_time',
} as const;

/** What Artillery hands an engine for its metrics (an EventEmitter). */
export interface ArtilleryEvents {
  emit(event: string, ...args: unknown[]): unknown;
}

/** A virtual user's own key, its browser and its cookies: made at its first ceremony, closed when its scenario ends. */
export class VirtualUser {
  readonly key: VirtualAuthenticator;
  readonly client: WebAuthnClient;
  readonly jar = new CookieJar();

  constructor(config: EngineConfig, origin: string) {
    this.key = new VirtualAuthenticator({ ...config.key, store: 'memory' });
    this.client = new WebAuthnClient(this.key, { origin, pin: config.key.pin });
  }

  close(): void {
    this.client.close();
    this.key.close();
  }
}

/** A step with its URLs made absolute and its templates filled in for this virtual user. */
export interface ResolvedStep {
  kind: CeremonyKind;
  optionsUrl: string;
  verifyUrl: string;
  json: unknown;
  headers: Record<string, string>;
}

function publicKeyOf(answer: unknown, url: string): CreationOptionsJSON & RequestOptionsJSON {
  const o = typeof answer === 'object' && answer !== null && 'publicKey' in answer ? answer.publicKey : answer;
  if (typeof o !== 'object' || o === null || typeof (o as { challenge?: unknown }).challenge !== 'string') {
    throw new CeremonyError('options_not_webauthn', `POST ${url} did not answer WebAuthn options JSON (no challenge): ${JSON.stringify(answer)?.slice(0, 200)}`);
  }
  return o as CreationOptionsJSON & RequestOptionsJSON;
}

async function browser(user: VirtualUser, kind: CeremonyKind, options: CreationOptionsJSON & RequestOptionsJSON) {
  try {
    return kind === 'register' ? await user.client.create(options) : await user.client.get(options);
  } catch (err) {
    if (err instanceof WebAuthnError) throw new CeremonyError(`webauthn_${err.name}`, `${kind}: ${err.message}`);
    throw new CeremonyError('client_error', `${kind}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Runs one ceremony, reporting it; returns the credential's ID. A failure is counted, then thrown. */
export async function runCeremony(user: VirtualUser, step: ResolvedStep, timeoutMs: number, ee: ArtilleryEvents): Promise<string> {
  const { kind } = step;
  const post = (url: string, body: unknown, what: 'options' | 'verify') => postJson(url, body, user.jar, { headers: step.headers, timeoutMs, what });
  const t0 = performance.now();
  try {
    const options = publicKeyOf(await post(step.optionsUrl, step.json, 'options'), step.optionsUrl);
    const t1 = performance.now();
    const credential = await browser(user, kind, options);
    const t2 = performance.now();
    const answer = await post(step.verifyUrl, credential, 'verify');
    if (typeof answer === 'object' && answer !== null && (answer as { verified?: unknown }).verified === false) {
      throw new CeremonyError('not_verified', `POST ${step.verifyUrl} answered ${JSON.stringify(answer).slice(0, 200)}`);
    }
    const t3 = performance.now();
    ee.emit('counter', METRICS.ceremonies, 1);
    ee.emit('counter', `${METRICS.ceremonies}.${kind}`, 1);
    ee.emit('counter', METRICS.failed, 0);
    ee.emit('rate', METRICS.rate);
    ee.emit('histogram', `${METRICS.ceremonyTime}.${kind}`, t3 - t0);
    ee.emit('histogram', `${METRICS.keyTime}.${kind}`, t2 - t1);
    ee.emit('histogram', `${METRICS.rpTime}.${kind}`, t1 - t0 + (t3 - t2));
    return credential.id;
  } catch (err) {
    const code = err instanceof CeremonyError ? err.code : 'internal_error';
    ee.emit('counter', METRICS.failed, 1);
    ee.emit('counter', `${METRICS.failed}.${kind}`, 1);
    ee.emit('error', `ctap_emu.${kind}.${code}`);
    throw err;
  }
}
