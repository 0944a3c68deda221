// CTAP2 requests and responses in readable form for `serve --verbose`, secrets redacted.
import { decodeCbor, type CborValue } from '../ctap/cbor.js';
import { Command } from '../ctap/constants.js';
import { commandName, subCommandName, u2fInstructionName } from '../ctap/names.js';
import { statusName } from '../ctap/status.js';
import { GetAssertionResponseKey } from '../ctap/keys.js';
import { ClientPinKey, ClientPinResponseKey } from '../ctap/keys.js';
import { ConfigKey } from '../ctap/keys.js';
import { CredMgmtKey, CredMgmtResponseKey } from '../ctap/keys.js';
import { GetAssertionKey } from '../ctap/keys.js';
import { GetInfoKey } from '../ctap/keys.js';
import { LargeBlobsKey, LargeBlobsResponseKey } from '../ctap/keys.js';
import { MakeCredentialKey, MakeCredentialResponseKey } from '../ctap/keys.js';
import { toHex } from '../util/bytes.js';
import { parseAuthData } from '../client/authData.js';

type KeyNames = Record<string, number>;
const SCHEMAS: Record<number, [request: KeyNames, response: KeyNames]> = {
  [Command.authenticatorMakeCredential]: [MakeCredentialKey, MakeCredentialResponseKey],
  [Command.authenticatorGetAssertion]: [GetAssertionKey, GetAssertionResponseKey],
  [Command.authenticatorGetNextAssertion]: [{}, GetAssertionResponseKey],
  [Command.authenticatorGetInfo]: [{}, GetInfoKey],
  [Command.authenticatorClientPIN]: [ClientPinKey, ClientPinResponseKey],
  [Command.authenticatorConfig]: [ConfigKey, {}],
  [Command.authenticatorCredentialManagement]: [CredMgmtKey, CredMgmtResponseKey],
  [Command.authenticatorCredentialManagementPreview]: [CredMgmtKey, CredMgmtResponseKey],
  // Named so that a write's pinUvAuthParam is redacted as every other (the large-blob array is ciphertext).
  [Command.authenticatorLargeBlobs]: [LargeBlobsKey, LargeBlobsResponseKey],
};

/** Members that carry PINs, keys, tokens or MACs: shown only as their length. */
const SECRET = new Set([
  'pinUvAuthParam', 'pinHashEnc', 'newPinEnc', 'keyAgreement', 'pinUvAuthToken', 'hmac-secret', 'largeBlobKey', 'credBlob',
]);

/** A CBOR value in short readable form (long byte strings cut). */
export function show(v: CborValue, depth = 0): string {
  if (v instanceof Uint8Array) return v.length <= 32 ? `h'${toHex(v)}'` : `h'${toHex(v.subarray(0, 16))}…' (${v.length} bytes)`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => show(x, depth + 1)).join(', ')}]`;
  if (v instanceof Map) return showMap(v, {}, depth, false);
  return String(v);
}

/** Receives each value shown as <redacted>: a trace blanks the same bytes in the reports it keeps. */
export type RedactedSink = (name: string, value: CborValue) => void;

/**
 * Extension outputs inside authenticator data that are secrets by the list above (credBlob,
 * hmac-secret): -v shows authData cut short, so never them; a trace keeping the bytes zeroes them.
 */
function authDataSecrets(authData: Uint8Array, sink: RedactedSink): void {
  let extensions: Map<string | number, CborValue> | undefined;
  try {
    extensions = parseAuthData(authData).extensions;
  } catch {
    return; // not authenticator data: nothing in it is named
  }
  for (const [k, x] of extensions ?? []) if (typeof k === 'string' && SECRET.has(k)) sink(k, x);
}

/** `redact`: this map's keys are CTAP members or extension identifiers, some of them secret. */
function showMap(m: Map<number | string, CborValue>, names: KeyNames, depth: number, redact: boolean, sink?: RedactedSink): string {
  const byNumber = new Map(Object.entries(names).map(([k, n]) => [n, k]));
  const parts = [...m].map(([k, v]) => {
    const name = typeof k === 'number' && depth === 0 ? (byNumber.get(k) ?? String(k)) : String(k);
    const secret = redact && SECRET.has(name);
    if (secret) sink?.(name, v);
    else if (sink && name === 'authData' && v instanceof Uint8Array) authDataSecrets(v, sink);
    const shown = secret ? `<redacted ${v instanceof Uint8Array ? `${v.length} bytes` : 'value'}>`
      : name === 'extensions' && v instanceof Map ? showMap(v, {}, depth + 1, true, sink)
        : show(v, depth + 1);
    return `${name}: ${shown}`;
  });
  return `{${parts.join(', ')}}`;
}

function body(bytes: Uint8Array, names: KeyNames, sink?: RedactedSink): string {
  if (bytes.length === 0) return '';
  try {
    const v = decodeCbor(bytes);
    return ` ${v instanceof Map ? showMap(v, names, 0, true, sink) : show(v)}`;
  } catch {
    return ` <${bytes.length} bytes, not CBOR>`;
  }
}

/** The request in words; `sink` hears each value the words leave out as a secret. */
export function describeRequest(request: Uint8Array, sink?: RedactedSink): string {
  const cmd = request[0] ?? -1;
  const sub = subCommandName(cmd, request.subarray(1));
  const name = `${commandName(cmd)}${sub === undefined ? '' : ` ${sub}`}`;
  return `-> ${name}${body(request.subarray(1), SCHEMAS[cmd]?.[0] ?? {}, sink)}`;
}

export function describeResponse(request: Uint8Array, response: Uint8Array, sink?: RedactedSink): string {
  return `<- ${statusName(response[0] ?? 0x7f)}${body(response.subarray(1), SCHEMAS[request[0] ?? -1]?.[1] ?? {}, sink)}`;
}

const U2F_CONTROL: Record<number, string> = { 0x03: 'enforce-user-presence', 0x07: 'check-only', 0x08: 'dont-enforce-user-presence' };

/** A CTAP1/U2F APDU (CTAPHID_MSG) for `serve -v`: the instruction, the control byte, the data length. */
export function describeApdu(apdu: Uint8Array): string {
  if (apdu.length < 4) return `-> MSG <${apdu.length} bytes, not an APDU>`;
  const ins = u2fInstructionName(apdu[1]!);
  const control = apdu[1] === 0x02 ? ` ${U2F_CONTROL[apdu[2]!] ?? `P1 0x${apdu[2]!.toString(16)}`}` : '';
  return `-> ${ins}${control} (${apdu.length} bytes)`;
}

/** The status word, and how much data came with it. */
export function describeApduResponse(response: Uint8Array): string {
  const n = response.length;
  const sw = n >= 2 ? toHex(response.subarray(n - 2)).toUpperCase() : '????';
  return `<- SW ${sw}${n > 2 ? ` (${n - 2} bytes)` : ''}`;
}
