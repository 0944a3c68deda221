// VirtualAuthenticator: the core, a store, a user-presence policy and the CTAPHID device, wired
// together in-process. Hosts reach it through connect(), as they would a USB key.
import { CoseAlg, type CoseAlgorithm, type CoseAlgorithmName } from '../ctap/cose.js';
import { DEFAULT_ALGORITHMS } from '../ctap/crypto.js';
import { Authenticator } from '../ctap2/authenticator.js';
import type { AttestationChain, AuthenticatorConfig, AuthenticatorEnv } from '../ctap2/env.js';
import { CtapHidDevice, type CtapHidDeviceOptions } from '../hid/device.js';
import { LoopbackBus } from '../hid/loopback.js';
import type { ReportPipe } from '../hid/pipe.js';
import { MemoryStore } from '../keystore/memory.js';
import { SqliteStore } from '../keystore/sqlite.js';
import type { CredentialStore } from '../keystore/types.js';
import { RandomPool } from './randomPool.js';
import { presenceFunction, verificationFunction, type PresencePolicy, type VerificationPolicy } from './presencePolicy.js';
import { fromHex } from '../util/bytes.js';
import type { Crypto } from '../ctap/crypto.js';
import { NodeCrypto } from './nodeCrypto.js';

export interface VirtualAuthenticatorOptions {
  /** 'memory' (default), a keystore file path, or a store object. */
  store?: 'memory' | string | CredentialStore;
  /** Passphrase of an encrypted keystore file (a new file is created encrypted with it). */
  passphrase?: string;
  /** What the "user" does when the key asks for a touch (default: approve). */
  presence?: PresencePolicy;
  /**
   * Whether auto-approval ('approve', approveAfterMs) approves authenticatorReset, which wipes
   * every credential and the PIN. Default: yes for a memory store, no for a persistent one. A
   * presence callback decides for itself (it sees PresenceRequest.command === 'reset').
   */
  allowReset?: boolean;
  /** How long the key waits for a touch or a finger before USER_ACTION_TIMEOUT (default 30 s). */
  presenceTimeoutMs?: number;
  /** 16 bytes, or 32 hex digits (dashes allowed). */
  aaguid?: Uint8Array | string;
  /** Packed 'basic' attestation with the key's batch certificate (default), or 'self'. */
  attestation?: 'basic' | 'self';
  /** Your own attestation key and certificates (DER), used in place of the generated CA and batch certificate. */
  attestationChain?: AttestationChain;
  /** Built-in user verification ("a fingerprint key"): what the finger does each time it is asked. */
  userVerification?: VerificationPolicy;
  /** A PIN to set on a store that has none (as if the owner had set it). */
  pin?: string;
  /**
   * The signature algorithms the key makes credentials with, in its order of preference (default
   * ES256, EdDSA, ES384). RS256 needs a crypto with RSA (the default NodeCrypto has it) and makes
   * discoverable credentials only.
   */
  algorithms?: readonly (CoseAlgorithmName | CoseAlgorithm)[];
  /** Adds RS256 after the other algorithms (off by default, as on hardware keys). */
  rs256?: boolean;
  /** Minimum PIN length in code points (default 4). */
  minPinLength?: number;
  /** Milliseconds after power-up in which reset is accepted; null switches the check off. */
  resetWindowMs?: number | null;
  maxDiscoverableCredentials?: number;
  /**
   * RP IDs that get vendor-facilitated enterprise attestation (CTAP 2.1 §7.1; enterpriseAttestation 1
   * once a host enabled it with authenticatorConfig); platform-managed (2) goes to any RP.
   */
  enterpriseRpIds?: readonly string[];
  /** What the key computes with (default: OpenSSL through node:crypto, a NodeCrypto of its own). */
  crypto?: Crypto;
  /** Clock for the core (default Date.now). */
  now?: () => number;
  hid?: CtapHidDeviceOptions;
  /** Sees every CTAP2 request and its response (for logs; PINs and keys are inside: redact). */
  onExchange?(request: Uint8Array, response: Uint8Array): void;
  /** Sees every CTAP1/U2F APDU and its response (CTAPHID_MSG). */
  onApdu?(apdu: Uint8Array, response: Uint8Array): void;
}

/** A transport's hold on the key: reports in through receive(), out through its sink. */
export interface DevicePort {
  receive(report: Uint8Array): void;
  detach(): void;
}

function openStore(store: VirtualAuthenticatorOptions['store'], passphrase: string | undefined): CredentialStore {
  if (store === undefined || store === 'memory') return new MemoryStore();
  if (typeof store === 'string') return new SqliteStore(store, { passphrase });
  return store;
}

function parseAaguid(a: Uint8Array | string | undefined): Uint8Array | undefined {
  if (a === undefined || a instanceof Uint8Array) return a;
  const bytes = fromHex(a.replace(/-/g, ''));
  if (bytes.length !== 16) throw new RangeError('aaguid must be 16 bytes');
  return bytes;
}

/** The algorithms option by name or number, with rs256 added; undefined for the default. */
function enabledAlgorithms(o: VirtualAuthenticatorOptions): CoseAlgorithm[] | undefined {
  if (o.algorithms === undefined && !o.rs256) return undefined;
  const algs = (o.algorithms ?? DEFAULT_ALGORITHMS).map((a): CoseAlgorithm => {
    if (typeof a === 'number') return a;
    if (!Object.hasOwn(CoseAlg, a)) throw new RangeError(`unknown algorithm "${String(a)}" (ES256, EdDSA, ES384, RS256)`);
    return CoseAlg[a];
  });
  if (o.rs256 && !algs.includes(CoseAlg.RS256)) algs.push(CoseAlg.RS256);
  return algs;
}

export class VirtualAuthenticator {
  readonly authenticator: Authenticator;
  readonly store: CredentialStore;
  private readonly device: CtapHidDevice;
  private readonly bus: LoopbackBus;
  private readonly sinks = new Set<(report: Uint8Array) => void>();
  /** See VirtualAuthenticatorOptions.allowReset; a caller the owner confirmed may switch it on. */
  allowReset: boolean;

  constructor(options: VirtualAuthenticatorOptions = {}) {
    this.store = openStore(options.store, options.passphrase);
    this.allowReset = options.allowReset ?? this.store instanceof MemoryStore;
    const timeout = options.presenceTimeoutMs ?? 30_000;
    const env: AuthenticatorEnv = {
      now: options.now ?? Date.now,
      randomBytes: new RandomPool().take,
      crypto: options.crypto ?? new NodeCrypto(),
      userPresence: presenceFunction(options.presence ?? 'approve', timeout, () => this.allowReset),
      userVerification: options.userVerification === undefined ? undefined : verificationFunction(options.userVerification, timeout),
      store: this.store,
    };
    const config: Partial<AuthenticatorConfig> = {};
    const aaguid = parseAaguid(options.aaguid);
    if (aaguid) config.aaguid = aaguid;
    if (options.attestation !== undefined) config.attestation = options.attestation;
    if (options.attestationChain !== undefined) config.attestationChain = options.attestationChain;
    if (options.resetWindowMs !== undefined) config.resetWindowMs = options.resetWindowMs;
    if (options.maxDiscoverableCredentials !== undefined) config.maxDiscoverableCredentials = options.maxDiscoverableCredentials;
    if (options.minPinLength !== undefined) config.minPinLength = options.minPinLength;
    if (options.enterpriseRpIds !== undefined) config.enterpriseRpIds = options.enterpriseRpIds;
    if (options.userVerification !== undefined) config.builtInUv = true;
    const algorithms = enabledAlgorithms(options);
    if (algorithms) config.algorithms = algorithms;
    this.authenticator = new Authenticator(env, config);
    if (options.pin !== undefined && !this.authenticator.hasPin()) this.authenticator.provisionPin(options.pin);
    this.bus = new LoopbackBus((report) => this.device.receive(report));
    this.sinks.add(this.bus.toHosts);
    this.device = new CtapHidDevice(
      {
        cbor: async (request, ctx) => {
          const response = await this.authenticator.handle(request, ctx);
          options.onExchange?.(request, response);
          return response;
        },
        msg: async (apdu, ctx) => {
          const response = await this.authenticator.handleApdu(apdu, ctx);
          options.onApdu?.(apdu, response);
          return response;
        },
      },
      (report) => {
        for (const sink of this.sinks) sink(report);
      },
      options.hid,
    );
  }

  /**
   * Joins a transport (UDP, uhid) to the key's one CTAPHID device: it hears every input report,
   * as every host on a USB bus does, and hands output reports in through the returned port.
   */
  attach(sink: (report: Uint8Array) => void): DevicePort {
    this.sinks.add(sink);
    return { receive: (report) => this.device.receive(report), detach: () => this.sinks.delete(sink) };
  }

  /** A new host-side HID connection to this key (in-process, through real CTAPHID framing). */
  connect(): ReportPipe {
    return this.bus.connect();
  }

  /** Unplug and replug: volatile state goes (CTAPHID lock and transactions too), stored state stays. */
  powerCycle(): void {
    this.device.powerCycle();
    this.authenticator.powerCycle();
  }

  close(): void {
    this.device.close();
    this.store.close();
  }
}
