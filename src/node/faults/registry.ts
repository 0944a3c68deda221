// Every fault kind by its JSON `type`, and the check of a rule's `fault` member.
import type { Fault, FaultKind } from './kind.js';
import { invalid, record } from './kind.js';
import { badSignature } from './badSignature.js';
import { counter } from './counter.js';
import { duplicateKey, nonCanonical, truncated } from './cborFaults.js';
import { flags } from './flags.js';
import { malformedGetInfo } from './malformedGetInfo.js';
import { rpIdHash } from './rpIdHash.js';
import { status } from './status.js';
import { channelBusy, delay, keepalive, noAnswer } from './transport.js';
import { user } from './user.js';

// Each kind's own parameter type is checked by its parse(); here they share one table.
export const FAULT_KINDS: Record<string, FaultKind<any>> = {
  status, badSignature, flags, rpIdHash, user, nonCanonical, duplicateKey, truncated, malformedGetInfo,
  keepalive, channelBusy, noAnswer, delay, counter,
};

export function parseFault(v: unknown): Fault {
  const o = record(v, 'fault');
  if (typeof o.type !== 'string' || !Object.hasOwn(FAULT_KINDS, o.type)) {
    throw invalid(`fault.type must be one of ${Object.keys(FAULT_KINDS).join(', ')}`);
  }
  return { type: o.type, ...FAULT_KINDS[o.type]!.parse(o) };
}
