// `trace replay --pin PIN`: the PIN/UV auth of a recorded session made again against the replayed
// key. The PIN itself is never in a trace; given it, replay sets it (setPIN), gets its own token
// for the recorded permissions and RP ID (getPinToken, getPinUvAuthTokenUsing*WithPermissions),
// and MACs makeCredential, getAssertion, credential management and config with it. Not redone:
// changePIN (the new PIN is not known), hmac-secret (its salts are encrypted to the original
// session), large-blob writes.
import { decodeCbor, encodeCbor, rawCbor, type CborValue } from '../../ctap/cbor.js';
import { concatBytes } from '../../util/bytes.js';
import { Command } from '../../ctap/constants.js';
import { ClientPinKey, ClientPinSubCommand as Sub, ConfigKey, CredMgmtKey, GetAssertionKey, MakeCredentialKey } from '../../ctap/keys.js';
import { CtapError, Status } from '../../ctap/status.js';
import { ClientPin, pinUvAuthParam, type PinUvAuthToken } from '../../client/clientPin.js';
import { Ctap2Client } from '../../client/ctap2.js';
import { CtapHidHost } from '../../hid/host.js';
import { HidCmd } from '../../hid/constants.js';
import type { ReportPipe } from '../../hid/pipe.js';
import type { RecordedMessage } from './format.js';

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
};

function credMgmt(): (typeof AUTHENTICATED)[number] {
  return {
    param: CredMgmtKey.pinUvAuthParam, protocol: CredMgmtKey.pinUvAuthProtocol,
    message: (p) => concatBytes(new Uint8Array([p.get(CredMgmtKey.subCommand) as number]), rawParams(p, CredMgmtKey.subCommandParams)),
  };
}

const bytesOrUndefined = (v: CborValue | undefined): Uint8Array | undefined => (v instanceof Uint8Array ? v : undefined);

/** Redacted members a request may have and still be redone: the MAC is made again; the others are data, sent as zeros. */
const REMADE = new Set(['pinUvAuthParam', 'credBlob', 'largeBlobKey']);

export class PinReplay {
  private client: Ctap2Client | undefined;
  private token: PinUvAuthToken | undefined;

  constructor(private readonly pipe: ReportPipe, private readonly pin: string) {}

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
    if (!keys || !this.token || [...secrets].some((s) => !REMADE.has(s))) return undefined;
    const message = keys.message(params);
    if (!message || params.get(keys.protocol) !== this.token.protocol.version) return undefined;
    params.set(keys.param, pinUvAuthParam(this.token, message));
    const body = encodeCbor(params as Map<number, never>);
    const payload = new Uint8Array(body.length + 1);
    payload[0] = command;
    payload.set(body, 1);
    return { kind: 'send', payload };
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
    switch (sub) {
      case Sub.setPIN: return run((cp) => cp.setPin(this.pin));
      case Sub.getPinToken: return run((cp) => cp.getPinToken(this.pin));
      case Sub.getPinUvAuthTokenUsingPinWithPermissions: return run((cp) => cp.getPinToken(this.pin, permissions ?? 0, rpId));
      case Sub.getPinUvAuthTokenUsingUvWithPermissions: return run((cp) => cp.getUvToken(permissions ?? 0, rpId));
      default: return undefined;
    }
  }
}
