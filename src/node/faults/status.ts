// Fault: the key answers a CTAP status of the test's choosing in place of doing the command (no
// credential made, no counter used): a host must map it to the right error for the user.
import { Status, statusName } from '../../ctap/status.js';
import type { FaultKind } from './kind.js';
import { invalid, onlyMembers } from './kind.js';

/** A status by name (CTAP2_ERR_OPERATION_DENIED) or number (0x27 as 39): its name where it has one. */
function parseStatus(v: unknown): string | number {
  if (typeof v === 'string' && Object.hasOwn(Status, v)) return v;
  if (Number.isInteger(v) && (v as number) > 0 && (v as number) <= 0xff) return Object.hasOwn(Status, statusName(v as number)) ? statusName(v as number) : (v as number);
  throw invalid('fault.status must be a CTAP status name (CTAP2_ERR_OPERATION_DENIED) or a number 1-255');
}

export const status: FaultKind<{ status: string | number }> = {
  stage: 'status',
  summary: 'answer this CTAP status {status: name or number} instead',
  parse(o) {
    onlyMembers(o, ['status'], 'status');
    return { status: parseStatus(o.status) };
  },
  status: (f) => (typeof f.status === 'number' ? f.status : Status[f.status as keyof typeof Status]),
};
