// What a running key tells its watchers (`key.on(...)`, GET /events, `ctap-emu ctl events`): names
// and members only, never a PIN, a token, a key or a MAC.
import type { PresenceRequest, PresenceResult, VerificationResult } from '../../ctap2/env.js';

/** Each event's members, by event name. */
export interface KeyEventMap {
  /** A CTAP2 command (or a U2F instruction) arrived on a CTAPHID channel. */
  request: { command: string; subCommand?: string; rpId?: string; channel: number };
  /** Its answer: a CTAP status name, or a U2F status word (SW_9000...). */
  response: { command: string; status: string; channel: number };
  /** The key waits for a touch ('presence') or a finger ('verification'). */
  'touch-asked': { kind: 'presence' | 'verification'; command: PresenceRequest['command']; rpId?: string; userName?: string };
  'touch-answered': {
    kind: 'presence' | 'verification'; command: PresenceRequest['command']; rpId?: string; result: PresenceResult | VerificationResult;
  };
  /** A credential made by makeCredential (or U2F register), or added through automation. */
  'credential-added': { credentialId: string; rpId?: string; signCount: number; discoverable?: boolean; source: 'ctap' | 'automation' };
  /** An assertion signed with it: signCount is the counter the assertion carries. */
  'credential-used': { credentialId: string; rpId?: string; signCount: number };
  'credential-deleted': { credentialId: string; rpId?: string; source: 'ctap' | 'automation' };
  /**
   * A credential changed in place, with what changed: its counter (setSignCount), its user's names
   * (setUser, or credentialManagement's updateUserInformation), its backup flags (setCredentialProperties).
   */
  'credential-updated': {
    credentialId: string; rpId?: string; source: 'ctap' | 'automation';
    signCount?: number; user?: { name?: string; displayName?: string }; backupEligibility?: boolean; backupState?: boolean;
  };
  'pin-set': Record<string, never>;
  'pin-changed': Record<string, never>;
  /** authenticatorReset, or reset() through automation: every credential and the PIN went. */
  reset: { source: 'ctap' | 'automation' };
  'power-cycle': Record<string, never>;
}

export type KeyEventName = keyof KeyEventMap;

/** One event as listeners and the stream see it: its name, when (ISO 8601), and its members. */
export type KeyEvent = { [E in KeyEventName]: { type: E; time: string } & KeyEventMap[E] }[KeyEventName];

/** The event named E. */
export type KeyEventOf<E extends KeyEventName> = Extract<KeyEvent, { type: E }>;

export const KEY_EVENT_NAMES: readonly KeyEventName[] = [
  'request', 'response', 'touch-asked', 'touch-answered', 'credential-added', 'credential-used', 'credential-deleted',
  'credential-updated', 'pin-set', 'pin-changed', 'reset', 'power-cycle',
];
