// A vendor's attestation material from PEM files: the certificates (the attestation certificate
// first, then intermediates, the root optionally last) and the attestation certificate's P-256
// private key (PKCS#8 or SEC1 PEM), as `serve --attestation-chain / --attestation-key` take them.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { AttestationChain } from '../ctap2/env.js';
import { oid } from '../ctap2/attestation/der.js';
import { Oid } from '../ctap2/attestation/x509.js';
import { fromBase64url, fromHex, toHex } from '../util/bytes.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** id-fido-gen-ce-aaguid's OID, then its extnValue: an OCTET STRING holding an OCTET STRING of 16 bytes. */
const AAGUID_EXTENSION = `${toHex(oid(Oid.fidoGenCeAaguid))}04120410`;

/** The AAGUID a certificate names (WebAuthn L3 §8.2.1), if it has the extension. */
export function certificateAaguid(der: Uint8Array): Uint8Array | undefined {
  const hex = toHex(der);
  const at = hex.indexOf(AAGUID_EXTENSION);
  return at < 0 ? undefined : fromHex(hex.slice(at + AAGUID_EXTENSION.length, at + AAGUID_EXTENSION.length + 32));
}

/** Why the material cannot be used; the message names the file, never the key. */
export class AttestationChainError extends Error {}

export function parseAttestationChain(certificatesPem: string, keyPem: string, names = { certificates: 'the certificates', key: 'the key' }): AttestationChain {
  const blocks = certificatesPem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new AttestationChainError(`${names.certificates}: no PEM certificate in it`);
  let certs: X509Certificate[];
  try {
    certs = blocks.map((b) => new X509Certificate(b));
  } catch (e) {
    throw new AttestationChainError(`${names.certificates}: not a certificate (${(e as Error).message})`);
  }
  let jwk: { crv?: string; d?: string };
  try {
    jwk = createPrivateKey(keyPem).export({ format: 'jwk' }) as { crv?: string; d?: string };
  } catch {
    throw new AttestationChainError(`${names.key}: not a PEM private key`);
  }
  if (jwk.crv !== 'P-256' || !jwk.d) throw new AttestationChainError(`${names.key}: not a P-256 key (packed attestation signs with ES256)`);
  const leaf = certs[0]!;
  if (leaf.publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1' || !leaf.checkPrivateKey(createPrivateKey(keyPem))) {
    throw new AttestationChainError(`${names.key} is not the key of the first certificate in ${names.certificates}`);
  }
  for (let i = 1; i < certs.length; i++) {
    if (!certs[i - 1]!.checkIssued(certs[i]!)) throw new AttestationChainError(`${names.certificates}: certificate ${i + 1} did not issue certificate ${i}`);
  }
  // x5c leaves the trust anchor out: a self-signed last certificate is the root an RP is given.
  const last = certs[certs.length - 1]!;
  const root = certs.length > 1 && last.checkIssued(last) ? last : undefined;
  const chain = root ? certs.slice(0, -1) : certs;
  return {
    privateKey: fromBase64url(jwk.d),
    certificates: chain.map((c) => new Uint8Array(c.raw)),
    root: root && new Uint8Array(root.raw),
  };
}
