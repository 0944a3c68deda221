// The authenticator: a CTAP2 request in, a status byte and CBOR out. No IO: see env.ts.
import { decodeCbor, encodeCbor, type CborEncodable, type CborMap } from '../ctap/cbor.js';
import { Command } from '../ctap/constants.js';
import { bioEnrollment, parseBioEnrollment } from './commands/bioEnrollment.js';
import { clientPin, parseClientPin } from './commands/clientPin.js';
import { config, parseConfig } from './commands/config.js';
import { credentialManagement, parseCredentialManagement } from './commands/credentialManagement.js';
import { getAssertion, parseGetAssertion } from './commands/getAssertion.js';
import { getInfo } from './commands/getInfo.js';
import { getNextAssertion } from './commands/getNextAssertion.js';
import { largeBlobs, parseLargeBlobs } from './commands/largeBlobs.js';
import { makeCredential, parseMakeCredential } from './commands/makeCredential.js';
import { reset, wipe } from './commands/reset.js';
import { selection } from './commands/selection.js';
import { DEFAULT_CONFIG, type AuthenticatorConfig, type AuthenticatorEnv, type KeyStore, type RequestContext } from './env.js';
import { DeviceKeyStore } from './keyStore.js';
import { checkAlgorithms } from './algorithms.js';
import { attestationOf, type AttestationMaterial } from './attestation/batch.js';
import { handleApdu } from './ctap1/ctap1.js';
import { asMap, missing } from '../ctap/params.js';
import { pinHash } from '../ctap/pinUvAuthProtocol.js';
import type { Crypto } from '../ctap/crypto.js';
import { nobleCrypto } from '../ctap/nobleCrypto.js';
import { equalBytes } from '../util/bytes.js';
import { loadPin, PIN_RETRIES_MAX, savePin } from './pin/persistent.js';
import { deviceSettings } from './pin/verification.js';
import { loadTemplates, roomForFinger, saveTemplates } from './pin/fingerprints.js';
import type { CommandContext } from './context.js';
import { Session } from './session.js';
import type { DeviceSettings } from './pin/persistent.js';
import { CtapError, Status } from '../ctap/status.js';
import { commandEnabled } from './features.js';

type Handler = (ctx: CommandContext, params: CborMap | undefined) => Promise<CborEncodable | void> | CborEncodable | void;

const needParams = (p: CborMap | undefined): CborMap => p ?? missing('parameters');

/** The dispatcher: one entry per command, each in its own file under commands/. */
const HANDLERS: Record<number, Handler> = {
  [Command.authenticatorMakeCredential]: (ctx, p) => makeCredential(ctx, parseMakeCredential(needParams(p))),
  [Command.authenticatorGetAssertion]: (ctx, p) => getAssertion(ctx, parseGetAssertion(needParams(p))),
  [Command.authenticatorGetInfo]: (ctx) => getInfo(ctx),
  [Command.authenticatorClientPIN]: (ctx, p) => clientPin(ctx, parseClientPin(needParams(p))),
  [Command.authenticatorReset]: (ctx) => reset(ctx),
  [Command.authenticatorGetNextAssertion]: (ctx) => getNextAssertion(ctx),
  [Command.authenticatorCredentialManagement]: (ctx, p) => credentialManagement(ctx, parseCredentialManagement(needParams(p))),
  [Command.authenticatorCredentialManagementPreview]: (ctx, p) => credentialManagement(ctx, parseCredentialManagement(needParams(p))),
  [Command.authenticatorSelection]: (ctx) => selection(ctx),
  [Command.authenticatorConfig]: (ctx, p) => config(ctx, parseConfig(needParams(p))),
  [Command.authenticatorLargeBlobs]: (ctx, p) => largeBlobs(ctx, parseLargeBlobs(needParams(p))),
  [Command.authenticatorBioEnrollment]: (ctx, p) => bioEnrollment(ctx, parseBioEnrollment(needParams(p))),
};

/** Commands that do not end a getAssertion walk (CTAP 2.1 §6.3: any other command ends it). */
const KEEPS_WALK = new Set<number>([Command.authenticatorGetNextAssertion]);
const CRED_MGMT = new Set<number>([Command.authenticatorCredentialManagement, Command.authenticatorCredentialManagementPreview]);

export class Authenticator {
  readonly config: AuthenticatorConfig;
  /** The device's secrets (env.keys, or the default over the store). */
  readonly keys: KeyStore;
  /** env.crypto, else the portable one. */
  readonly crypto: Crypto;
  private session: Session;

  constructor(
    readonly env: AuthenticatorEnv,
    config: Partial<AuthenticatorConfig> = {},
  ) {
    this.config = { ...DEFAULT_CONFIG, ...config };
    if (this.config.aaguid.length !== 16) throw new RangeError('aaguid must be 16 bytes');
    this.crypto = env.crypto ?? nobleCrypto;
    checkAlgorithms(this.config.algorithms, this.crypto);
    this.keys = env.keys ?? new DeviceKeyStore(env.store, env.randomBytes, this.crypto);
    this.session = new Session(env.now(), env.randomBytes, this.crypto);
  }

  /** Whether a PIN is set. */
  hasPin(): boolean {
    return loadPin(this) !== undefined;
  }

  /** Whether `pin` is the PIN set, as the owner checks it locally (no retry spent, nothing stored). */
  isPin(pin: string): boolean {
    const current = loadPin(this);
    return current !== undefined && equalBytes(pinHash(this.crypto, new TextEncoder().encode(pin)), current.hash);
  }

  /** Sets the PIN directly, as a manufacturer or an owner's set-up would; refused if one is set. */
  provisionPin(pin: string): void {
    if (!this.config.clientPin) throw new CtapError(Status.CTAP2_ERR_NOT_ALLOWED, 'this key takes no PIN');
    if (this.hasPin()) throw new CtapError(Status.CTAP2_ERR_NOT_ALLOWED, 'a PIN is already set');
    const bytes = new TextEncoder().encode(pin);
    const codePoints = [...pin].length;
    const min = deviceSettings(this).minPinLength;
    if (bytes.length > 63 || codePoints < min || bytes.includes(0)) {
      throw new CtapError(Status.CTAP2_ERR_PIN_POLICY_VIOLATION, `a PIN is ${min} to 63 bytes, without NUL`);
    }
    savePin(this, { hash: pinHash(this.crypto, bytes), codePoints, retries: PIN_RETRIES_MAX, forceChange: false });
  }

  /**
   * Enrolls a finger directly, as its owner's set-up would (no samples asked for); its template ID
   * back. Only on a sensor that enrolls fingers, and while there is room.
   */
  provisionFingerprint(name?: string): Uint8Array {
    if (!this.config.builtInUv || !this.config.bioEnrollment) throw new CtapError(Status.CTAP2_ERR_NOT_ALLOWED, 'this key enrolls no fingers');
    const { templates, id } = roomForFinger(this.env);
    saveTemplates(this.env, [...templates, { id, ...(name === undefined ? {} : { name }) }]);
    return id;
  }

  /** Removes every enrolled finger (recorded as none: see fingerprintsSetUp). */
  forgetFingerprints(): void {
    saveTemplates(this.env, []);
  }

  /** Whether fingers were ever enrolled or removed on this key (false: a sensor never set up). */
  fingerprintsSetUp(): boolean {
    return loadTemplates(this.env) !== undefined;
  }

  /** The attestation key and certificates (made on first use, kept across reset): see attestation/batch.ts. */
  attestation(): AttestationMaterial {
    return attestationOf(this);
  }

  /** authenticatorReset without its touch or time window: every credential, the PIN, fingers and master secret go. */
  factoryReset(): void {
    wipe({ env: this.env, config: this.config, keys: this.keys, crypto: this.crypto, session: this.session });
  }

  /** Drops volatile state (walks, tokens, retry-in-this-boot counts) as unplugging a key does. */
  powerCycle(): void {
    this.powerOff();
    this.session = new Session(this.env.now(), this.env.randomBytes, this.crypto);
  }

  /**
   * A clean stop (before the store closes): the UV count is stored exactly in place of its
   * reservation, so only a crash makes it read high afterwards (counter.ts).
   */
  powerOff(): void {
    this.session.uvCount.settle(this.env);
  }

  /** One CTAP2 request (command byte + CBOR) to one response (status byte + CBOR). Never throws. */
  async handle(request: Uint8Array, rctx: RequestContext): Promise<Uint8Array> {
    try {
      if (request.length === 0) throw new CtapError(Status.CTAP1_ERR_INVALID_LENGTH, 'empty request');
      const command = request[0]!;
      const handler = HANDLERS[command];
      // A command this key does not offer (a device profile's) is one it does not know.
      if (!handler || !commandEnabled(this.config, command)) throw new CtapError(Status.CTAP1_ERR_INVALID_COMMAND, `command 0x${command.toString(16)}`);
      // A walk belongs to the channel that began it: another channel's command ends it, so no host
      // reads or signs over what another host started. Any other command ends it too (§6.3, §6.8).
      this.session.endWalksNotOf(rctx.channel);
      if (!KEEPS_WALK.has(command)) this.session.nextAssertion = undefined;
      if (!CRED_MGMT.has(command)) this.session.credMgmt = undefined;
      const params = request.length > 1 ? asMap(decodeCbor(request.subarray(1)), 'parameters') : undefined;
      const ctx = this.context(rctx);
      const result = await handler(ctx, params);
      return result === undefined ? new Uint8Array([Status.CTAP2_OK]) : withStatus(Status.CTAP2_OK, encodeCbor(result));
    } catch (e) {
      if (e instanceof CtapError) return new Uint8Array([e.status]);
      // A bug, not a protocol error: answer as the spec's catch-all and let the caller log it.
      this.onInternalError?.(e);
      return new Uint8Array([Status.CTAP1_ERR_OTHER]);
    }
  }

  /** One CTAP1/U2F APDU (CTAPHID_MSG) to its response: data and a status word. Never throws. */
  async handleApdu(apdu: Uint8Array, rctx: RequestContext): Promise<Uint8Array> {
    return handleApdu(this.context(rctx), apdu, (e) => this.onInternalError?.(e));
  }

  private context(rctx: RequestContext): CommandContext {
    let settings: DeviceSettings | undefined;
    // The request's fields named one by one: a spread of the caller's object costs more per request.
    const ctx: CommandContext = {
      channel: rctx.channel,
      // Read when needed: a transport may make the signal only then (hid/device.ts).
      get signal() {
        return rctx.signal;
      },
      get cancelled() {
        return rctx.cancelled;
      },
      keepalive: rctx.keepalive,
      env: this.env,
      config: this.config,
      session: this.session,
      crypto: this.crypto,
      keys: this.keys,
      settings: () => (settings ??= deviceSettings(ctx)),
    };
    return ctx;
  }

  /** Called with unexpected exceptions (bugs); the response is CTAP1_ERR_OTHER either way. */
  onInternalError?: (error: unknown) => void;
}

function withStatus(status: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = status;
  out.set(body, 1);
  return out;
}
