// Fault: a getInfo a host should not trust (DESIGN.md, getInfo: Chromium falls back to U2F on each
// of these; python-fido2 and libfido2 on a non-canonical one): does the host fall back, or break?
import { encodeCbor, type CborMap, type CborValue } from '../../ctap/cbor.js';
import { GetInfoKey } from '../../ctap/keys.js';
import type { FaultKind } from './kind.js';
import { oneOf, onlyMembers } from './kind.js';
import { encodeMapAs, withStatusByte } from './cborForms.js';

const VARIANTS = ['nonCanonical', 'duplicateVersion', 'aaguidLength', 'optionNotBoolean', 'pinProtocolsMissing', 'algorithmNotMap'] as const;
type Variant = (typeof VARIANTS)[number];

/** Each variant's change to the decoded getInfo (nonCanonical changes the encoding instead). */
const CHANGE: Record<Exclude<Variant, 'nonCanonical'>, (m: CborMap) => void> = {
  duplicateVersion: (m) => {
    const v = m.get(GetInfoKey.versions) as CborValue[];
    m.set(GetInfoKey.versions, [...v, v[v.length - 1]!]);
  },
  aaguidLength: (m) => m.set(GetInfoKey.aaguid, (m.get(GetInfoKey.aaguid) as Uint8Array).slice(0, 15)),
  optionNotBoolean: (m) => m.set(GetInfoKey.options, new Map(m.get(GetInfoKey.options) as CborMap).set('rk', 1)),
  pinProtocolsMissing: (m) => m.delete(GetInfoKey.pinUvAuthProtocols),
  algorithmNotMap: (m) => m.set(GetInfoKey.algorithms, (m.get(GetInfoKey.algorithms) as CborMap[]).map((a) => a.get('alg')!)),
};

export const malformedGetInfo: FaultKind<{ variant: Variant }> = {
  stage: 'response',
  commands: ['getInfo'],
  defaultCommand: 'getInfo',
  summary: `getInfo malformed {variant: ${VARIANTS.join(' | ')}}`,
  parse(o) {
    onlyMembers(o, ['variant'], 'malformedGetInfo');
    return { variant: oneOf(o.variant, VARIANTS, 'fault.variant', 'nonCanonical') };
  },
  response(f, r) {
    if (f.variant === 'nonCanonical') return withStatusByte(r.bytes[0]!, encodeMapAs(r.body, 'order'));
    const m = new Map(r.body);
    CHANGE[f.variant](m);
    return withStatusByte(r.bytes[0]!, encodeCbor(m));
  },
};
