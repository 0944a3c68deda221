// Faults: a CTAP2 response that is not CTAP2-canonical CBOR (entries out of order, integers not in
// shortest form), a map with a duplicate key, or cut short. python-fido2 and libfido2 refuse each.
import type { FaultKind } from './kind.js';
import { noMembers, oneOf, onlyMembers, positiveInt } from './kind.js';
import { encodeMapAs, withStatusByte } from './cborForms.js';

export const nonCanonical: FaultKind<{ form: 'order' | 'integer' }> = {
  stage: 'response',
  summary: 'response map not canonical {form: order (entries reversed) | integer (keys not in shortest form)}',
  parse(o) {
    onlyMembers(o, ['form'], 'nonCanonical');
    return { form: oneOf(o.form, ['order', 'integer'] as const, 'fault.form', 'order') };
  },
  response: (f, r) => withStatusByte(r.bytes[0]!, encodeMapAs(r.body, f.form)),
};

export const duplicateKey: FaultKind<Record<string, never>> = {
  stage: 'response',
  summary: 'response map with its first key given twice',
  parse: noMembers('duplicateKey'),
  response: (_f, r) => withStatusByte(r.bytes[0]!, encodeMapAs(r.body, 'duplicateKey')),
};

export const truncated: FaultKind<{ keep?: number }> = {
  stage: 'response',
  summary: 'response cut short {keep: CBOR bytes kept (default half)}',
  parse(o) {
    onlyMembers(o, ['keep'], 'truncated');
    return o.keep === undefined ? {} : { keep: positiveInt(o.keep, 'fault.keep') };
  },
  response(f, r) {
    const cbor = r.bytes.length - 1;
    const keep = Math.min(f.keep ?? Math.floor(cbor / 2), cbor - 1);
    return r.bytes.slice(0, 1 + keep);
  },
};
