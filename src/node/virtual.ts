// VirtualAuthenticator: the core, a store, a user-presence policy and the CTAPHID device, wired
// together in-process. Hosts reach it through connect(), as they would a USB key.
import { algorithmName, CoseAlg, type CoseAlgorithm, type CoseAlgorithmName } from '../ctap/cose.js';
import { DEFAULT_ALGORITHMS } from '../ctap/crypto.js';
import { Authenticator } from '../ctap2/authenticator.js';
import { commandEnabled } from '../ctap2/features.js';
import { Command } from '../ctap/constants.js';
import type { AttestationChain, AuthenticatorConfig, AuthenticatorEnv } from '../ctap2/env.js';
import { CtapHidDevice, type CtapHidDeviceOptions } from '../hid/device.js';
import { LoopbackBus } from '../hid/loopback.js';
import type { ReportPipe } from '../hid/pipe.js';
import { MemoryStore } from '../keystore/memory.js';
import { SqliteStore } from '../keystore/sqlite.js';
import type { CredentialStore } from '../keystore/types.js';
import { RandomPool } from '../util/randomPool.js';
import {
  instantPresence, instantVerification, presenceFunction, presencePolicyName, verificationFunction, type PresencePolicy, type VerificationPolicy,
} from './presencePolicy.js';
import { ImportingStore } from './automation/importedStore.js';
import { AutomationError, type CredentialJson, type CredentialProperties } from './automation/credentialJson.js';
import * as credentials from './automation/credentials.js';
import type { GetCredentialsOptions, UserNames } from './automation/credentials.js';
import type { PresenceRequest, PresenceResult, VerificationResult } from '../ctap2/env.js';
import { formatUuid, fromBase64url, fromHex, toBase64url } from '../util/bytes.js';
import type { Crypto } from '../ctap/crypto.js';
import { NodeCrypto } from './nodeCrypto.js';
import { KeyEvents, type KeyEventListener } from './events/emitter.js';
import { ExchangeEvents } from './events/exchange.js';
import { PendingTouches, type Wait } from './events/touches.js';
import type { KeyEventMap, KeyEventName } from './events/types.js';
import { FaultSet, type FaultFired, type FaultInfo } from './faults/faultSet.js';
import { CounterModels, parseCounterModelText, type CounterModelSpec } from './automation/counterModels.js';
import { profileNamed, type DeviceProfile } from './profiles/index.js';

/** What the user can do about a pending touch or finger (VirtualAuthenticator.answer). */
export const USER_ACTIONS = ['approve', 'deny', 'verify', 'fail-verification', 'timeout'] as const;
export type UserAction = (typeof USER_ACTIONS)[number];

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
   * On a sensor that enrolls fingers (the bio profile): the fingers, by friendly name, enrolled on a
   * key never set up before, as its owner would have. Default one, "finger 1"; [] starts with none,
   * as a key out of its box (UV then waits for an enrollment over CTAP, e.g. python-fido2's
   * FPBioEnrollment or `fido2-token -S -e`). A store that has seen enrollments keeps its own.
   */
  fingerprints?: readonly string[];
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
   * The backup flags of the credentials it makes (W3C WebAuthn automation's defaultBackupEligibility
   * and defaultBackupState: a synced passkey provider is eligible and backed up). Default false, as
   * a security key's. A backup state without eligibility is refused (WebAuthn §6.1.3).
   */
  defaultBackupEligibility?: boolean;
  defaultBackupState?: boolean;
  /**
   * RP IDs that get vendor-facilitated enterprise attestation (CTAP 2.1 §7.1; enterpriseAttestation 1
   * once a host enabled it with authenticatorConfig); platform-managed (2) goes to any RP.
   */
  enterpriseRpIds?: readonly string[];
  /** What the key computes with (default: OpenSSL through node:crypto, a NodeCrypto of its own). */
  crypto?: Crypto;
  /**
   * The kind of key it plays (src/node/profiles): 'default' (ctap-emu's CTAP 2.3 key), 'yubikey5',
   * 'solo', 'fido20', 'u2f', 'no-rk', 'no-pin', 'bio', or a DeviceProfile. Options given here win over it.
   */
  profile?: string | DeviceProfile;
  /** The key's signature counter model (default per-credential): a spec, or its text form (`random-step:16:7`). */
  counterModel?: CounterModelSpec | string;
  /** Clock for the core (default Date.now). */
  now?: () => number;
  hid?: CtapHidDeviceOptions;
  /** Sees every CTAP2 request and its response (for logs; PINs and keys are inside: redact). */
  onExchange?(request: Uint8Array, response: Uint8Array): void;
  /** Sees every CTAP1/U2F APDU and its response (CTAPHID_MSG). */
  onApdu?(apdu: Uint8Array, response: Uint8Array): void;
  /** Fault rules in force from the start (see addFault). */
  faults?: readonly unknown[];
  /** Hears each fault rule as it acts on a request. */
  onFault?(fired: FaultFired): void;
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

/** 16 bytes, or 32 hex digits (dashes allowed), as the aaguid option takes it. */
export function parseAaguid(a: Uint8Array | string | undefined): Uint8Array | undefined {
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

/** What GET /key and info() report: the key's make and its scripted user, without a CTAP round trip. */
export interface KeyInfo {
  /** The device profile's name. */
  profile: string;
  aaguid: string;
  algorithms: string[];
  pin: boolean;
  builtInUv: boolean;
  /** What the built-in UV answers (setUserVerified); absent without built-in UV. */
  userVerified?: boolean;
  presence: string;
  discoverableCredentials: number;
  maxDiscoverableCredentials: number;
  importedNonDiscoverableCredentials: number;
  /** The key's counter model (text form), and the credentials that have their own (by base64url ID). */
  counterModel: string;
  credentialCounterModels: Record<string, string>;
}

/** A report seen by tap(): 'in' from a host to the key, 'out' from the key. */
export type ReportTap = (direction: 'in' | 'out', report: Uint8Array) => void;

type Ask<R> = (request: PresenceRequest, signal: AbortSignal) => Promise<R>;

export class VirtualAuthenticator {
  readonly authenticator: Authenticator;
  /** The keystore, holding imported non-discoverable credentials too (automation/importedStore.ts). */
  readonly store: ImportingStore;
  private readonly device: CtapHidDevice;
  private readonly bus: LoopbackBus;
  private readonly sinks = new Set<(report: Uint8Array) => void>();
  private readonly taps = new Set<ReportTap>();
  private readonly faults: FaultSet;
  /** See VirtualAuthenticatorOptions.allowReset; a caller the owner confirmed may switch it on. */
  allowReset: boolean;

  private readonly timeoutMs: number;
  private presence!: Ask<PresenceResult>;
  private presenceName!: string;
  private verification: Ask<VerificationResult> | undefined;
  /** The answers of policies that answer at once (no timer, nothing for a touch's signal to stop). */
  private presenceNow: ((r: PresenceRequest) => PresenceResult) | undefined;
  private verificationNow: (() => VerificationResult) | undefined;
  private userVerified: boolean | undefined;
  private readonly events: KeyEvents;
  private readonly exchange: ExchangeEvents;
  private readonly touches: PendingTouches;
  private readonly counters = new CounterModels();
  readonly profile: DeviceProfile;

  constructor(options: VirtualAuthenticatorOptions = {}) {
    this.faults = new FaultSet(options.onFault);
    const inner = openStore(options.store, options.passphrase);
    this.store = new ImportingStore(inner);
    this.allowReset = options.allowReset ?? inner instanceof MemoryStore;
    this.timeoutMs = options.presenceTimeoutMs ?? 30_000;
    this.setPresence(options.presence ?? 'approve');
    this.profile = typeof options.profile === 'object' ? options.profile : profileNamed(options.profile ?? 'default');
    // A key with a sensor: the finger matches unless the caller says otherwise.
    const uv = options.userVerification ?? (this.profile.builtInUv ? 'match' : undefined);
    if (uv !== undefined) {
      this.verification = verificationFunction(uv, this.timeoutMs);
      this.verificationNow = instantVerification(uv);
    }
    this.userVerified = uv === 'match' ? true : uv === 'nomatch' ? false : undefined;
    const now = options.now ?? Date.now;
    this.events = new KeyEvents(now);
    this.exchange = new ExchangeEvents(this.events, {
      rpOf: (id) => this.store.get(id)?.rpId,
      userCredential: (rpId, userId) => this.store.findByUser(rpId, userId)?.id,
    });
    this.touches = new PendingTouches(now);
    const env: AuthenticatorEnv = {
      now,
      randomBytes: new RandomPool().take,
      crypto: options.crypto ?? new NodeCrypto(),
      // Through fields, so setPresence and setUserVerified take effect at the next touch.
      userPresence: (r, signal) => this.watchTouch('presence', r, (asked) =>
        this.touches.ask('presence', r, (s) => this.presence(r, s), signal, 'approved', asked, this.presenceNow !== undefined)),
      // Without a promise when nothing is in between: no watcher to tell that the key asks (and so
      // no answer from outside), and an instant policy or a touch given ahead.
      userPresenceNow: (r) => {
        if (this.events.watched) return undefined;
        return this.touches.takeArmed() ? 'approved' : this.presenceNow?.(r);
      },
      userVerification: uv === undefined ? undefined : (r, signal) =>
        this.watchTouch('verification', r, (asked) =>
          this.touches.ask('verification', r, (s) => this.verification!(r, s), signal, 'match', asked, this.verificationNow !== undefined)),
      userVerificationNow: uv === undefined ? undefined : () => (this.events.watched ? undefined : this.verificationNow?.()),
      store: this.store,
      faults: this.faults,
      counterModel: this.counters.modelFor,
    };
    if (options.counterModel !== undefined) this.setCounterModel(options.counterModel);
    const config: Partial<AuthenticatorConfig> = { ...this.profile.config };
    const aaguid = parseAaguid(options.aaguid);
    if (aaguid) config.aaguid = aaguid;
    if (options.attestation !== undefined) config.attestation = options.attestation;
    if (options.attestationChain !== undefined) config.attestationChain = options.attestationChain;
    if (options.resetWindowMs !== undefined) config.resetWindowMs = options.resetWindowMs;
    if (options.maxDiscoverableCredentials !== undefined) config.maxDiscoverableCredentials = options.maxDiscoverableCredentials;
    if (options.minPinLength !== undefined) config.minPinLength = options.minPinLength;
    if (options.enterpriseRpIds !== undefined) config.enterpriseRpIds = options.enterpriseRpIds;
    if (options.defaultBackupEligibility || options.defaultBackupState) {
      if (!options.defaultBackupEligibility) throw new AutomationError('invalid', 'defaultBackupState needs defaultBackupEligibility: a credential backed up is one eligible for backup (WebAuthn §6.1.3)');
      config.defaultBackup = { backupEligibility: true, backupState: options.defaultBackupState === true };
    }
    if (uv !== undefined) config.builtInUv = true;
    const algorithms = enabledAlgorithms(options);
    if (algorithms) config.algorithms = algorithms;
    this.authenticator = new Authenticator(env, config);
    if (options.pin !== undefined && !this.authenticator.hasPin()) this.authenticator.provisionPin(options.pin);
    if (this.authenticator.config.bioEnrollment && this.authenticator.config.builtInUv && !this.authenticator.fingerprintsSetUp()) {
      const names = options.fingerprints ?? ['finger 1'];
      if (names.length === 0) this.authenticator.forgetFingerprints();
      for (const name of names) this.authenticator.provisionFingerprint(name);
    }
    this.bus = new LoopbackBus((report) => this.receive(report));
    this.sinks.add(this.bus.toHosts);
    this.device = new CtapHidDevice(
      {
        // A U2F-only profile has no CTAP2: INIT then reports no CBOR capability.
        cbor: !this.profile.ctap2 ? undefined : async (request, ctx) => {
          this.exchange.request(request, ctx.channel);
          const response = await this.faults.exchange(request, (r) => this.authenticator.handle(r, ctx));
          options.onExchange?.(request, response);
          this.exchange.response(request, response, ctx.channel);
          return response;
        },
        msg: async (apdu, ctx) => {
          this.exchange.apduRequest(apdu, ctx.channel);
          const response = await this.faults.apdu(apdu, (a) => this.authenticator.handleApdu(a, ctx));
          options.onApdu?.(apdu, response);
          this.exchange.apduResponse(apdu, response, ctx.channel);
          return response;
        },
      },
      (report) => {
        for (const tap of this.taps) tap('out', report);
        for (const sink of this.sinks) sink(report);
      },
      { ...options.hid, faults: (m) => this.faults.transport(m) },
    );
    for (const rule of options.faults ?? []) this.addFault(rule);
  }

  /** Tells the watchers that the key asks for a touch or a finger, and what the user did. */
  private async watchTouch<R extends PresenceResult | VerificationResult>(
    kind: 'presence' | 'verification', r: PresenceRequest, ask: (asked: () => void) => Promise<R>,
  ): Promise<R> {
    const about = () => ({ kind, command: r.command, ...(r.rpId !== undefined && { rpId: r.rpId }) });
    // Announced once the key waits: a watcher that touches at once (touch()) approves this very ask.
    // Built only when someone listens (every touch passes here).
    const result = await ask(() => {
      if (this.events.watched) this.events.emit('touch-asked', { ...about(), ...(r.userName !== undefined && { userName: r.userName }) });
    });
    if (this.events.watched) this.events.emit('touch-answered', { ...about(), result });
    return result;
  }

  /** Listens to one of the key's events ('*': all of them); see events/types.ts for their members. */
  on<E extends KeyEventName | '*'>(event: E, listener: KeyEventListener<E>): this {
    this.events.on(event, listener);
    return this;
  }

  off<E extends KeyEventName | '*'>(event: E, listener: KeyEventListener<E>): this {
    this.events.off(event, listener);
    return this;
  }

  /**
   * The user touches the key, whatever the presence policy: the touch it waits for now is approved
   * ('approved'), or, when it waits for none, the next one it asks for within `aheadMs` ('armed').
   */
  touch(aheadMs = this.timeoutMs): 'approved' | 'armed' {
    return this.touches.touch(aheadMs);
  }

  /**
   * Answers what the key waits for now, whatever the policies: 'approve' or 'deny' a touch,
   * 'verify' or 'fail-verification' a finger on the built-in sensor, or 'timeout' (the user never
   * comes: the key answers USER_ACTION_TIMEOUT). False when the key waits for no such thing.
   */
  answer(action: UserAction): boolean {
    switch (action) {
      case 'approve': return this.touches.answer('presence', 'approved');
      case 'deny': return this.touches.answer('presence', 'denied');
      case 'verify': return this.touches.answer('verification', 'match');
      case 'fail-verification': return this.touches.answer('verification', 'nomatch');
      case 'timeout': return this.touches.answer('presence', 'timeout') || this.touches.answer('verification', 'timeout');
      default: throw new AutomationError('invalid', `unknown action "${String(action)}" (${USER_ACTIONS.join(', ')})`);
    }
  }

  /** What the key waits for now ('presence', 'verification'), oldest first. */
  pendingActions(): ('presence' | 'verification')[] {
    return this.touches.pending().map((w) => w.kind);
  }

  /** The same with what each wait is for (operation, RP, user) and since when (the key's clock, ms). */
  pendingWaits(): Wait[] {
    return this.touches.pending();
  }

  /**
   * Joins a transport (UDP, uhid) to the key's one CTAPHID device: it hears every input report,
   * as every host on a USB bus does, and hands output reports in through the returned port.
   */
  attach(sink: (report: Uint8Array) => void): DevicePort {
    this.sinks.add(sink);
    return { receive: (report) => this.receive(report), detach: () => this.sinks.delete(sink) };
  }

  /** Sees every HID report in and out, from every transport (a trace); returns what stops it. */
  tap(listener: ReportTap): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }

  private receive(report: Uint8Array): void {
    for (const tap of this.taps) tap('in', report);
    this.device.receive(report);
  }

  /** A new host-side HID connection to this key (in-process, through real CTAPHID framing). */
  connect(): ReportPipe {
    return this.bus.connect();
  }

  /** Unplug and replug: volatile state goes (CTAPHID lock and transactions too), stored state stays. */
  powerCycle(): void {
    this.device.powerCycle();
    this.authenticator.powerCycle();
    this.touches.clear();
    this.events.emit('power-cycle', {});
  }

  /**
   * authenticatorReset without the touch or the 10 s window: every credential, the PIN and the
   * master secret go (CTAP 2.1 §6.6), and with them tokens and walks. Channels stay, as on a real reset.
   */
  reset(): void {
    this.authenticator.factoryReset();
    this.events.emit('reset', { source: 'automation' });
  }

  /** What the "user" does from the next touch on (see VirtualAuthenticatorOptions.presence). */
  setPresence(policy: PresencePolicy): void {
    this.presence = presenceFunction(policy, this.timeoutMs, () => this.allowReset);
    this.presenceNow = instantPresence(policy, () => this.allowReset);
    this.presenceName = presencePolicyName(policy);
  }

  /** WebAuthn Automation's setUserVerified: whether the built-in UV matches from now on. */
  setUserVerified(verified: boolean): void {
    if (!this.authenticator.config.builtInUv) {
      throw new AutomationError('conflict', 'this key has no built-in user verification (the userVerification option, serve --uv)');
    }
    const policy = verified ? 'match' : 'nomatch';
    this.verification = verificationFunction(policy, this.timeoutMs);
    this.verificationNow = instantVerification(policy);
    this.userVerified = verified;
  }

  info(): KeyInfo {
    const c = this.authenticator.config;
    return {
      profile: this.profile.name,
      aaguid: formatUuid(c.aaguid),
      algorithms: c.algorithms.map(algorithmName),
      pin: this.authenticator.hasPin(),
      builtInUv: c.builtInUv,
      userVerified: this.userVerified,
      presence: this.presenceName,
      discoverableCredentials: this.store.count(),
      maxDiscoverableCredentials: c.maxDiscoverableCredentials,
      importedNonDiscoverableCredentials: this.store.listImported().length,
      counterModel: this.counters.keyModel(),
      credentialCounterModels: this.counters.ownModels(),
    };
  }

  /** WebAuthn Automation's addCredential: a credential in the WebAuthn.Credential JSON shape (private key as PKCS#8). */
  addCredential(credential: CredentialJson): CredentialJson {
    const c = this.authenticator.config;
    const replaced = this.events.watched ? this.replacedBy(credential) : undefined;
    const added = credentials.addCredential(this.store, credential, this.authenticator.env.now(), {
      algorithms: c.algorithms, maxDiscoverable: c.maxDiscoverableCredentials,
      largeBlobs: c.residentKeys && commandEnabled(c, Command.authenticatorLargeBlobs),
    });
    if (replaced) this.events.emit('credential-deleted', { credentialId: toBase64url(replaced), rpId: added.rpId, source: 'automation' });
    this.events.emit('credential-added', {
      credentialId: added.credentialId, rpId: added.rpId, signCount: added.signCount, discoverable: added.isResidentCredential, source: 'automation',
    });
    return added;
  }

  /** The credential a discoverable one to add replaces (the same user's at the RP), if any; input checked later. */
  private replacedBy(credential: CredentialJson): Uint8Array | undefined {
    const { isResidentCredential, rpId, userHandle } = credential as Partial<CredentialJson>;
    if (isResidentCredential !== true || typeof rpId !== 'string' || typeof userHandle !== 'string') return undefined;
    try {
      return this.store.findByUser(rpId, fromBase64url(userHandle))?.id;
    } catch {
      return undefined; // not base64: addCredential refuses it
    }
  }

  /** Discoverable credentials and imported non-discoverable ones (the key's own non-discoverable ones live only in their IDs). */
  getCredentials(options: GetCredentialsOptions = {}): CredentialJson[] {
    return credentials.getCredentials(this.store, options);
  }

  /** One credential by its base64url ID; AutomationError 'notFound' when there is none. */
  getCredential(id: string, options: GetCredentialsOptions = {}): CredentialJson {
    return credentials.getCredential(this.store, id, options);
  }

  removeCredential(id: string): void {
    const { credentialId, rpId } = this.getCredential(id);
    const gone = credentials.findCredential(this.store, id);
    credentials.removeCredential(this.store, id);
    this.authenticator.crypto.forget?.(gone); // nothing of the deleted key stays in the crypto's memory
    this.events.emit('credential-deleted', { credentialId, rpId, source: 'automation' });
  }

  /** Every credential goes; unlike reset(), the PIN and the master secret stay. How many went. */
  removeAllCredentials(): number {
    const gone = this.events.watched ? this.getCredentials() : [];
    const n = credentials.removeAllCredentials(this.store);
    this.authenticator.crypto.forget?.();
    for (const { credentialId, rpId } of gone) this.events.emit('credential-deleted', { credentialId, rpId, source: 'automation' });
    return n;
  }

  /** The credential's signature counter: the next assertion answers n + 1 (lower than before, too: a cloned key). */
  setSignCount(id: string, signCount: number): CredentialJson {
    const c = credentials.setSignCount(this.store, id, signCount);
    this.updated(c, { signCount: c.signCount });
    return c;
  }

  private updated(c: CredentialJson, what: Omit<KeyEventMap['credential-updated'], 'credentialId' | 'rpId' | 'source'>): void {
    this.events.emit('credential-updated', { credentialId: c.credentialId, rpId: c.rpId, ...what, source: 'automation' });
  }

  /**
   * How signature counters go from the next use on (counterModel.ts): the key's model, or with a
   * credential ID (a stored or imported credential) that credential's own. Text form or spec.
   */
  setCounterModel(model: CounterModelSpec | string, credentialId?: string): void {
    const spec = typeof model === 'string' ? parseCounterModelText(model) : model;
    this.counters.set(spec, credentialId === undefined ? undefined : credentials.findCredential(this.store, credentialId).id);
  }

  /** The credential follows the key's counter model again. */
  clearCounterModel(credentialId: string): void {
    this.counters.clear(credentials.findCredential(this.store, credentialId).id);
  }

  /** Replaces the user's names, as credentialManagement's updateUserInformation does. */
  setUser(id: string, user: UserNames): CredentialJson {
    const c = credentials.setUser(this.store, id, user);
    this.updated(c, { user: { name: c.userName, displayName: c.userDisplayName } });
    return c;
  }

  /**
   * WebAuthn Automation's setCredentialProperties: the credential's backup eligibility (BE) and
   * backup state (BS), each optional, carried by its assertions from the next one on.
   */
  setCredentialProperties(id: string, properties: CredentialProperties): CredentialJson {
    const c = credentials.setCredentialProperties(this.store, id, properties);
    this.updated(c, { backupEligibility: c.backupEligibility, backupState: c.backupState });
    return c;
  }

  /**
   * A fault rule (README "Fault injection"): which requests, when, and what goes wrong. Checked
   * first (AutomationError 'invalid' saying what is wrong); the rule's ID.
   */
  addFault(rule: unknown): string {
    return this.faults.add(rule);
  }

  /** The rules in force, with how many requests each matched and how many it changed. */
  listFaults(): FaultInfo[] {
    return this.faults.list();
  }

  /** AutomationError 'notFound' when there is no such rule. */
  removeFault(id: string): void {
    this.faults.remove(id);
  }

  /** Every rule goes; how many there were. */
  clearFaults(): number {
    return this.faults.clear();
  }

  close(): void {
    this.device.close();
    this.authenticator.powerOff();
    this.store.close();
  }
}
