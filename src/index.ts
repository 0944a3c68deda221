// ctap-emu's library entry point: everything README's library section names. node-hid is loaded
// only when openNodeHid or listFidoDevices is called.
export { VirtualAuthenticator, type VirtualAuthenticatorOptions, type DevicePort, type KeyInfo } from './node/virtual.js';
export { createKeys, MAX_KEYS } from './node/keys.js';
export { plugIn, uhidUnavailable, type PlugInOptions, type PluggedKey } from './node/plugIn.js';
export { AutomationError, type CredentialJson } from './node/automation/credentialJson.js';
export type { FaultFired, FaultInfo } from './node/faults/faultSet.js';
export type { FaultRule, When as FaultWhen } from './node/faults/rule.js';
export { COUNTER_MODELS, type CounterModelName } from './ctap2/counterModel.js';
export type { CounterModelSpec } from './node/automation/counterModels.js';
export { PROFILES, profileNamed, type DeviceProfile } from './node/profiles/index.js';
export type { GetCredentialsOptions, UserNames } from './node/automation/credentials.js';
export type { KeyEvent, KeyEventMap, KeyEventName, KeyEventOf } from './node/events/types.js';
export type { KeyEventListener } from './node/events/emitter.js';
export type {
  PresenceCallback, PresenceDecision, PresencePolicy, VerificationCallback, VerificationPolicy,
} from './node/presencePolicy.js';
export { parsePresencePolicy } from './node/presencePolicy.js';

// The browser's part, and the host roles under it (python-fido2's layering); the clients compute
// with OpenSSL (node:crypto) unless given another Crypto.
export { WebAuthnClient, Ctap2Client, LargeBlobs, nodeCompression } from './node/clients.js';
export { WebAuthnError, type HidConnectable, type WebAuthnClientOptions, type WebAuthnErrorName } from './client/webauthn.js';
export type * from './client/webauthnTypes.js';
export {
  type Ctap2ClientOptions, type AssertionResponse, type AttestationResponse, type AuthenticatorInfo, type GetAssertionParams, type MakeCredentialParams,
  type LargeBlobsParams,
} from './client/ctap2.js';
export { ClientPin, PinPermission, pinUvAuthParam, type PinUvAuthToken } from './client/clientPin.js';
export { CredentialManagement, type ManagedCredential, type ManagedRp } from './client/credentialManagement.js';
export { BioEnrollment, supportsBioEnrollment, type EnrolledFinger, type SampleResult, type SensorInfo } from './client/bioEnrollment.js';
export { authenticatorConfig, ConfigSubCommand, setMinPinLengthParams, type SetMinPinLength } from './client/config.js';
export { hmacSecretSession, prfSalt, type HmacSecretSession } from './client/hmacSecret.js';
export type { Compression, LargeBlobsOptions } from './client/largeBlobs.js';
export { parseAuthData, type ParsedAuthData } from './client/authData.js';
export { coseToSpki } from './client/cose.js';

// CTAPHID, device and host sides, and the transports a host reaches keys through.
export { CtapHidHost, CtapHidError, type TransactOptions } from './hid/host.js';
export { CtapHidDevice } from './hid/device.js';
export type { ReportPipe } from './hid/pipe.js';
export { connectUdp, sendReboot, DEFAULT_UDP_HOST, DEFAULT_UDP_PORT } from './hid/udp.js';
export { openNodeHid, listFidoDevices, type FidoDeviceInfo } from './hid/nodehid.js';

// The crypto both sides take: OpenSSL through node:crypto, and the portable @noble one.
export { NodeCrypto, type NodeCryptoOptions } from './node/nodeCrypto.js';
export { nobleCrypto } from './ctap/nobleCrypto.js';
export type { Crypto, KeyAgreementKey } from './ctap/crypto.js';

// The core and the shared vocabulary.
export { Authenticator } from './ctap2/authenticator.js';
export type { AuthenticatorEnv, AuthenticatorConfig, PresenceRequest, PresenceResult, VerificationResult } from './ctap2/env.js';
export { CtapError, Status, statusName } from './ctap/status.js';
export { Command, CredProtect } from './ctap/constants.js';
export { Permission } from './ctap/permissions.js';

// Keystores.
export { MemoryStore } from './keystore/memory.js';
export { SqliteStore, KeystoreError, type SqliteStoreOptions } from './keystore/sqlite.js';
export type { CredentialStore, StoredCredential } from './keystore/types.js';
