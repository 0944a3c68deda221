// What every fault kind is: where it acts (the stage), on which commands, how its JSON is checked,
// and what it does there. One file per kind (or per family, transport.ts); registry.ts lists them.
import type { CborMap } from '../../ctap/cbor.js';
import type { SigningFault, SigningTarget } from '../../ctap2/faults.js';
import type { HidFault } from '../../hid/faults.js';
import { AutomationError } from '../automation/credentialJson.js';

/**
 * signing: in the core, before the signature (flags, rpIdHash, user: still validly signed);
 * status: in place of the core's answer; response: on the core's answer, bytes the host receives;
 * transport: in the CTAPHID device, around the message.
 */
export type Stage = 'signing' | 'status' | 'response' | 'transport';

/** A successful CTAP2 response as a response fault sees it. */
export interface ResponseView {
  command: string;
  /** The decoded map after the status byte. */
  body: CborMap;
  /** The whole response: status byte, then CBOR. */
  bytes: Uint8Array;
}

export interface FaultKind<P extends object = Record<string, unknown>> {
  stage: Stage;
  /** The CTAP1/U2F messages it can act on (a rule must name one: `any` is CTAP2's). */
  u2fCommands?: readonly string[];
  /** Why the fault as given does not fit a U2F message (u2f) or a CTAP2 one; undefined when it does. */
  misfit?(p: P, u2f: boolean): string | undefined;
  /** The CTAP2 commands it can act on (a rule naming another is refused; 'any' means these). */
  commands?: readonly string[];
  /** The command a rule without one gets (else 'any'). */
  defaultCommand?: string;
  /** One line for help and errors. */
  summary: string;
  /** The fault's members other than `type`, checked; throws AutomationError('invalid'). */
  parse(o: Record<string, unknown>): P;
  signing?(p: P, target: SigningTarget): SigningFault;
  status?(p: P): number;
  /** Whether this response gives the fault something to act on (default: any response); a rule counts only those. */
  canAct?(p: P, r: ResponseView): boolean;
  /** The bytes the host gets instead. */
  response?(p: P, r: ResponseView): Uint8Array;
  transport?(p: P): HidFault;
  /** U2F, status stage: the status word answered instead. */
  apduStatus?(p: P): number;
  /** U2F, response stage: the APDU response (data and SW_NO_ERROR) the host gets instead. */
  apduResponse?(p: P, response: Uint8Array): Uint8Array;
}

/** A checked fault: its type and its members. */
export type Fault = { type: string } & Record<string, unknown>;

export const invalid = (message: string): AutomationError => new AutomationError('invalid', message);

export function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

export function positiveInt(v: unknown, what: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 1) throw invalid(`${what} must be a whole number from 1`);
  return v as number;
}

/** Refuses members a kind does not know (a typo should not silently do nothing). */
export function onlyMembers(o: Record<string, unknown>, allowed: readonly string[], type: string): void {
  for (const k of Object.keys(o)) {
    if (k !== 'type' && !allowed.includes(k)) throw invalid(`fault ${type} has no member "${k}"${allowed.length ? ` (it takes ${allowed.join(', ')})` : ''}`);
  }
}

/** The parse of a fault that takes no members. */
export const noMembers = (type: string) => (o: Record<string, unknown>): Record<string, never> => (onlyMembers(o, [], type), {});

/** One of a few words, or the default when absent. */
export function oneOf<T extends string>(v: unknown, choices: readonly T[], what: string, fallback?: T): T {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
  throw invalid(`${what} must be ${choices.join(', ')}`);
}
