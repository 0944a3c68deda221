// Fault: the authenticator data names another RP (SHA-256 of another RP ID) under a valid
// signature: a server must compare the rpIdHash with its own RP ID, not trust the signature alone.
import { createHash } from 'node:crypto';
import type { FaultKind } from './kind.js';
import { invalid, onlyMembers } from './kind.js';

export const rpIdHash: FaultKind<{ rpId: string }> = {
  stage: 'signing',
  commands: ['makeCredential', 'getAssertion', 'getNextAssertion'],
  summary: 'authData rpIdHash of another RP ID {rpId} (default evil.example), validly signed',
  parse(o) {
    onlyMembers(o, ['rpId'], 'rpIdHash');
    if (o.rpId !== undefined && typeof o.rpId !== 'string') throw invalid('fault.rpId must be a string');
    return { rpId: (o.rpId as string | undefined) ?? 'evil.example' };
  },
  signing: (f) => ({ rpIdHash: new Uint8Array(createHash('sha256').update(f.rpId).digest()) }),
};
