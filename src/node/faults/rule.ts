// A fault rule as a test writes it (JSON: VirtualAuthenticator.addFault, POST /faults, ctl fault
// add, serve --fault): which requests, when, and what goes wrong. Checked here, once, with a message.
import { Command } from '../../ctap/constants.js';
import { Ins } from '../../ctap2/ctap1/apdu.js';
import { HidCmd } from '../../hid/constants.js';
import { fromBase64url } from '../../util/bytes.js';
import { invalid, positiveInt, record, type Fault } from './kind.js';
import { FAULT_KINDS, parseFault } from './registry.js';

/** CTAP2 commands by the short name rules use (authenticatorGetAssertion is accepted too). */
export const CTAP2_COMMANDS: Record<string, number> = {
  makeCredential: Command.authenticatorMakeCredential,
  getAssertion: Command.authenticatorGetAssertion,
  getInfo: Command.authenticatorGetInfo,
  clientPIN: Command.authenticatorClientPIN,
  reset: Command.authenticatorReset,
  getNextAssertion: Command.authenticatorGetNextAssertion,
  credentialManagement: Command.authenticatorCredentialManagement,
  selection: Command.authenticatorSelection,
  largeBlobs: Command.authenticatorLargeBlobs,
  config: Command.authenticatorConfig,
};

/** CTAPHID messages a transport fault can name (CTAPHID_CBOR: every CTAP2 request). */
export const HID_COMMANDS: Record<string, number> = {
  CTAPHID_PING: HidCmd.PING, CTAPHID_MSG: HidCmd.MSG, CTAPHID_LOCK: HidCmd.LOCK, CTAPHID_WINK: HidCmd.WINK, CTAPHID_CBOR: HidCmd.CBOR,
};

/** CTAP1/U2F instructions a rule can name (FIDO U2F Raw Message Formats §4, §5). */
export const U2F_COMMANDS: Record<string, number> = { U2F_REGISTER: Ins.REGISTER, U2F_AUTHENTICATE: Ins.AUTHENTICATE };

export type When = 'always' | { nth: number } | { first: number } | { probability: number; seed: number };

export interface FaultRule {
  /** A CTAP2 command, a CTAPHID message (transport faults only), or 'any'. */
  command: string;
  rpId?: string;
  /** base64url. */
  credentialId?: string;
  when: When;
  fault: Fault;
}

/** A command name as given, short or long ('authenticatorGetAssertion'), to the short one. */
function commandName(v: unknown): string {
  if (v === undefined || v === 'any') return 'any';
  if (typeof v === 'string') {
    const short = v.replace(/^authenticator(.)/, (_, c: string) => c.toLowerCase()).replace(/^clientPin$/, 'clientPIN');
    if (short in CTAP2_COMMANDS) return short;
    if (v in HID_COMMANDS || v in U2F_COMMANDS) return v;
  }
  throw invalid(`command must be any, a CTAP2 command (${Object.keys(CTAP2_COMMANDS).join(', ')}), a U2F one (${Object.keys(U2F_COMMANDS).join(', ')}) or, for a transport fault, ${Object.keys(HID_COMMANDS).join(', ')}`);
}

function parseWhen(v: unknown): When {
  if (v === undefined || v === 'always') return 'always';
  const o = record(v, 'when (or "always")');
  const keys = Object.keys(o).sort().join(',');
  if (keys === 'nth') return { nth: positiveInt(o.nth, 'when.nth') };
  if (keys === 'first') return { first: positiveInt(o.first, 'when.first') };
  if (keys === 'probability' || keys === 'probability,seed') {
    const p = o.probability;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw invalid('when.probability must be a number from 0 to 1');
    const seed = o.seed ?? 0;
    if (!Number.isSafeInteger(seed) || (seed as number) < 0 || (seed as number) > 0xffffffff) throw invalid('when.seed must be a whole number from 0 to 2^32-1');
    return { probability: p, seed: seed as number };
  }
  throw invalid('when must be "always", {"nth": N}, {"first": N} or {"probability": P, "seed": S}');
}

export function parseFaultRule(json: unknown): FaultRule {
  const o = record(json, 'a fault rule');
  for (const k of Object.keys(o)) {
    if (!['command', 'rpId', 'credentialId', 'when', 'fault'].includes(k)) throw invalid(`unknown member "${k}" (command, rpId, credentialId, when, fault)`);
  }
  const fault = parseFault(o.fault);
  const command = commandName(o.command ?? FAULT_KINDS[fault.type].defaultCommand);
  const kind = FAULT_KINDS[fault.type];
  if (command in HID_COMMANDS && kind.stage !== 'transport') throw invalid(`${fault.type} is a CTAP2 fault: name a CTAP2 command or any, not ${command}`);
  const u2f = command in U2F_COMMANDS;
  if (u2f && !kind.u2fCommands?.includes(command)) {
    throw invalid(`${fault.type} does not apply to ${command} (U2F faults: ${u2fFaultsFor(command)})`);
  }
  if (!u2f && kind.commands && (command === 'any' ? kind.commands.length === 0 : !kind.commands.includes(command))) {
    throw invalid(`${fault.type} applies to ${[...kind.commands, ...(kind.u2fCommands ?? [])].join(', ')} only`);
  }
  const misfit = kind.misfit?.(fault, u2f);
  if (misfit) throw invalid(misfit);
  if (o.rpId !== undefined && typeof o.rpId !== 'string') throw invalid('rpId must be a string');
  if (o.credentialId !== undefined && (typeof o.credentialId !== 'string' || !/^[A-Za-z0-9_-]+$/.test(o.credentialId))) {
    throw invalid('credentialId must be base64url');
  }
  const rule: FaultRule = { command, when: parseWhen(o.when), fault };
  if (o.rpId !== undefined) rule.rpId = o.rpId;
  if (o.credentialId !== undefined) rule.credentialId = o.credentialId as string;
  return rule;
}

const u2fFaultsFor = (command: string): string =>
  Object.entries(FAULT_KINDS).filter(([, k]) => k.u2fCommands?.includes(command)).map(([name]) => name).join(', ');

export const credentialIdBytes = (id: string): Uint8Array => fromBase64url(id);
