// Fault: the signature of an assertion, or of a packed attestation statement, corrupted after
// signing (one bit of its last byte): the server's signature check must fail, nothing else. In U2F
// the signature ends the response data (§4.3 registration, §5.4 authentication): its last byte too.
import { encodeCbor, type CborMap } from '../../ctap/cbor.js';
import { GetAssertionResponseKey, MakeCredentialResponseKey } from '../../ctap/keys.js';
import type { FaultKind, ResponseView } from './kind.js';
import { noMembers } from './kind.js';
import { withStatusByte } from './cborForms.js';

/** The signature a response carries: the assertion's, or the attestation statement's ('none' has none). */
function signatureOf(r: ResponseView): Uint8Array | undefined {
  const attStmt = r.command === 'makeCredential' ? r.body.get(MakeCredentialResponseKey.attStmt) : undefined;
  const sig = attStmt instanceof Map ? attStmt.get('sig') : r.body.get(GetAssertionResponseKey.signature);
  return sig instanceof Uint8Array && sig.length > 0 ? sig : undefined;
}

export const badSignature: FaultKind<Record<string, never>> = {
  stage: 'response',
  commands: ['makeCredential', 'getAssertion', 'getNextAssertion'],
  u2fCommands: ['U2F_REGISTER', 'U2F_AUTHENTICATE'],
  summary: 'assertion or attestation signature corrupted',
  parse: noMembers('badSignature'),
  canAct: (_f, r) => signatureOf(r) !== undefined,
  response(_f, r) {
    const sig = signatureOf(r)!.slice();
    sig[sig.length - 1]! ^= 0x01;
    const body = new Map(r.body);
    if (r.command === 'makeCredential') {
      const attStmt = new Map(body.get(MakeCredentialResponseKey.attStmt) as CborMap).set('sig', sig);
      body.set(MakeCredentialResponseKey.attStmt, attStmt);
    } else {
      body.set(GetAssertionResponseKey.signature, sig);
    }
    return withStatusByte(r.bytes[0]!, encodeCbor(body));
  },
  apduResponse(_f, response) {
    // Data, then SW1 SW2: the signature's (DER ECDSA's s) last byte is the one before the status word.
    const out = response.slice();
    out[out.length - 3]! ^= 0x01;
    return out;
  },
};
