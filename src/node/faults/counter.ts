// Fault: U2F_AUTHENTICATE gives a counter of the test's choosing (0, or one below the last: a cloned
// key), validly signed, while the key's own counter goes on: a server's counter check must catch it.
import type { FaultKind } from './kind.js';
import { invalid, onlyMembers } from './kind.js';
import { MAX_COUNT } from '../../keystore/reservedCounters.js';

export const counter: FaultKind<{ value: number }> = {
  stage: 'signing',
  commands: [],
  u2fCommands: ['U2F_AUTHENTICATE'],
  defaultCommand: 'U2F_AUTHENTICATE',
  summary: 'U2F authentication counter {value}, validly signed',
  parse(o) {
    onlyMembers(o, ['value'], 'counter');
    if (!Number.isSafeInteger(o.value) || (o.value as number) < 0 || (o.value as number) > MAX_COUNT) {
      throw invalid('fault.value must be a whole number from 0 to 4294967295');
    }
    return { value: o.value as number };
  },
  signing: (f) => ({ signCount: f.value }),
};
