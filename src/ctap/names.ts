// Names of CTAP2 commands, their sub-commands and U2F instructions, for logs and events
// (`serve -v`, the event stream): the numbers on the wire as the spec names them.
import { decodeCbor } from './cbor.js';
import { Command } from './constants.js';
import { ClientPinKey, ClientPinSubCommand, ConfigKey, ConfigSubCommand, CredMgmtKey, CredMgmtSubCommand } from './keys.js';

type Names = Record<string, number>;
const COMMAND_NAMES = new Map<number, string>(Object.entries(Command).map(([k, v]) => [v, k]));

/** "authenticatorMakeCredential" for 0x01; "command 0x.." for a number the spec does not name. */
export function commandName(cmd: number): string {
  return COMMAND_NAMES.get(cmd) ?? `command 0x${cmd.toString(16)}`;
}

/** Commands with sub-commands: where the number is, and their names. */
const SUBCOMMANDS: Record<number, [member: number, names: Names]> = {
  [Command.authenticatorClientPIN]: [ClientPinKey.subCommand, ClientPinSubCommand],
  [Command.authenticatorConfig]: [ConfigKey.subCommand, ConfigSubCommand],
  [Command.authenticatorCredentialManagement]: [CredMgmtKey.subCommand, CredMgmtSubCommand],
  [Command.authenticatorCredentialManagementPreview]: [CredMgmtKey.subCommand, CredMgmtSubCommand],
};

/** "getKeyAgreement" for a clientPIN request, say; undefined when the request has no sub-command. */
export function subCommandName(cmd: number, params: Uint8Array): string | undefined {
  const sub = SUBCOMMANDS[cmd];
  if (!sub || params.length === 0) return undefined;
  try {
    const v = decodeCbor(params);
    const n = v instanceof Map ? v.get(sub[0]) : undefined;
    if (typeof n !== 'number') return undefined;
    return Object.entries(sub[1]).find(([, x]) => x === n)?.[0] ?? `subCommand 0x${n.toString(16)}`;
  } catch {
    return undefined;
  }
}

const U2F_INS: Record<number, string> = { 0x01: 'U2F_REGISTER', 0x02: 'U2F_AUTHENTICATE', 0x03: 'U2F_VERSION' };

/** A CTAP1/U2F APDU's instruction (its second byte) by name. */
export function u2fInstructionName(ins: number): string {
  return U2F_INS[ins] ?? `INS 0x${ins.toString(16)}`;
}
