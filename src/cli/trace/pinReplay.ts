// `trace replay --pin PIN`: the PIN/UV auth of a recorded session made again against the replayed
// key. The PIN itself is never in a trace; given it, replay sets it (setPIN), gets its own token
// for the recorded permissions and RP ID (getPinToken, getPinUvAuthTokenUsing*WithPermissions),
// and MACs makeCredential's and getAssertion's clientDataHash with it. Not redone: changePIN (the
// new PIN is not known), hmac-secret (its salts are encrypted to the original session), and the
// pinUvAuthParams of credential management, config and large blobs.
import { decodeCbor, encodeCbor, type CborValue } from '../../ctap/cbor.js';
import { Command } from '../../ctap/constants.js';
import { ClientPinKey, ClientPinSubCommand as Sub, GetAssertionKey, MakeCredentialKey } from '../../ctap/keys.js';
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

const AUTHENTICATED: Record<number, { hash: number; param: number; protocol: number }> = {
  [Command.authenticatorMakeCredential]: { hash: MakeCredentialKey.clientDataHash, param: MakeCredentialKey.pinUvAuthParam, protocol: MakeCredentialKey.pinUvAuthProtocol },
  [Command.authenticatorGetAssertion]: { hash: GetAssertionKey.clientDataHash, param: GetAssertionKey.pinUvAuthParam, protocol: GetAssertionKey.pinUvAuthProtocol },
};

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
    const hash = params.get(keys.hash);
    if (!(hash instanceof Uint8Array) || params.get(keys.protocol) !== this.token.protocol.version) return undefined;
    params.set(keys.param, pinUvAuthParam(this.token, hash));
    const body = encodeCbor(params as Map<number, never>);
    const payload = new Uint8Array(body.length + 1);
    payload[0] = command;
    payload.set(body, 1);
    return { kind: 'send', payload };
  }

  private async clientPin(params: Map<CborValue, CborValue>): Promise<Redo | undefined> {
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
