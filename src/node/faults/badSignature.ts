// Fault: the signature of an assertion, or of a packed attestation statement, corrupted after
// signing (one bit of its last byte): the server's signature check must fail, nothing else.
import type { CborMap } from '../../ctap/cbor.js';
import { GetAssertionResponseKey, MakeCredentialResponseKey } from '../../ctap/keys.js';
import type { FaultKind } from './kind.js';
import { noMembers } from './kind.js';
import { withStatusByte } from './cborForms.js';
import { encodeCbor } from '../../ctap/cbor.js';

function corrupt(sig: unknown): Uint8Array | undefined {
  if (!(sig instanceof Uint8Array) || sig.length === 0) return undefined;
  const out = sig.slice();
  out[out.length - 1]! ^= 0x01;
  return out;
}

export const badSignature: FaultKind<Record<string, never>> = {
  stage: 'response',
  commands: ['makeCredential', 'getAssertion', 'getNextAssertion'],
  summary: 'assertion or attestation signature corrupted',
  parse: noMembers('badSignature'),
  response(_f, r) {
    const body = new Map(r.body);
    if (r.command === 'makeCredential') {
      const attStmt = body.get(MakeCredentialResponseKey.attStmt);
      if (!(attStmt instanceof Map)) return undefined;
      const sig = corrupt(attStmt.get('sig'));
      if (!sig) return undefined; // 'none' attestation: nothing signed
      body.set(MakeCredentialResponseKey.attStmt, new Map(attStmt).set('sig', sig) as CborMap);
    } else {
      const sig = corrupt(body.get(GetAssertionResponseKey.signature));
      if (!sig) return undefined;
      body.set(GetAssertionResponseKey.signature, sig);
    }
    return withStatusByte(r.bytes[0]!, encodeCbor(body));
  },
};
