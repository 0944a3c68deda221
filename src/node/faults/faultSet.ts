// The fault rules of one key and where each takes effect: the core's signing hook (env.faults),
// the CTAP2 exchange around authenticator.handle, and the CTAPHID device's hook. Every rule counts
// each request it matches at its stage, in the order the rules were added; all that fire apply.
import { decodeCbor, type CborMap } from '../../ctap/cbor.js';
import { Status } from '../../ctap/status.js';
import type { Faults, SigningFault, SigningTarget } from '../../ctap2/faults.js';
import { HidCmd } from '../../hid/constants.js';
import type { HidFault } from '../../hid/faults.js';
import { toBase64url, toHex } from '../../util/bytes.js';
import { AutomationError } from '../automation/credentialJson.js';
import type { FaultKind, ResponseView, Stage } from './kind.js';
import { FAULT_KINDS } from './registry.js';
import { apduFacts, requestFacts, responseCredentialId, type RequestFacts } from './request.js';
import { HID_COMMANDS, parseFaultRule, U2F_COMMANDS, type FaultRule } from './rule.js';
import { StatusWord } from '../../ctap2/ctap1/apdu.js';
import { createHash } from 'node:crypto';
import { Trigger } from './trigger.js';

/** A rule as listed: its ID, the rule as checked, and how often it matched and fired. */
export type FaultInfo = FaultRule & { id: string; seen: number; fired: number };

interface Entry {
  id: string;
  rule: FaultRule;
  kind: FaultKind<any>;
  trigger: Trigger;
}

const NO_FACTS: RequestFacts = { command: '', credentialIds: [] };

/** A rule that has just acted: which, what it did, on which command (CTAP2, else CTAPHID). */
export interface FaultFired {
  id: string;
  type: string;
  command: string;
}

const hidName = (cmd: number | undefined): string => Object.keys(HID_COMMANDS).find((k) => HID_COMMANDS[k] === cmd) ?? 'CTAPHID';

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

function matches(e: Entry, facts: RequestFacts, hidCmd?: number): boolean {
  const { rule, kind } = e;
  // `any` is any CTAP2 command: a U2F fault names its message.
  if (rule.command === 'any' && facts.command in U2F_COMMANDS) return false;
  if (rule.command !== 'any') {
    const hid = HID_COMMANDS[rule.command];
    if (hid !== undefined ? hid !== hidCmd : rule.command !== facts.command) return false;
  }
  if (kind.commands && !kind.commands.includes(facts.command) && !kind.u2fCommands?.includes(facts.command)) return false;
  // U2F: the rule's rpId is the appId whose SHA-256 the application parameter is.
  if (rule.rpId !== undefined && rule.rpId !== facts.rpId && (facts.rpIdHash === undefined || facts.rpIdHash !== sha256Hex(rule.rpId))) return false;
  return rule.credentialId === undefined || facts.credentialIds.includes(rule.credentialId);
}

export class FaultSet implements Faults {
  private entries: Entry[] = [];
  private nextId = 1;

  /** `onFire` hears each fault as it acts (serve logs them). */
  constructor(private readonly onFire?: (fired: FaultFired) => void) {}

  /** Checks and adds a rule (AutomationError 'invalid' saying what is wrong); its ID. */
  add(json: unknown): string {
    const rule = parseFaultRule(json);
    const id = `f${this.nextId++}`;
    this.entries.push({ id, rule, kind: FAULT_KINDS[rule.fault.type]!, trigger: new Trigger(rule.when) });
    return id;
  }

  list(): FaultInfo[] {
    return this.entries.map((e) => ({ id: e.id, ...e.rule, seen: e.trigger.seen, fired: e.trigger.fired }));
  }

  remove(id: string): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.id !== id);
    if (this.entries.length === before) throw new AutomationError('notFound', `no fault ${id}`);
  }

  /** Every rule goes; how many there were. */
  clear(): number {
    const n = this.entries.length;
    this.entries = [];
    return n;
  }

  /** The rules of `stage` that match and fire for this request, in the order they were added. */
  private firing(stage: Stage, facts: RequestFacts, hidCmd?: number, response?: ResponseView): Entry[] {
    if (this.entries.length === 0) return [];
    const can = (e: Entry): boolean => !response || !e.kind.canAct || e.kind.canAct(e.rule.fault, response);
    const fired = this.entries.filter((e) => e.kind.stage === stage && matches(e, facts, hidCmd) && can(e) && e.trigger.next());
    for (const e of fired) this.onFire?.({ id: e.id, type: e.rule.fault.type, command: facts.command || hidName(hidCmd) });
    return fired;
  }

  /** The core's hook (ctap2/faults.ts): flags, rpIdHash and user changes, merged. */
  signing(target: SigningTarget): SigningFault | undefined {
    if (this.entries.length === 0) return undefined; // the facts cost an encoding per signature
    const facts: RequestFacts = {
      command: target.command, rpId: target.rpId, credentialIds: [toBase64url(target.credentialId)],
      ...(target.rpIdHash && { rpIdHash: toHex(target.rpIdHash) }),
    };
    let out: SigningFault | undefined;
    for (const e of this.firing('signing', facts)) {
      const f = e.kind.signing!(e.rule.fault, target);
      const a = out?.flags ?? {};
      const b = f.flags ?? {};
      out = {
        ...out, ...f,
        flags: { set: (a.set ?? 0) | (b.set ?? 0), clear: (a.clear ?? 0) | (b.clear ?? 0), flip: (a.flip ?? 0) ^ (b.flip ?? 0) },
      };
    }
    return out;
  }

  /** The CTAPHID device's hook (hid/faults.ts), merged: busy or silent wins, delays add up. */
  transport(message: { cmd: number; data: Uint8Array }): HidFault | undefined {
    if (this.entries.length === 0) return undefined;
    const facts = message.cmd === HidCmd.CBOR ? requestFacts(message.data) : NO_FACTS;
    let out: HidFault | undefined;
    for (const e of this.firing('transport', facts, message.cmd)) {
      const f = e.kind.transport!(e.rule.fault);
      out = { ...out, ...f, delayMs: (out?.delayMs ?? 0) + (f.delayMs ?? 0) || undefined };
    }
    return out;
  }

  /** One CTAP2 exchange: a forced status in place of `handle`, then faults on its response. */
  async exchange(request: Uint8Array, handle: (request: Uint8Array) => Promise<Uint8Array>): Promise<Uint8Array> {
    if (this.entries.length === 0) return handle(request);
    const facts = requestFacts(request);
    const forced = this.firing('status', facts)[0];
    if (forced) return new Uint8Array([forced.kind.status!(forced.rule.fault)]);
    const response = await handle(request);
    return this.onResponse(facts, response);
  }

  /** One CTAP1/U2F exchange: a forced status word in place of `handle`, then faults on a successful response. */
  async apdu(apdu: Uint8Array, handle: (apdu: Uint8Array) => Promise<Uint8Array>): Promise<Uint8Array> {
    if (this.entries.length === 0) return handle(apdu);
    const facts = apduFacts(apdu);
    if (facts.command === '') return handle(apdu);
    const forced = this.firing('status', facts)[0];
    if (forced) {
      const sw = forced.kind.apduStatus!(forced.rule.fault);
      return new Uint8Array([sw >> 8, sw & 0xff]);
    }
    let response = await handle(apdu);
    const n = response.length;
    if (n < 3 || ((response[n - 2]! << 8) | response[n - 1]!) !== StatusWord.SW_NO_ERROR) return response;
    for (const e of this.firing('response', facts)) response = e.kind.apduResponse!(e.rule.fault, response);
    return response;
  }

  /** Response faults apply to successful responses with a map; each to what the previous made. */
  private onResponse(facts: RequestFacts, response: Uint8Array): Uint8Array {
    let body = response[0] === Status.CTAP2_OK && response.length > 1 ? decodeMap(response) : undefined;
    if (!body) return response;
    const id = responseCredentialId(facts.command, body);
    const all = id === undefined ? facts : { ...facts, credentialIds: [...facts.credentialIds, id] };
    let bytes = response;
    for (const e of this.firing('response', all, undefined, { command: facts.command, body, bytes })) {
      if (!body) break; // a fault before this one left nothing decodable to act on
      bytes = e.kind.response!(e.rule.fault, { command: facts.command, body, bytes });
      body = decodeMap(bytes);
    }
    return bytes;
  }
}

function decodeMap(response: Uint8Array): CborMap | undefined {
  try {
    const v = decodeCbor(response.subarray(1));
    return v instanceof Map ? v : undefined;
  } catch {
    return undefined;
  }
}
