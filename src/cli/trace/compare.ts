// What `trace replay` holds equal between a recorded answer and a replayed one. Deterministic parts
// (statuses, CTAPHID errors and versions, getInfo, RP ID hashes, flags, counters, user entities,
// AAGUIDs, COSE key types and algorithms, PIN retries) must be equal; parts that differ from key to
// key or run to run (signatures, credential IDs, public keys, attestation certificates, key
// agreement keys, tokens, encrypted members, largeBlobKeys, CTAPHID channel numbers) must only
// have the same shape: the same CBOR type, map keys and array lengths.
import { decodeCbor, type CborValue } from '../../ctap/cbor.js';
import { Command } from '../../ctap/constants.js';
import { statusName } from '../../ctap/status.js';
import { parseAuthData } from '../../client/authData.js';
import { HidCmd, hidCmdName, hidErrorName } from '../../hid/constants.js';
import { equalBytes } from '../../util/bytes.js';
import { show } from '../describe.js';

/**
 * exact: equal; shape: same type and structure; id: a credential ID (bytes; the pair is kept so
 * later requests name the replayed one); authData: parsed, each part by its rule; opaque: byte
 * strings by shape, the rest exact; a map: a rule per member (exact when not named).
 */
type Rule = 'exact' | 'shape' | 'id' | 'authData' | 'opaque' | { [member: string]: Rule };

const credentialRef: Rule = { id: 'id', type: 'exact' };
const assertion: Rule = { 1: credentialRef, 2: 'authData', 3: 'shape', 7: 'shape', 8: 'shape' };
const credMgmt: Rule = { 7: credentialRef, 8: 'opaque', 11: 'shape' };

/** Response members by command (CTAP 2.1 §6): the numbers of keys.ts. */
const RESPONSE_RULES: Record<number, Rule> = {
  [Command.authenticatorMakeCredential]: { 2: 'authData', 3: { sig: 'shape', x5c: 'shape' }, 5: 'shape', 6: 'shape' },
  [Command.authenticatorGetAssertion]: assertion,
  [Command.authenticatorGetNextAssertion]: assertion,
  [Command.authenticatorGetInfo]: { 0x19: 'shape', 0x1e: 'shape' }, // encIdentifier, encCredStoreState: a new IV each time
  [Command.authenticatorClientPIN]: { 1: 'shape', 2: 'shape' }, // keyAgreement, pinUvAuthToken
  [Command.authenticatorCredentialManagement]: credMgmt,
  [Command.authenticatorCredentialManagementPreview]: credMgmt,
  [Command.authenticatorLargeBlobs]: { 1: 'shape' }, // the array holds AES-GCM ciphertexts under fresh nonces
};

export interface Comparison {
  diffs: string[];
  /** Recorded credential IDs (and U2F key handles) and the replayed key's, pair by pair. */
  ids: [recorded: Uint8Array, replayed: Uint8Array][];
  /** A channel INIT gave out: the recorded number and the replayed one. */
  channel?: [recorded: number, replayed: number];
}

function shapeOf(v: CborValue): string {
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return `array(${v.length}) [${v.map(shapeOf).join(', ')}]`;
  if (v instanceof Map) return `map {${[...v].map(([k, x]) => `${k}: ${shapeOf(x)}`).join(', ')}}`;
  return v === null ? 'null' : typeof v;
}

function equalValues(a: CborValue, b: CborValue): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) return a instanceof Uint8Array && b instanceof Uint8Array && equalBytes(a, b);
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => equalValues(x, b[i]!));
  if (a instanceof Map || b instanceof Map) {
    return a instanceof Map && b instanceof Map && a.size === b.size && [...a].every(([k, x]) => b.has(k) && equalValues(x, b.get(k)!));
  }
  return a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));
}

function compareValue(path: string, rule: Rule, a: CborValue, b: CborValue, out: Comparison): void {
  const differ = (what: string, x: string, y: string): void => void out.diffs.push(`${path}${what}: recorded ${x}, replayed ${y}`);
  if (rule === 'exact') {
    if (!equalValues(a, b)) differ('', show(a), show(b));
  } else if (rule === 'shape') {
    if (shapeOf(a) !== shapeOf(b)) differ(' (shape)', shapeOf(a), shapeOf(b));
  } else if (rule === 'id') {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array)) return differ(' (a credential ID)', shapeOf(a), shapeOf(b));
    if (!equalBytes(a, b)) out.ids.push([a, b]);
  } else if (rule === 'authData') {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array)) return differ('', shapeOf(a), shapeOf(b));
    compareAuthData(path, a, b, out);
  } else if (rule === 'opaque') {
    if (a instanceof Uint8Array) return compareValue(path, 'shape', a, b, out);
    if (!(a instanceof Map && b instanceof Map)) return compareValue(path, 'exact', a, b, out);
    compareMap(path, Object.fromEntries([...new Set([...a.keys(), ...b.keys()])].map((k) => [String(k), 'opaque' as Rule])), a, b, out);
  } else {
    if (!(a instanceof Map && b instanceof Map)) return differ('', shapeOf(a), shapeOf(b));
    compareMap(path, rule, a, b, out);
  }
}

function compareMap(path: string, rules: { [member: string]: Rule }, a: Map<unknown, CborValue>, b: Map<unknown, CborValue>, out: Comparison): void {
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const at = `${path}.${String(k)}`;
    if (!a.has(k) || !b.has(k)) out.diffs.push(`${at}: ${a.has(k) ? 'recorded, not replayed' : 'replayed, not recorded'}`);
    else compareValue(at, rules[String(k)] ?? 'exact', a.get(k)!, b.get(k)!, out);
  }
}

function compareAuthData(path: string, a: Uint8Array, b: Uint8Array, out: Comparison): void {
  let x; let y;
  try {
    [x, y] = [parseAuthData(a), parseAuthData(b)];
  } catch (e) {
    return void out.diffs.push(`${path}: not authenticator data (${(e as Error).message})`);
  }
  compareValue(`${path}.rpIdHash`, 'exact', x.rpIdHash, y.rpIdHash, out);
  compareValue(`${path}.flags`, 'exact', x.flags, y.flags, out);
  compareValue(`${path}.signCount`, 'exact', x.signCount, y.signCount, out);
  if (x.attested && y.attested) {
    compareValue(`${path}.aaguid`, 'exact', x.attested.aaguid, y.attested.aaguid, out);
    compareValue(`${path}.credentialId`, 'id', x.attested.credentialId, y.attested.credentialId, out);
    compareValue(`${path}.credentialPublicKey`, 'opaque', x.attested.publicKey, y.attested.publicKey, out);
  }
  // Extension outputs: hmac-secret's and credBlob's bytes are secrets (zeros in the trace); flags and levels are not.
  if (x.extensions || y.extensions) compareValue(`${path}.extensions`, 'opaque', x.extensions ?? new Map(), y.extensions ?? new Map(), out);
}

function compareCbor(request: Uint8Array, a: Uint8Array, b: Uint8Array, out: Comparison): void {
  if (a[0] !== b[0]) return void out.diffs.push(`status: recorded ${statusName(a[0] ?? 0x7f)}, replayed ${statusName(b[0] ?? 0x7f)}`);
  let x: CborValue | undefined;
  let y: CborValue | undefined;
  try {
    x = a.length > 1 ? decodeCbor(a.subarray(1)) : undefined;
    y = b.length > 1 ? decodeCbor(b.subarray(1)) : undefined;
  } catch {
    if (!equalBytes(a, b)) out.diffs.push('body: not CBOR, and not the same bytes');
    return;
  }
  if (x === undefined || y === undefined) {
    if (x !== y) out.diffs.push(`body: ${x === undefined ? 'none recorded' : 'none replayed'}`);
    return;
  }
  compareValue('response', RESPONSE_RULES[request[0] ?? -1] ?? 'exact', x, y, out);
}

/** CTAP1/U2F (FIDO U2F Raw Message Formats v1.2 §4.3, §5.4): the status word exact; keys, handles, certificates, signatures by shape. */
function compareApdu(apdu: Uint8Array, a: Uint8Array, b: Uint8Array, out: Comparison): void {
  const sw = (r: Uint8Array): string => Buffer.from(r.subarray(-2)).toString('hex');
  if (sw(a) !== sw(b)) return void out.diffs.push(`status word: recorded ${sw(a)}, replayed ${sw(b)}`);
  if (sw(a) !== '9000') return;
  const ins = apdu[1];
  if (ins === 0x01 && a.length > 67 && b.length > 67) {
    // 0x05 || public key (65) || key handle length || key handle || certificate || signature
    compareValue('register.reserved', 'exact', a[0]!, b[0]!, out);
    compareValue('register.keyHandle', 'id', a.subarray(67, 67 + a[66]!), b.subarray(67, 67 + b[66]!), out);
  } else if (ins === 0x02 && a.length >= 7 && b.length >= 7) {
    compareValue('authenticate.userPresence', 'exact', a[0]!, b[0]!, out);
    compareValue('authenticate.counter', 'exact', a.subarray(1, 5), b.subarray(1, 5), out);
  } else if (!equalBytes(a, b)) out.diffs.push('response: not the same bytes');
}

/** A recorded answer and the replayed one, to the request (of command `cmd`) they answer. */
export function compareAnswers(request: { cmd: number; payload: Uint8Array }, a: { cmd: number; payload: Uint8Array }, b: { cmd: number; payload: Uint8Array }): Comparison {
  const out: Comparison = { diffs: [], ids: [] };
  const name = (m: { cmd: number; payload: Uint8Array }): string => m.cmd === HidCmd.ERROR ? `ERROR ${hidErrorName(m.payload[0] ?? 0x7f)}` : hidCmdName(m.cmd);
  if (a.cmd !== b.cmd || (a.cmd === HidCmd.ERROR && a.payload[0] !== b.payload[0])) {
    out.diffs.push(`answer: recorded ${name(a)}, replayed ${name(b)}`);
  } else if (a.cmd === HidCmd.INIT && a.payload.length >= 17 && b.payload.length >= 17) {
    compareValue('init.nonce', 'exact', a.payload.subarray(0, 8), b.payload.subarray(0, 8), out);
    compareValue('init.version', 'exact', a.payload.subarray(12, 17), b.payload.subarray(12, 17), out);
    const cid = (p: Uint8Array): number => new DataView(p.buffer, p.byteOffset).getUint32(8);
    out.channel = [cid(a.payload), cid(b.payload)];
  } else if (a.cmd === HidCmd.CBOR) {
    compareCbor(request.payload, a.payload, b.payload, out);
  } else if (a.cmd === HidCmd.MSG) {
    compareApdu(request.payload, a.payload, b.payload, out);
  } else if (!equalBytes(a.payload, b.payload)) {
    out.diffs.push(`${name(a)}: recorded ${show(a.payload)}, replayed ${show(b.payload)}`);
  }
  return out;
}
