// ctap-emu's library entry point.
export { VirtualAuthenticator, type VirtualAuthenticatorOptions } from './node/virtual.js';
export { WebAuthnClient, WebAuthnError, type HidConnectable, type WebAuthnClientOptions } from './client/webauthn.js';
export type * from './client/webauthnTypes.js';
export { Ctap2Client, type AuthenticatorInfo } from './client/ctap2.js';
export { parseAuthData, type ParsedAuthData } from './client/authData.js';
export { CtapHidHost, CtapHidError } from './hid/host.js';
export { CtapHidDevice } from './hid/device.js';
export type { ReportPipe } from './hid/pipe.js';
export { Authenticator } from './ctap2/authenticator.js';
export type { AuthenticatorEnv, AuthenticatorConfig, PresenceRequest, PresenceResult } from './ctap2/env.js';
export { CtapError, Status, statusName } from './ctap/status.js';
export { Command } from './ctap/constants.js';
export { MemoryStore } from './keystore/memory.js';
export { SqliteStore, KeystoreError } from './keystore/sqlite.js';
export type { CredentialStore, StoredCredential } from './keystore/types.js';
export type { PresencePolicy, PresenceCallback } from './node/presencePolicy.js';
