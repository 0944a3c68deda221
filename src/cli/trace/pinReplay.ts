// `trace replay`: the PIN/UV auth and key agreement of a recorded session made again against the
// replayed key. The PIN itself is never in a trace; given it (--pin), replay sets it (setPIN), gets
// its own token for the recorded permissions and RP ID (getPinToken,
// getPinUvAuthTokenUsingPinWithPermissions; getPinUvAuthTokenUsingUvWithPermissions needs no PIN),
// and MACs makeCredential, getAssertion, credential management, config and large-blob writes with
// it. hmac-secret inputs (salts encrypted to the original session's shared secret, which the trace
// does not hold) are made again with replay's own key agreement and fresh salts, as many as were
// sent: the outputs then differ, and are compared by shape. Not redone: changePIN (the new PIN is
// not known).
import { decodeCbor, encodeCbor, rawCbor, type CborKey, type CborValue } from '../../ctap/cbor.js';
import { nobleCrypto } from '../../ctap/nobleCrypto.js';
import { hmacSecretSession } from '../../client/hmacSecret.js';
import { concatBytes } from '../../util/bytes.js';
import { Command } from '../../ctap/constants.js';
import {
  ClientPinKey, ClientPinSubCommand as Sub, ConfigKey, CredMgmtKey, GetAssertionKey, HmacSecretKey, LargeBlobsKey, MakeCredentialKey,
} from '../../ctap/keys.js';
import { CtapError, Status } from '../../ctap/status.js';
import { ClientPin, pinUvAuthParam, type PinUvAuthToken } from '../../client/clientPin.js';
import { Ctap2Client } from '../../client/ctap2.js';
import { CtapHidHost } from '../../hid/host.js';
import { HidCmd } from '../../hid/constants.js';
import type { ReportPipe } from '../../hid/pipe.js';
import type { RecordedMessage } from './format.js';
import { hostRandom } from '../../util/randomPool.js';

/** What to do with a recorded request that carried PIN/UV auth. */
export type Redo =
  | { kind: 'done'; status: number } // replay ran the exchange itself; the status it got
  | { kind: 'send'; payload: Uint8Array }; // this request, with a MAC from replay's own token

type Params = Map<CborValue, CborValue>;

/** The bytes a subCommandParams map came as (what the MAC covers), or none. */
const rawParams = (params: Params, key: number): Uint8Array => {
  const v = params.get(key);
  return v === undefined ? new Uint8Array(0) : (rawCbor(v) ?? encodeCbor(v as never));
};

/** Per command: where its pinUvAuthParam and protocol are, and the message the MAC covers (CTAP 2.1 §6.1.2, §6.2.2, §6.8, §6.11). */
const AUTHENTICATED: Record<number, { param: number; protocol: number; message(p: Params): Uint8Array | undefined }> = {
  [Command.authenticatorMakeCredential]: {
    param: MakeCredentialKey.pinUvAuthParam, protocol: MakeCredentialKey.pinUvAuthProtocol,
    message: (p) => bytesOrUndefined(p.get(MakeCredentialKey.clientDataHash)),
  },
  [Command.authenticatorGetAssertion]: {
    param: GetAssertionKey.pinUvAuthParam, protocol: GetAssertionKey.pinUvAuthProtocol,
    message: (p) => bytesOrUndefined(p.get(GetAssertionKey.clientDataHash)),
  },
  [Command.authenticatorCredentialManagement]: credMgmt(),
  [Command.authenticatorCredentialManagementPreview]: credMgmt(),
  [Command.authenticatorConfig]: {
    param: ConfigKey.pinUvAuthParam, protocol: ConfigKey.pinUvAuthProtocol,
    message: (p) => concatBytes(new Uint8Array(32).fill(0xff), new Uint8Array([0x0d, p.get(ConfigKey.subCommand) as number]), rawParams(p, ConfigKey.subCommandParams)),
  },
  [Command.authenticatorLargeBlobs]: {
    param: LargeBlobsKey.pinUvAuthParam, protocol: LargeBlobsKey.pinUvAuthProtocol,
    // CTAP 2.1 §6.10.2: 32 x 0xff || h'0c00' || uint32LittleEndian(offset) || SHA-256(set)
    message: (p) => {
      const set = bytesOrUndefined(p.get(LargeBlobsKey.set));
      const offset = p.get(LargeBlobsKey.offset);
      if (!set || typeof offset !== 'number') return undefined;
      const le = new Uint8Array(4);
      new DataView(le.buffer).setUint32(0, offset, true);
      return concatBytes(new Uint8Array(32).fill(0xff), new Uint8Array([0x0c, 0x00]), le, nobleCrypto.sha256(set));
    },
  },
};

function credMgmt(): (typeof AUTHENTICATED)[number] {
  return {
    param: CredMgmtKey.pinUvAuthParam, protocol: CredMgmtKey.pinUvAuthProtocol,
    message: (p) => concatBytes(new Uint8Array([p.get(CredMgmtKey.subCommand) as number]), rawParams(p, CredMgmtKey.subCommandParams)),
  };
}

const bytesOrUndefined = (v: CborValue | undefined): Uint8Array | undefined => (v instanceof Uint8Array ? v : undefined);

/** Redacted members a request may have and still be redone: the MAC and hmac-secret input are made again; the others are data, sent as zeros. */
const REMADE = new Set(['pinUvAuthParam', 'hmac-secret', 'credBlob', 'largeBlobKey']);

/** How many 32-byte salts a recorded saltEnc held: protocol 2 puts a 16-byte IV first (CTAP 2.1 §6.5.7). */
function saltCount(saltEnc: CborValue | undefined, version: CborValue | undefined): 1 | 2 | undefined {
  const n = saltEnc instanceof Uint8Array ? saltEnc.length - (version === 2 ? 16 : 0) : 0;
  return n === 32 ? 1 : n === 64 ? 2 : undefined;
}

export class PinReplay {
  private client: Ctap2Client | undefined;
  private token: PinUvAuthToken | undefined;

  /** `pin`: the key's PIN (--pin); without it only what needs none is redone (hmac-secret, UV tokens). */
  constructor(private readonly pipe: ReportPipe, private readonly pin: string | undefined) {}

  /** A channel of replay's own on the same key (closing it leaves the pipe open). */
  private async ctap(): Promise<Ctap2Client> {
    this.client ??= new Ctap2Client(await CtapHidHost.open({ write: (r) => this.pipe.write(r), onReport: (l) => this.pipe.onReport(l), close: () => undefined }));
    return this.client;
  }

  /** Undefined when the request cannot be redone (see the file's first lines). `secrets`: the members redacted in it. */
  async redo(m: RecordedMessage, secrets: ReadonlySet<string>): Promise<Redo | undefined> {
    if (m.cmd !== HidCmd.CBOR) return undefined;
    let params: CborValue;
    try {
      params = m.payload.length > 1 ? decodeCbor(m.payload.subarray(1)) : new Map();
    } catch {
      return undefined;
    }
    if (!(params instanceof Map)) return undefined;
    const command = m.payload[0]!;
    if (command === Command.authenticatorClientPIN) return this.clientPin(params);
    const keys = AUTHENTICATED[command];
    if (!keys || [...secrets].some((s) => !REMADE.has(s))) return undefined;
    if (secrets.has('hmac-secret') && !(await this.hmacSecret(params))) return undefined;
    if (secrets.has('pinUvAuthParam')) {
      const message = keys.message(params);
      if (!this.token || !message || params.get(keys.protocol) !== this.token.protocol.version) return undefined;
      params.set(keys.param, pinUvAuthParam(this.token, message));
    }
    const body = encodeCbor(params as Map<number, never>);
    const payload = new Uint8Array(body.length + 1);
    payload[0] = command;
    payload.set(body, 1);
    return { kind: 'send', payload };
  }

  /**
   * getAssertion's hmac-secret input made again (CTAP 2.1 §12.5): replay's own key agreement, as
   * many fresh salts as were sent, under the recorded protocol. False when it cannot be.
   */
  private async hmacSecret(params: Params): Promise<boolean> {
    const extensions = params.get(GetAssertionKey.extensions);
    if (!(extensions instanceof Map)) return false;
    const input = extensions.get('hmac-secret');
    if (!(input instanceof Map)) return false;
    const version = input.get(HmacSecretKey.pinUvAuthProtocol) ?? 1;
    const salts = saltCount(input.get(HmacSecretKey.saltEnc), version);
    if ((version !== 1 && version !== 2) || salts === undefined) return false;
    const session = await hmacSecretSession(new ClientPin(await this.ctap(), [version], version), hostRandom(32), salts === 2 ? hostRandom(32) : undefined);
    extensions.set('hmac-secret', session.input as Map<CborKey, CborValue>);
    return true;
  }

  private async clientPin(params: Params): Promise<Redo | undefined> {
    const sub = params.get(ClientPinKey.subCommand);
    const version = params.get(ClientPinKey.pinUvAuthProtocol);
    if (version !== 1 && version !== 2) return undefined;
    const permissions = params.get(ClientPinKey.permissions) as number | undefined;
    const rpId = params.get(ClientPinKey.rpId) as string | undefined;
    const run = async (f: (cp: ClientPin) => Promise<PinUvAuthToken | void>): Promise<Redo> => {
      try {
        const token = await f(new ClientPin(await this.ctap(), [version], version));
        if (token) this.token = token;
        return { kind: 'done', status: Status.CTAP2_OK };
      } catch (e) {
        if (e instanceof CtapError) return { kind: 'done', status: e.status };
        throw e;
      }
    };
    const pin = this.pin;
    if (sub === Sub.getPinUvAuthTokenUsingUvWithPermissions) return run((cp) => cp.getUvToken(permissions ?? 0, rpId));
    if (pin === undefined) return undefined;
    switch (sub) {
      case Sub.setPIN: return run((cp) => cp.setPin(pin));
      case Sub.getPinToken: return run((cp) => cp.getPinToken(pin));
      case Sub.getPinUvAuthTokenUsingPinWithPermissions: return run((cp) => cp.getPinToken(pin, permissions ?? 0, rpId));
      default: return undefined;
    }
  }
}
