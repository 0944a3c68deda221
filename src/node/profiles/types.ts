// A device profile: the kind of key ctap-emu plays (getInfo facts and the switches the core honours).
import type { AuthenticatorConfig } from '../../ctap2/env.js';
import { Command } from '../../ctap/constants.js';

export interface DeviceProfile {
  name: string;
  /** One line for people. */
  description: string;
  /** Where its facts come from (public getInfo dumps, vendor documentation). */
  source: string;
  /** CTAP2 over CTAPHID_CBOR; false: a U2F-only key (INIT without the CBOR capability). */
  ctap2: boolean;
  /** The core's switches and getInfo facts; the key's own options (aaguid...) win over them. */
  config: Partial<AuthenticatorConfig>;
  /** A built-in UV sensor: the finger matches unless the userVerification option says otherwise. */
  builtInUv?: boolean;
}

const C = Command;
/** What a FIDO 2.0 key answers (CTAP 2.0 §5). */
export const CTAP20_COMMANDS: readonly number[] = [
  C.authenticatorMakeCredential, C.authenticatorGetAssertion, C.authenticatorGetInfo, C.authenticatorClientPIN,
  C.authenticatorReset, C.authenticatorGetNextAssertion,
];

/** 16 bytes from a UUID's text. */
export function uuid(text: string): Uint8Array {
  const hex = text.replace(/-/g, '');
  return new Uint8Array(hex.match(/../g)!.map((b) => parseInt(b, 16)));
}
