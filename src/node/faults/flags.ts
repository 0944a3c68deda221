// Fault: authenticator-data flags set, cleared or flipped (UP, UV, BE, BS) under a valid signature,
// so a server has to reject on the flags themselves (user not present, not verified, backup state).
import { AuthDataFlag } from '../../ctap/constants.js';
import type { FaultKind } from './kind.js';
import { invalid, onlyMembers } from './kind.js';

const NAMES = ['UP', 'UV', 'BE', 'BS'] as const;
type FlagName = (typeof NAMES)[number];

interface FlagsFault {
  set?: FlagName[];
  clear?: FlagName[];
  flip?: FlagName[];
}

function names(v: unknown, what: string): FlagName[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((n) => (NAMES as readonly unknown[]).includes(n))) throw invalid(`fault.${what} must be a list of ${NAMES.join(', ')}`);
  return v as FlagName[];
}

const bits = (list: FlagName[] | undefined): number => (list ?? []).reduce((b, n) => b | AuthDataFlag[n], 0);

export const flags: FaultKind<FlagsFault> = {
  stage: 'signing',
  commands: ['makeCredential', 'getAssertion', 'getNextAssertion'],
  summary: 'authData flags {set, clear, flip: [UP, UV, BE, BS]}, validly signed',
  parse(o) {
    onlyMembers(o, ['set', 'clear', 'flip'], 'flags');
    const f: FlagsFault = {};
    for (const k of ['set', 'clear', 'flip'] as const) {
      const list = names(o[k], k);
      if (list) f[k] = list;
    }
    if (Object.keys(f).length === 0) throw invalid('fault flags needs set, clear or flip');
    return f;
  },
  signing: (f) => ({ flags: { set: bits(f.set), clear: bits(f.clear), flip: bits(f.flip) } }),
};
