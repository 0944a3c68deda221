// `ctap-emu info`: a key's authenticatorGetInfo, for people or as JSON.
import type { AuthenticatorInfo } from '../client/ctap2.js';
import { formatUuid } from '../util/bytes.js';
import { printJson, withKey, type KeyOptions } from './common.js';

export function describeInfo(info: AuthenticatorInfo): Record<string, unknown> {
  return {
    versions: info.versions,
    extensions: info.extensions,
    aaguid: formatUuid(info.aaguid),
    options: info.options,
    maxMsgSize: info.maxMsgSize,
    pinUvAuthProtocols: info.pinUvAuthProtocols,
    maxCredentialCountInList: info.maxCredentialCountInList,
    maxCredentialIdLength: info.maxCredentialIdLength,
    transports: info.transports,
    algorithms: info.algorithms.map((a) => a.alg),
    minPINLength: info.minPINLength,
    forcePINChange: info.forcePINChange,
    firmwareVersion: info.firmwareVersion,
    remainingDiscoverableCredentials: info.remainingDiscoverableCredentials,
    maxSerializedLargeBlobArray: info.maxSerializedLargeBlobArray,
    maxCredBlobLength: info.maxCredBlobLength,
    maxRPIDsForSetMinPINLength: info.maxRPIDsForSetMinPINLength,
    // CTAP 2.2 / 2.3
    attestationFormats: info.attestationFormats,
    uvCountSinceLastPinEntry: info.uvCountSinceLastPinEntry,
    longTouchForReset: info.longTouchForReset,
    encIdentifier: encrypted(info.encIdentifier),
    transportsForReset: info.transportsForReset,
    pinComplexityPolicy: info.pinComplexityPolicy,
    maxPINLength: info.maxPINLength,
    encCredStoreState: encrypted(info.encCredStoreState),
    authenticatorConfigCommands: info.authenticatorConfigCommands,
  };
}

/** The encrypted members are noise without the persistent token (a new IV each time): say only that they are there. */
const encrypted = (b: Uint8Array | undefined): string | undefined =>
  b && `${b.length} bytes, for the holder of the persistent token`;

export async function info(o: KeyOptions & { json?: boolean }): Promise<void> {
  const described = await withKey(o, async (ctap) => describeInfo(await ctap.getInfo()));
  if (o.json) return printJson(described);
  const width = Math.max(...Object.keys(described).map((k) => k.length));
  for (const [k, v] of Object.entries(described)) {
    if (v === undefined) continue;
    const shown = Array.isArray(v) ? v.join(', ')
      : typeof v === 'object' && v !== null ? Object.entries(v).map(([o, b]) => `${o}=${String(b)}`).join(' ')
        : String(v);
    process.stdout.write(`${k.padEnd(width)}  ${shown}\n`);
  }
}
