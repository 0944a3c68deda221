// The host side of authenticatorClientPIN (python-fido2's ClientPin): set and change the PIN,
// read retries, get pinUvAuthTokens with permissions, and compute pinUvAuthParams.
import { Command } from '../ctap/constants.js';
import { ClientPinKey, ClientPinResponseKey, ClientPinSubCommand as Sub } from '../ctap/keys.js';
import { isSupportedProtocol, keyAgreementCose, pinHash, protocolFor, type PinUvAuthProtocol } from '../ctap/pinUvAuthProtocol.js';
import { concatBytes, utf8 } from '../util/bytes.js';
import type { CborEncodable, CborMap } from '../ctap/cbor.js';
import { request, type Ctap2Client } from './ctap2.js';
import { hostRandom as random } from '../util/randomPool.js';

export { Permission as PinPermission } from '../ctap/permissions.js';

type ClientPinParams = Partial<Record<Exclude<keyof typeof ClientPinKey, 'pinUvAuthProtocol' | 'subCommand'>, CborEncodable | undefined>>;
const R = ClientPinResponseKey;

/** A token and the protocol it was issued under: what a pinUvAuthParam is made with. */
export interface PinUvAuthToken {
  protocol: PinUvAuthProtocol;
  token: Uint8Array;
}

/** pinUvAuthParam = authenticate(token, message). */
export function pinUvAuthParam(t: PinUvAuthToken, message: Uint8Array): Uint8Array {
  return t.protocol.authenticate(t.token, message);
}

function padPin(pin: string): Uint8Array {
  const bytes = utf8(pin);
  if (bytes.length > 63) throw new RangeError('a PIN is at most 63 bytes of UTF-8');
  const out = new Uint8Array(64);
  out.set(bytes);
  return out;
}

export class ClientPin {
  readonly protocol: PinUvAuthProtocol;

  /** Uses the key's preferred protocol among those both sides know, unless one is named; computes with ctap.crypto. */
  constructor(
    private readonly ctap: Ctap2Client,
    supported: number[],
    version?: 1 | 2,
  ) {
    const v = version ?? supported.find(isSupportedProtocol);
    if (v === undefined || !isSupportedProtocol(v)) throw new Error('the key supports no PIN/UV auth protocol this client knows');
    this.protocol = protocolFor(v, ctap.crypto);
  }

  private call(subCommand: number, params: ClientPinParams = {}): Promise<CborMap | undefined> {
    return this.ctap.send(Command.authenticatorClientPIN, request(ClientPinKey, { pinUvAuthProtocol: this.protocol.version, subCommand, ...params }));
  }

  /** getKeyAgreement, then encapsulate() (§6.5.6): a fresh platform key each time, and the shared secret. */
  async keyAgreement(): Promise<{ platformKey: CborEncodable; shared: Uint8Array }> {
    const res = await this.call(Sub.getKeyAgreement);
    const { publicKey, secret } = this.protocol.encapsulate(random(48), res!.get(R.keyAgreement)!);
    return { platformKey: keyAgreementCose(publicKey), shared: secret };
  }

  async getPinRetries(): Promise<{ retries: number; powerCycleState: boolean }> {
    const res = (await this.call(Sub.getPINRetries))!;
    return { retries: res.get(R.pinRetries) as number, powerCycleState: res.get(R.powerCycleState) === true };
  }

  async getUvRetries(): Promise<number> {
    return (await this.call(Sub.getUVRetries))!.get(R.uvRetries) as number;
  }

  async setPin(pin: string): Promise<void> {
    const { platformKey, shared } = await this.keyAgreement();
    const newPinEnc = this.protocol.encrypt(shared, padPin(pin), random(16));
    await this.call(Sub.setPIN, { keyAgreement: platformKey, pinUvAuthParam: this.protocol.authenticate(shared, newPinEnc), newPinEnc });
  }

  async changePin(oldPin: string, newPin: string): Promise<void> {
    const { platformKey, shared } = await this.keyAgreement();
    const pinHashEnc = this.protocol.encrypt(shared, pinHash(this.ctap.crypto, utf8(oldPin)), random(16));
    const newPinEnc = this.protocol.encrypt(shared, padPin(newPin), random(16));
    const param = this.protocol.authenticate(shared, concatBytes(newPinEnc, pinHashEnc));
    await this.call(Sub.changePIN, { keyAgreement: platformKey, pinUvAuthParam: param, newPinEnc, pinHashEnc });
  }

  /** A token from the PIN: with permissions (and an RP ID) on CTAP 2.1 keys, or getPinToken without. */
  async getPinToken(pin: string, permissions?: number, rpId?: string): Promise<PinUvAuthToken> {
    const { platformKey, shared } = await this.keyAgreement();
    const pinHashEnc = this.protocol.encrypt(shared, pinHash(this.ctap.crypto, utf8(pin)), random(16));
    const res = permissions === undefined
      ? await this.call(Sub.getPinToken, { keyAgreement: platformKey, pinHashEnc })
      : await this.call(Sub.getPinUvAuthTokenUsingPinWithPermissions, { keyAgreement: platformKey, pinHashEnc, permissions, rpId });
    return this.unwrap(shared, res!);
  }

  /** A token from the key's built-in user verification. */
  async getUvToken(permissions: number, rpId?: string): Promise<PinUvAuthToken> {
    const { platformKey, shared } = await this.keyAgreement();
    const res = await this.call(Sub.getPinUvAuthTokenUsingUvWithPermissions, { keyAgreement: platformKey, permissions, rpId });
    return this.unwrap(shared, res!);
  }

  private unwrap(shared: Uint8Array, res: CborMap): PinUvAuthToken {
    const token = this.protocol.decrypt(shared, res.get(R.pinUvAuthToken) as Uint8Array);
    if (!token) throw new Error('the key sent a malformed pinUvAuthToken');
    return { protocol: this.protocol, token };
  }
}
