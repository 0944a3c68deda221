// Spec numbers shared by the core, the CTAPHID layer and the host side.

/** CTAP 2.1 §6: authenticator API command bytes. */
export const Command = {
  authenticatorMakeCredential: 0x01,
  authenticatorGetAssertion: 0x02,
  authenticatorGetInfo: 0x04,
  authenticatorClientPIN: 0x06,
  authenticatorReset: 0x07,
  authenticatorGetNextAssertion: 0x08,
  authenticatorBioEnrollment: 0x09,
  authenticatorCredentialManagement: 0x0a,
  authenticatorSelection: 0x0b,
  authenticatorLargeBlobs: 0x0c,
  authenticatorConfig: 0x0d,
  /** The CTAP 2.1 preview number of credentialManagement; libfido2 (to 1.14 at least) sends only this. */
  authenticatorCredentialManagementPreview: 0x41,
} as const;

/** CTAPHID_KEEPALIVE status bytes (CTAP 2.1 §11.2.9.2.1). */
export const KeepaliveStatus = { PROCESSING: 1, UPNEEDED: 2 } as const;
export type KeepaliveStatusCode = (typeof KeepaliveStatus)[keyof typeof KeepaliveStatus];

/** WebAuthn §6.1 authenticator data flags. */
export const AuthDataFlag = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40, ED: 0x80 } as const;

/** credProtect levels (CTAP 2.1 §12.1). */
export const CredProtect = {
  userVerificationOptional: 1,
  userVerificationOptionalWithCredentialIDList: 2,
  userVerificationRequired: 3,
} as const;
