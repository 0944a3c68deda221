// Everything a command handler is given: the request's own context (channel, cancel, keepalive),
// the environment, the configuration, this power cycle's session, and settings read once per request.
import type { Crypto } from '../ctap/crypto.js';
import type { AuthenticatorConfig, AuthenticatorEnv, KeyStore, RequestContext } from './env.js';
import type { DeviceSettings } from './pin/persistent.js';
import type { Session } from './session.js';

export interface CommandContext extends RequestContext {
  env: AuthenticatorEnv;
  config: AuthenticatorConfig;
  session: Session;
  /** env.crypto, or the portable default: every computation of the key goes through it. */
  crypto: Crypto;
  /** The device's secrets: credential IDs, CredRandom, the PIN hash (the master secret stays inside). */
  keys: KeyStore;
  /** The persistent device settings, read from the store on first use in this request. */
  settings(): DeviceSettings;
}
