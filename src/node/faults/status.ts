// Fault: the key answers a status of the test's choosing in place of doing the command (no
// credential made, no counter used): a host must map it to the right error for the user. A CTAP
// status for CTAP2 commands; a status word (SW_CONDITIONS_NOT_SATISFIED...) for U2F messages.
import { Status, statusName } from '../../ctap/status.js';
import { StatusWord } from '../../ctap2/ctap1/apdu.js';
import type { FaultKind } from './kind.js';
import { invalid, onlyMembers } from './kind.js';

const isStatusWord = (v: string | number): boolean => (typeof v === 'number' ? v > 0xff : Object.hasOwn(StatusWord, v));

/** A status by name (CTAP2_ERR_OPERATION_DENIED, SW_WRONG_DATA) or number (0x27 as 39, 0x6a80): its name where it has one. */
function parseStatus(v: unknown): string | number {
  if (typeof v === 'string' && (Object.hasOwn(Status, v) || Object.hasOwn(StatusWord, v))) return v;
  if (Number.isInteger(v) && (v as number) > 0 && (v as number) <= 0xff) return Object.hasOwn(Status, statusName(v as number)) ? statusName(v as number) : (v as number);
  if (Number.isInteger(v) && (v as number) >= 0x6000 && (v as number) <= 0x6fff) {
    return Object.keys(StatusWord).find((k) => StatusWord[k as keyof typeof StatusWord] === v) ?? (v as number);
  }
  throw invalid('fault.status must be a CTAP status name (CTAP2_ERR_OPERATION_DENIED) or number 1-255, or for U2F a status word name (SW_WRONG_DATA) or number 0x6000-0x6FFF');
}

export const status: FaultKind<{ status: string | number }> = {
  stage: 'status',
  u2fCommands: ['U2F_REGISTER', 'U2F_AUTHENTICATE'],
  summary: 'answer this CTAP status, or U2F status word, {status: name or number} instead',
  parse(o) {
    onlyMembers(o, ['status'], 'status');
    return { status: parseStatus(o.status) };
  },
  misfit(f, u2f) {
    if (u2f && !isStatusWord(f.status)) return `a U2F message answers a status word (SW_CONDITIONS_NOT_SATISFIED, SW_WRONG_DATA...), not ${f.status}`;
    if (!u2f && isStatusWord(f.status)) return `${f.status} is a U2F status word: name U2F_REGISTER or U2F_AUTHENTICATE as the command`;
    return undefined;
  },
  status: (f) => (typeof f.status === 'number' ? f.status : Status[f.status as keyof typeof Status]),
  apduStatus: (f) => (typeof f.status === 'number' ? f.status : StatusWord[f.status as keyof typeof StatusWord]),
};
