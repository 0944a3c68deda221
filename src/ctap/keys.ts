// The CBOR member numbers of every command's request and response (CTAP 2.1 §6), named once for the
// key and the host alike.

export const HmacSecretKey = { keyAgreement: 0x01, saltEnc: 0x02, saltAuth: 0x03, pinUvAuthProtocol: 0x04 } as const;

export const GetAssertionResponseKey = {
  credential: 0x01,
  authData: 0x02,
  signature: 0x03,
  user: 0x04,
  numberOfCredentials: 0x05,
  userSelected: 0x06,
  largeBlobKey: 0x07,
} as const;

export const GetInfoKey = {
  versions: 0x01,
  extensions: 0x02,
  aaguid: 0x03,
  options: 0x04,
  maxMsgSize: 0x05,
  pinUvAuthProtocols: 0x06,
  maxCredentialCountInList: 0x07,
  maxCredentialIdLength: 0x08,
  transports: 0x09,
  algorithms: 0x0a,
  maxSerializedLargeBlobArray: 0x0b,
  forcePINChange: 0x0c,
  minPINLength: 0x0d,
  firmwareVersion: 0x0e,
  maxCredBlobLength: 0x0f,
  maxRPIDsForSetMinPINLength: 0x10,
  preferredPlatformUvAttempts: 0x11,
  uvModality: 0x12,
  certifications: 0x13,
  remainingDiscoverableCredentials: 0x14,
  vendorPrototypeConfigCommands: 0x15,
  // CTAP 2.2
  attestationFormats: 0x16,
  uvCountSinceLastPinEntry: 0x17,
  longTouchForReset: 0x18,
  encIdentifier: 0x19,
  transportsForReset: 0x1a,
  pinComplexityPolicy: 0x1b,
  pinComplexityPolicyURL: 0x1c,
  maxPINLength: 0x1d,
  // CTAP 2.3
  encCredStoreState: 0x1e,
  authenticatorConfigCommands: 0x1f,
} as const;

export const CredMgmtKey = { subCommand: 0x01, subCommandParams: 0x02, pinUvAuthProtocol: 0x03, pinUvAuthParam: 0x04 } as const;

export const CredMgmtParamKey = { rpIDHash: 0x01, credentialID: 0x02, user: 0x03 } as const;

export const CredMgmtResponseKey = {
  existingResidentCredentialsCount: 0x01,
  maxPossibleRemainingResidentCredentialsCount: 0x02,
  rp: 0x03,
  rpIDHash: 0x04,
  totalRPs: 0x05,
  user: 0x06,
  credentialID: 0x07,
  publicKey: 0x08,
  totalCredentials: 0x09,
  credProtect: 0x0a,
  largeBlobKey: 0x0b,
  /** CTAP 2.2: made with the thirdPartyPayment extension. */
  thirdPartyPayment: 0x0c,
} as const;

export const GetAssertionKey = {
  rpId: 0x01,
  clientDataHash: 0x02,
  allowList: 0x03,
  extensions: 0x04,
  options: 0x05,
  pinUvAuthParam: 0x06,
  pinUvAuthProtocol: 0x07,
} as const;

export const MakeCredentialKey = {
  clientDataHash: 0x01,
  rp: 0x02,
  user: 0x03,
  pubKeyCredParams: 0x04,
  excludeList: 0x05,
  extensions: 0x06,
  options: 0x07,
  pinUvAuthParam: 0x08,
  pinUvAuthProtocol: 0x09,
  enterpriseAttestation: 0x0a,
  attestationFormatsPreference: 0x0b,
} as const;

export const MakeCredentialResponseKey = { fmt: 0x01, authData: 0x02, attStmt: 0x03, epAtt: 0x04, largeBlobKey: 0x05 } as const;

export const ConfigKey = { subCommand: 0x01, subCommandParams: 0x02, pinUvAuthProtocol: 0x03, pinUvAuthParam: 0x04 } as const;

export const SetMinPinLengthKey = { newMinPINLength: 0x01, minPinLengthRPIDs: 0x02, forceChangePin: 0x03 } as const;

export const ClientPinKey = {
  pinUvAuthProtocol: 0x01,
  subCommand: 0x02,
  keyAgreement: 0x03,
  pinUvAuthParam: 0x04,
  newPinEnc: 0x05,
  pinHashEnc: 0x06,
  permissions: 0x09,
  rpId: 0x0a,
} as const;

export const ClientPinResponseKey = {
  keyAgreement: 0x01,
  pinUvAuthToken: 0x02,
  pinRetries: 0x03,
  powerCycleState: 0x04,
  uvRetries: 0x05,
} as const;

export const CredMgmtSubCommand = {
  getCredsMetadata: 0x01,
  enumerateRPsBegin: 0x02,
  enumerateRPsGetNextRP: 0x03,
  enumerateCredentialsBegin: 0x04,
  enumerateCredentialsGetNextCredential: 0x05,
  deleteCredential: 0x06,
  updateUserInformation: 0x07,
} as const;

export const ConfigSubCommand = {
  enableEnterpriseAttestation: 0x01,
  toggleAlwaysUv: 0x02,
  setMinPINLength: 0x03,
  /** CTAP 2.3 */
  enableLongTouchForReset: 0x04,
  vendorPrototype: 0xff,
} as const;

export const ClientPinSubCommand = {
  getPINRetries: 0x01,
  getKeyAgreement: 0x02,
  setPIN: 0x03,
  changePIN: 0x04,
  getPinToken: 0x05,
  getPinUvAuthTokenUsingUvWithPermissions: 0x06,
  getUVRetries: 0x07,
  getPinUvAuthTokenUsingPinWithPermissions: 0x09,
} as const;

/** authenticatorBioEnrollment (CTAP 2.1 §6.7) request members. */
export const BioEnrollmentKey = {
  modality: 0x01,
  subCommand: 0x02,
  subCommandParams: 0x03,
  pinUvAuthProtocol: 0x04,
  pinUvAuthParam: 0x05,
  getModality: 0x06,
} as const;

export const BioEnrollmentParamKey = { templateId: 0x01, templateFriendlyName: 0x02, timeoutMilliseconds: 0x03 } as const;

export const BioEnrollmentResponseKey = {
  modality: 0x01,
  fingerprintKind: 0x02,
  maxCaptureSamplesRequiredForEnroll: 0x03,
  templateId: 0x04,
  lastEnrollSampleStatus: 0x05,
  remainingSamples: 0x06,
  templateInfos: 0x07,
  maxTemplateFriendlyName: 0x08,
} as const;

/** A templateInfo of enumerateEnrollments. */
export const TemplateInfoKey = { templateId: 0x01, templateFriendlyName: 0x02 } as const;

export const BioEnrollmentSubCommand = {
  enrollBegin: 0x01,
  enrollCaptureNextSample: 0x02,
  cancelCurrentEnrollment: 0x03,
  enumerateEnrollments: 0x04,
  setFriendlyName: 0x05,
  removeEnrollment: 0x06,
  getFingerprintSensorInfo: 0x07,
} as const;

/** The one modality CTAP defines: fingerprint. */
export const BioModality = { fingerprint: 0x01 } as const;

/** lastEnrollSampleStatus values (CTAP 2.1 §6.7, CTAP2_ENROLL_FEEDBACK_*); the ones this sensor gives. */
export const EnrollFeedback = { fpGood: 0x00, fpPoorQuality: 0x07, noUserActivity: 0x0d } as const;

/** authenticatorLargeBlobs (CTAP 2.1 §6.10.2) request members. */
export const LargeBlobsKey = { get: 0x01, set: 0x02, offset: 0x03, length: 0x04, pinUvAuthParam: 0x05, pinUvAuthProtocol: 0x06 } as const;

export const LargeBlobsResponseKey = { config: 0x01 } as const;

/** An entry of the serialized large-blob array (CTAP 2.1 §6.10.3): a large-blob map. */
export const LargeBlobMapKey = { ciphertext: 0x01, nonce: 0x02, origSize: 0x03 } as const;
