// Keys in a known state for the CBOR fuzz: set up once (PIN, credentials, a live pinUvAuthToken),
// then copied for each case, so every case starts from the same state without paying for the
// ECDH and signatures of the set-up again, and a counterexample replays on its own.
import { randomBytes } from 'node:crypto';
import { Authenticator } from '../../src/ctap2/authenticator.js';
import type { AuthenticatorConfig, PresenceResult, RequestContext, VerificationResult } from '../../src/ctap2/env.js';
import { Ctap2Client } from '../../src/client/ctap2.js';
import type { CtapHidHost } from '../../src/hid/host.js';
import { MemoryStore } from '../../src/keystore/memory.js';
import { NodeCrypto } from '../../src/node/nodeCrypto.js';

/** What the "user" and the clock do; shared by every copy, set by each case before it runs. */
export const world: { now: number; presence: PresenceResult; uv: VerificationResult } = {
  now: 1_700_000_000_000,
  presence: 'approved',
  uv: 'match',
};

const crypto = new NodeCrypto({ keyCacheSize: 64 });

/** A key whose environment reads `world`; with resetWindowMs null so reset reaches its handler. */
export function newKey(config: Partial<AuthenticatorConfig> = {}): Authenticator {
  const auth = new Authenticator(
    {
      now: () => world.now,
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
      userPresence: async () => world.presence,
      userVerification: config.builtInUv ? async () => world.uv : undefined,
      crypto,
      store: new MemoryStore(),
    },
    { resetWindowMs: null, ...config },
  );
  // A handler bug must fail the case with its stack, not hide behind CTAP1_ERR_OTHER.
  auth.onInternalError = (e) => {
    throw e;
  };
  return auth;
}

/**
 * A deep copy of a key: store, session (token, key agreement keys, walks), derived keys. Shared
 * references stay shared (the key store's store is the env's store); functions are kept as they
 * are (they only read `world`, the crypto, or the copy they are called on); the crypto is shared.
 */
export function copyKey(auth: Authenticator): Authenticator {
  return deepCopy(auth, new Map()) as Authenticator;
}

function deepCopy(v: unknown, seen: Map<object, unknown>): unknown {
  if (typeof v !== 'object' || v === null) return v;
  // The crypto is shared by every copy (its OpenSSL key objects cannot be copied, and hold no state a case changes).
  if (v === crypto) return v;
  const done = seen.get(v);
  if (done !== undefined) return done;
  if (ArrayBuffer.isView(v)) {
    const out = (v as Uint8Array).slice();
    seen.set(v, out);
    return out;
  }
  if (v instanceof Map) {
    const out = new Map();
    seen.set(v, out);
    for (const [k, x] of v) out.set(deepCopy(k, seen), deepCopy(x, seen));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set();
    seen.set(v, out);
    for (const x of v) out.add(deepCopy(x, seen));
    return out;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const x of v) out.push(deepCopy(x, seen));
    return out;
  }
  const out = Object.create(Object.getPrototypeOf(v) as object) as Record<string, unknown>;
  seen.set(v, out);
  for (const k of Object.keys(v)) out[k] = deepCopy((v as Record<string, unknown>)[k], seen);
  return out;
}

export const ctx = (channel = 1): RequestContext => ({ channel, signal: new AbortController().signal, keepalive: () => {} });

/** A CTAP2 client whose requests go straight to `target` (no CTAPHID), each one recorded. */
export class Recorder {
  readonly log: Uint8Array[] = [];
  readonly client: Ctap2Client;

  constructor(public target: Authenticator) {
    const host = {
      cbor: async (request: Uint8Array) => {
        this.log.push(request.slice());
        return this.target.handle(request, ctx());
      },
    };
    this.client = new Ctap2Client(host as unknown as CtapHidHost);
  }
}
