// The host side of authenticatorConfig (CTAP 2.1 §6.11).
import { encodeCbor, type CborEncodable } from '../ctap/cbor.js';
import { Command } from '../ctap/constants.js';
import { concatBytes } from '../util/bytes.js';
import { pinUvAuthParam, type PinUvAuthToken } from './clientPin.js';
import type { Ctap2Client } from './ctap2.js';

export const ConfigSubCommand = { enableEnterpriseAttestation: 0x01, toggleAlwaysUv: 0x02, setMinPINLength: 0x03 } as const;

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
  const req = new Map<number, CborEncodable>([[0x01, subCommand]]);
  if (params) req.set(0x02, params);
  if (token) {
    const message = concatBytes(new Uint8Array(32).fill(0xff), new Uint8Array([0x0d, subCommand]), params ? encodeCbor(params) : new Uint8Array(0));
    req.set(0x03, token.protocol.version);
    req.set(0x04, pinUvAuthParam(token, message));
  }
  await ctap.send(Command.authenticatorConfig, req);
}

export function setMinPinLengthParams(p: SetMinPinLength): Map<number, CborEncodable> {
  const m = new Map<number, CborEncodable>();
  if (p.newMinPINLength !== undefined) m.set(0x01, p.newMinPINLength);
  if (p.minPinLengthRPIDs !== undefined) m.set(0x02, p.minPinLengthRPIDs);
  if (p.forceChangePin !== undefined) m.set(0x03, p.forceChangePin);
  return m;
}
