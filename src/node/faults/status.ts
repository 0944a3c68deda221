// Fault: the key answers a CTAP status of the test's choosing in place of doing the command (no
// credential made, no counter used): a host must map it to the right error for the user.
import { Status } from '../../ctap/status.js';
import type { FaultKind } from './kind.js';
import { invalid, onlyMembers } from './kind.js';

/** A status by name (CTAP2_ERR_OPERATION_DENIED) or number (0x27 as 39). */
function parseStatus(v: unknown): number {
  if (typeof v === 'string' && Object.hasOwn(Status, v)) return Status[v as keyof typeof Status];
  if (Number.isInteger(v) && (v as number) > 0 && (v as number) <= 0xff) return v as number;
  throw invalid('fault.status must be a CTAP status name (CTAP2_ERR_OPERATION_DENIED) or a number 1-255');
}

export const status: FaultKind<{ status: number }> = {
  stage: 'status',
  summary: 'answer this CTAP status {status: name or number} instead',
  parse(o) {
    onlyMembers(o, ['status'], 'status');
    return { status: parseStatus(o.status) };
  },
  status: (f) => f.status,
};
