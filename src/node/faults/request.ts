// What a rule can be matched on, read from a CTAP2 request (and response): the command's name, the
// RP ID and the credential IDs named. A request that does not decode matches by command only.
import { decodeCbor, type CborMap, type CborValue } from '../../ctap/cbor.js';
import { GetAssertionKey, GetAssertionResponseKey, MakeCredentialKey, MakeCredentialResponseKey } from '../../ctap/keys.js';
import { Command } from '../../ctap/constants.js';
import { toBase64url, toHex } from '../../util/bytes.js';
import { Ins, parseApdu } from '../../ctap2/ctap1/apdu.js';
import { CTAP2_COMMANDS, U2F_COMMANDS } from './rule.js';

export interface RequestFacts {
  /** A CTAP2 command's short name, a CTAPHID message's name, or '' for one unknown. */
  command: string;
  rpId?: string;
  /** U2F names no RP, only SHA-256 of its appId (the application parameter), in hex. */
  rpIdHash?: string;
  /** base64url credential IDs the request or its response names. */
  credentialIds: string[];
}

const NAME_OF = new Map<number, string>(Object.entries(CTAP2_COMMANDS).map(([k, v]) => [v, k]));
NAME_OF.set(Command.authenticatorCredentialManagementPreview, 'credentialManagement');

const asMap = (v: CborValue | undefined): CborMap | undefined => (v instanceof Map ? v : undefined);

function allowListIds(list: CborValue | undefined): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((d) => {
    const id = asMap(d)?.get('id');
    return id instanceof Uint8Array ? [toBase64url(id)] : [];
  });
}

export function requestFacts(request: Uint8Array): RequestFacts {
  const command = NAME_OF.get(request[0] ?? -1) ?? '';
  const facts: RequestFacts = { command, credentialIds: [] };
  let params: CborMap | undefined;
  try {
    params = request.length > 1 ? asMap(decodeCbor(request.subarray(1))) : undefined;
  } catch {
    return facts;
  }
  if (command === 'getAssertion') {
    const rpId = params?.get(GetAssertionKey.rpId);
    if (typeof rpId === 'string') facts.rpId = rpId;
    facts.credentialIds = allowListIds(params?.get(GetAssertionKey.allowList));
  } else if (command === 'makeCredential') {
    const rpId = asMap(params?.get(MakeCredentialKey.rp))?.get('id');
    if (typeof rpId === 'string') facts.rpId = rpId;
  }
  return facts;
}

/** What a rule can match in a U2F APDU: the instruction by name, the application parameter, the key handle (§4.1, §5.1). */
export function apduFacts(apdu: Uint8Array): RequestFacts {
  let parsed: { ins: number; data: Uint8Array };
  try {
    parsed = parseApdu(apdu);
  } catch {
    return { command: '', credentialIds: [] };
  }
  const { ins, data } = parsed;
  const command = Object.keys(U2F_COMMANDS).find((k) => U2F_COMMANDS[k] === ins) ?? '';
  const facts: RequestFacts = { command, credentialIds: [] };
  if (command !== '' && data.length >= 64) facts.rpIdHash = toHex(data.subarray(32, 64));
  if (ins === Ins.AUTHENTICATE && data.length > 65) facts.credentialIds = [toBase64url(data.subarray(65, 65 + data[64]!))];
  return facts;
}

/** The credential a successful response is about: the assertion's, or the new one in authData. */
export function responseCredentialId(command: string, body: CborMap): string | undefined {
  if (command === 'getAssertion' || command === 'getNextAssertion') {
    const id = asMap(body.get(GetAssertionResponseKey.credential))?.get('id');
    return id instanceof Uint8Array ? toBase64url(id) : undefined;
  }
  if (command !== 'makeCredential') return undefined;
  const authData = body.get(MakeCredentialResponseKey.authData);
  // WebAuthn §6.5.1: rpIdHash 32, flags 1, signCount 4, aaguid 16, then the ID's length and the ID.
  if (!(authData instanceof Uint8Array) || authData.length < 55) return undefined;
  const length = (authData[53]! << 8) | authData[54]!;
  return toBase64url(authData.subarray(55, 55 + length));
}
