// Drives the authenticator core directly, with a controllable clock and user.
import { Authenticator } from '../../src/ctap2/authenticator.js';
import { decodeCbor, encodeCbor, type CborEncodable, type CborMap } from '../../src/ctap/cbor.js';
import type { AuthenticatorConfig, PresenceRequest, PresenceResult, RequestContext } from '../../src/ctap2/env.js';
import { MemoryStore } from '../../src/keystore/memory.js';
import { randomBytes } from 'node:crypto';

export class TestKey {
  time = 1_700_000_000_000;
  presence: PresenceResult | ((r: PresenceRequest, s: AbortSignal) => Promise<PresenceResult>) = 'approved';
  readonly asked: PresenceRequest[] = [];
  readonly keepalives: number[] = [];
  readonly store = new MemoryStore();
  readonly auth: Authenticator;

  constructor(config: Partial<AuthenticatorConfig> = {}) {
    this.auth = new Authenticator(
      {
        now: () => this.time,
        randomBytes: (n) => new Uint8Array(randomBytes(n)),
        userPresence: async (r, s) => {
          this.asked.push(r);
          return typeof this.presence === 'function' ? this.presence(r, s) : this.presence;
        },
        store: this.store,
      },
      config,
    );
  }

  /** The CTAPHID channel requests come on (a test of channel binding switches it). */
  channel = 1;

  /** Raw request bytes to raw response bytes. */
  raw(request: Uint8Array, signal: AbortSignal = new AbortController().signal): Promise<Uint8Array> {
    const ctx: RequestContext = { channel: this.channel, signal, keepalive: (s) => this.keepalives.push(s) };
    return this.auth.handle(request, ctx);
  }

  /** A command with a CBOR parameter map; resolves to [status, decoded response]. */
  async call(command: number, params?: CborEncodable, signal?: AbortSignal): Promise<[number, CborMap | undefined]> {
    const body = params === undefined ? new Uint8Array(0) : encodeCbor(params);
    const res = await this.raw(new Uint8Array([command, ...body]), signal);
    return [res[0]!, res.length > 1 ? (decodeCbor(res.subarray(1)) as CborMap) : undefined];
  }
}

export const hash32 = (fill = 1): Uint8Array => new Uint8Array(32).fill(fill);

export function mcParams(over: Record<number, CborEncodable | undefined> = {}): Map<number, CborEncodable> {
  const base: [number, CborEncodable | undefined][] = [
    [1, hash32()],
    [2, { id: 'example.com', name: 'Example' }],
    [3, { id: new Uint8Array([1, 2, 3]), name: 'alice', displayName: 'Alice' }],
    [4, [{ alg: -7, type: 'public-key' }]],
  ];
  const m = new Map<number, CborEncodable>();
  for (const [k, v] of [...base, ...Object.entries(over).map(([k, v]) => [Number(k), v] as [number, CborEncodable | undefined])]) {
    if (v === undefined) m.delete(k);
    else m.set(k, v);
  }
  return m;
}

export function gaParams(over: Record<number, CborEncodable | undefined> = {}): Map<number, CborEncodable> {
  const m = new Map<number, CborEncodable>([
    [1, 'example.com'],
    [2, hash32(2)],
  ]);
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) m.delete(Number(k));
    else m.set(Number(k), v);
  }
  return m;
}
