// The JSON shapes of WebAuthn Level 3 (§5.1.8, §5.1.9...) that RP libraries produce and verify.

export type PrfInput = string | ArrayBufferView | ArrayBuffer;

/** AuthenticationExtensionsPRFValues (WebAuthn L3 §10.1.4). */
export interface PrfValues {
  first: PrfInput;
  second?: PrfInput;
}

/** Client extension inputs this client acts on; others are accepted and ignored. */
export interface ExtensionsInputJSON {
  credProps?: boolean;
  /**
   * WebAuthn PRF: `eval` inputs as base64url (the JSON form) or bytes (as RP libraries type them);
   * `evalByCredential` (get() only) keyed by base64url credential IDs from allowCredentials.
   */
  prf?: { eval?: PrfValues; evalByCredential?: Record<string, PrfValues> };
  credentialProtectionPolicy?: string;
  enforceCredentialProtectionPolicy?: boolean;
  /** create(): ask for the key's minimum PIN length (CTAP minPinLength; told only to RPs the key lists). */
  minPinLength?: boolean;
  /** Secure Payment Confirmation's `payment` (isPayment: CTAP thirdPartyPayment). */
  payment?: { isPayment?: boolean };
  /** CTAP credBlob at create(): base64url (the JSON form) or bytes. */
  credBlob?: PrfInput;
  /** get(): return the credential's credBlob. */
  getCredBlob?: boolean;
  /** WebAuthn L3 §10.1.5: support at create(); read or write (base64url or bytes) at get(). */
  largeBlob?: { support?: 'required' | 'preferred'; read?: boolean; write?: PrfInput };
}

export interface CredentialDescriptorJSON {
  id: string;
  type: string;
  transports?: string[];
}

export interface CreationOptionsJSON {
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  challenge: string;
  /** Empty: the browser's default, ES256 and RS256 (WebAuthn L3 §5.1.3 step 10). */
  pubKeyCredParams: { alg: number; type: string }[];
  timeout?: number;
  excludeCredentials?: CredentialDescriptorJSON[];
  authenticatorSelection?: {
    authenticatorAttachment?: string;
    /** 'required' | 'preferred' | 'discouraged' */
    residentKey?: string;
    requireResidentKey?: boolean;
    /** 'required' | 'preferred' | 'discouraged' */
    userVerification?: string;
  };
  /** 'none' | 'indirect' | 'direct' | 'enterprise' */
  attestation?: string;
  /** The RP's attestation statement formats, most preferred first (L3 §5.4); ignored with attestation "none". */
  attestationFormats?: string[];
  hints?: string[];
  extensions?: ExtensionsInputJSON;
}

export interface RequestOptionsJSON {
  challenge: string;
  timeout?: number;
  rpId?: string;
  allowCredentials?: CredentialDescriptorJSON[];
  /** 'required' | 'preferred' | 'discouraged' */
  userVerification?: string;
  extensions?: ExtensionsInputJSON;
}

/** A PublicKeyCredential's JSON form (toJSON()) around one kind of response. */
export interface PublicKeyCredentialJSON<R> {
  id: string;
  rawId: string;
  type: 'public-key';
  authenticatorAttachment: 'cross-platform';
  response: R;
  clientExtensionResults: Record<string, unknown>;
}

export type RegistrationResponseJSON = PublicKeyCredentialJSON<{
  clientDataJSON: string;
  attestationObject: string;
  authenticatorData: string;
  transports: string[];
  publicKeyAlgorithm: number;
  publicKey: string;
}>;

export type AuthenticationResponseJSON = PublicKeyCredentialJSON<{
  clientDataJSON: string;
  authenticatorData: string;
  signature: string;
  userHandle?: string;
}>;
