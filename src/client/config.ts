// The host side of authenticatorConfig (CTAP 2.1 §6.11).
import { encodeCbor, type CborEncodable } from '../ctap/cbor.js';
import { Command } from '../ctap/constants.js';
import { ConfigKey, SetMinPinLengthKey } from '../ctap/keys.js';
import { concatBytes } from '../util/bytes.js';
import { pinUvAuthParam, type PinUvAuthToken } from './clientPin.js';
import { request, type Ctap2Client } from './ctap2.js';

export { ConfigSubCommand } from '../ctap/keys.js';

export interface SetMinPinLength {
  newMinPINLength?: number;
  minPinLengthRPIDs?: string[];
  forceChangePin?: boolean;
}

/** Sends one authenticatorConfig subcommand, authenticated with `token` (needs the acfg permission) when given. */
export async function authenticatorConfig(
  ctap: Ctap2Client,
  subCommand: number,
  params?: Map<number, CborEncodable>,
  token?: PinUvAuthToken,
): Promise<void> {
  // CTAP 2.1 §6.11: pinUvAuthParam over 32×0xff || 0x0d || subCommand || subCommandParams.
  const message = concatBytes(
    new Uint8Array(32).fill(0xff), new Uint8Array([Command.authenticatorConfig, subCommand]), params ? encodeCbor(params) : new Uint8Array(0),
  );
  await ctap.send(Command.authenticatorConfig, request(ConfigKey, {
    subCommand,
    subCommandParams: params,
    pinUvAuthProtocol: token?.protocol.version,
    pinUvAuthParam: token && pinUvAuthParam(token, message),
  }));
}

export function setMinPinLengthParams(p: SetMinPinLength): Map<number, CborEncodable> {
  return request(SetMinPinLengthKey, { ...p });
}
