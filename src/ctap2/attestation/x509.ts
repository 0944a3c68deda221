// X.509 v3 certificates (RFC 5280) for P-256 keys signed with ECDSA-SHA256: the attestation CA and
// the batch certificate that WebAuthn L3 §8.2.1 asks packed attestation certificates to be.
import {
  bitString, boolean, explicit, NO_EXPIRY, octetString, oid, printableString, sequence, set, smallInteger, time, tlv,
  unsignedInteger, utf8String,
} from './der.js';

export const Oid = {
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  countryName: '2.5.4.6',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  /** id-fido-gen-ce-aaguid (WebAuthn L3 §8.2.1). */
  fidoGenCeAaguid: '1.3.6.1.4.1.45724.1.1.4',
} as const;

export interface DistinguishedName {
  /** ISO 3166 alpha-2. */
  C: string;
  O: string;
  OU?: string;
  CN: string;
  /** A device's own identifier (an enterprise attestation certificate names the one key it is in). */
  serialNumber?: string;
}

export interface CertificateInput {
  /** Positive, at most 20 bytes (RFC 5280 §4.1.2.2). */
  serial: Uint8Array;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore: number;
  /** Uncompressed P-256 point of the subject's key. */
  subjectPublicKey: Uint8Array;
  /** The issuer's key identifier (the subject's own for a self-signed certificate). */
  authorityKeyId: Uint8Array;
  subjectKeyId: Uint8Array;
  ca: boolean;
  /** Writes id-fido-gen-ce-aaguid. */
  aaguid?: Uint8Array;
}

function name(n: DistinguishedName): Uint8Array {
  const rdn = (type: string, value: Uint8Array): Uint8Array => set(sequence(oid(type), value));
  return sequence(
    rdn(Oid.countryName, printableString(n.C)),
    rdn(Oid.organizationName, utf8String(n.O)),
    ...(n.OU === undefined ? [] : [rdn(Oid.organizationalUnitName, utf8String(n.OU))]),
    rdn(Oid.commonName, utf8String(n.CN)),
    ...(n.serialNumber === undefined ? [] : [rdn(Oid.serialNumber, printableString(n.serialNumber))]),
  );
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** SubjectPublicKeyInfo of a P-256 key (RFC 5480). */
export function p256PublicKeyInfo(point: Uint8Array): Uint8Array {
  return sequence(sequence(oid(Oid.ecPublicKey), oid(Oid.prime256v1)), bitString(point));
}

function extensions(c: CertificateInput): Uint8Array {
  // keyUsage: keyCertSign and cRLSign (bits 5, 6) for a CA, digitalSignature (bit 0) otherwise.
  const keyUsage = c.ca ? tlv(0x03, new Uint8Array([0x01, 0x06])) : tlv(0x03, new Uint8Array([0x07, 0x80]));
  const list = [
    // §8.2.1: basicConstraints CA false; DER leaves the default FALSE out, so an empty SEQUENCE.
    extension(Oid.basicConstraints, true, c.ca ? sequence(boolean(true), smallInteger(0)) : sequence()),
    extension(Oid.keyUsage, true, keyUsage),
    extension(Oid.subjectKeyIdentifier, false, octetString(c.subjectKeyId)),
    extension(Oid.authorityKeyIdentifier, false, sequence(tlv(0x80, c.authorityKeyId))),
  ];
  // §8.2.1: the AAGUID as an OCTET STRING inside the extension's OCTET STRING, not critical.
  if (c.aaguid) list.push(extension(Oid.fidoGenCeAaguid, false, octetString(c.aaguid)));
  return explicit(3, sequence(...list));
}

/** The DER certificate; `sign` returns a DER ECDSA-SHA256 signature over the TBSCertificate. */
export function certificate(c: CertificateInput, sign: (tbs: Uint8Array) => Uint8Array): Uint8Array {
  const algorithm = sequence(oid(Oid.ecdsaWithSha256));
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(c.serial),
    algorithm,
    name(c.issuer),
    sequence(time(c.notBefore), NO_EXPIRY),
    name(c.subject),
    p256PublicKeyInfo(c.subjectPublicKey),
    extensions(c),
  );
  return sequence(tbs, algorithm, bitString(sign(tbs)));
}

/** RFC 7093 §2 method 1: the leftmost 160 bits of the SHA-256 of the public key. */
export function keyIdentifier(sha256: (b: Uint8Array) => Uint8Array, point: Uint8Array): Uint8Array {
  return sha256(point).slice(0, 20);
}
