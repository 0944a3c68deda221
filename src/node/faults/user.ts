// Fault: getAssertion's user entity left out (a discoverable sign-in then has no user handle) or
// one given where none belongs, or another user's (a user handle the RP never issued).
import type { FaultKind } from './kind.js';
import { invalid, oneOf, onlyMembers } from './kind.js';
import { fromBase64url, toBase64url, utf8 } from '../../util/bytes.js';

interface UserFault {
  mode: 'omit' | 'extra';
  /** base64url user handle for 'extra'. */
  id: string;
}

export const user: FaultKind<UserFault> = {
  stage: 'signing',
  commands: ['getAssertion', 'getNextAssertion'],
  summary: 'getAssertion user entity {mode: omit | extra, id: base64url}',
  parse(o) {
    onlyMembers(o, ['mode', 'id'], 'user');
    const mode = oneOf(o.mode, ['omit', 'extra'] as const, 'fault.mode');
    if (o.id !== undefined && (mode !== 'extra' || typeof o.id !== 'string' || !/^[A-Za-z0-9_-]+$/.test(o.id))) {
      throw invalid('fault.id is a base64url user handle, for mode extra');
    }
    return { mode, id: (o.id as string | undefined) ?? toBase64url(utf8('ctap-emu-fault-user')) };
  },
  signing: (f) => ({ user: f.mode === 'omit' ? 'omit' : { id: fromBase64url(f.id) } }),
};
