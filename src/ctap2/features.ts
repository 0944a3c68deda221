// What this key offers, by configuration (a device profile turns some off): which commands it
// answers, which extensions it honours, and which CTAP level its getInfo speaks for.
import type { CborMap } from '../ctap/cbor.js';
import { Command } from '../ctap/constants.js';
import { CRED_BLOB } from './extensions/credBlob.js';
import { LARGE_BLOB_KEY } from './extensions/largeBlobKey.js';
import type { AuthenticatorConfig } from './env.js';

/** Extensions this key implements, as getInfo lists them. */
export const EXTENSIONS = ['credProtect', 'hmac-secret', CRED_BLOB, LARGE_BLOB_KEY, 'minPinLength', 'hmac-secret-mc', 'thirdPartyPayment'] as const;

/**
 * Whether the key answers this CTAP2 command (config.commands absent: every one it has);
 * authenticatorBioEnrollment only on a sensor that enrolls fingers.
 */
export function commandEnabled(config: AuthenticatorConfig, command: number): boolean {
  if (command === Command.authenticatorBioEnrollment && !config.bioEnrollment) return false;
  return config.commands === undefined || config.commands.includes(command);
}

export function extensionsOf(config: AuthenticatorConfig): readonly string[] {
  return config.extensions ?? EXTENSIONS;
}

/** A request's extensions without those this key does not offer: an authenticator ignores what it does not support. */
export function offeredExtensions(config: AuthenticatorConfig, requested: CborMap): CborMap {
  if (config.extensions === undefined) return requested;
  const offered = new Set(config.extensions);
  return new Map([...requested].filter(([name]) => typeof name === 'string' && offered.has(name)));
}

/** The newest CTAP level getInfo speaks for: its members and options of later versions are left out. */
export function infoLevel(config: AuthenticatorConfig): '2.0' | '2.1' | '2.3' {
  const v = config.ctapVersions;
  if (v.includes('FIDO_2_3')) return '2.3';
  return v.includes('FIDO_2_1') || v.includes('FIDO_2_1_PRE') ? '2.1' : '2.0';
}

/** credentialManagement under its 2.1 number, and under the preview number only (a FIDO_2_1_PRE key). */
export function credMgmtOptions(config: AuthenticatorConfig): { credMgmt?: boolean; credentialMgmtPreview?: boolean } {
  const final = commandEnabled(config, Command.authenticatorCredentialManagement);
  const preview = commandEnabled(config, Command.authenticatorCredentialManagementPreview) && config.ctapVersions.includes('FIDO_2_1_PRE');
  return { credMgmt: final || undefined, credentialMgmtPreview: preview || undefined };
}
