// The key's attestation material: an attestation CA, and the batch certificate and the enterprise
// attestation certificate it signed (CTAP 2.1 §7.1: enterprise attestation may identify the one
// device, so its certificate names this key's serial number and has a key of its own), made on first
// need and kept in the store's factory meta, which authenticatorReset leaves alone, as a hardware
// key's attestation key burned in at manufacture survives a reset. Only a 32-byte seed is secret:
// both private keys are derived from it (HKDF) and never stored; the certificates are stored as made
// (ECDSA signatures are randomized, and an RP that trusts the CA needs the same bytes every time).
// A chain and key the user supplies (config.attestationChain) take the place of all of this.
import { CoseAlg } from '../../ctap/cose.js';
import type { Crypto } from '../../ctap/crypto.js';
import { FACTORY_META_PREFIX, type CredentialStore } from '../../keystore/types.js';
import { equalBytes, toHex } from '../../util/bytes.js';
import type { AuthenticatorConfig, AuthenticatorEnv } from '../env.js';
import { certificate, keyIdentifier, type DistinguishedName } from './x509.js';

const Meta = {
  seed: `${FACTORY_META_PREFIX}attestationSeed`,
  ca: `${FACTORY_META_PREFIX}attestationCa`,
  /** Each followed by .<AAGUID in hex>. */
  batch: `${FACTORY_META_PREFIX}attestationCert`,
  enterprise: `${FACTORY_META_PREFIX}enterpriseAttestationCert`,
} as const;
const Purpose = {
  ca: 'ctap-emu attestation CA key v1',
  batch: 'ctap-emu batch attestation key v1',
  enterprise: 'ctap-emu enterprise attestation key v1',
  serial: 'ctap-emu device serial number v1',
} as const;

/** Which certificate signs: the batch one (shared by every key of the model) or this key's enterprise one. */
export type AttestationKind = 'batch' | 'enterprise';
const ORGANIZATION = 'ctap-emu';
const DAY_MS = 86_400_000;

export interface AttestationMaterial {
  /** P-256 private key that signs attestation statements (ES256). */
  privateKey: Uint8Array;
  /** x5c: the attestation certificate first, then its chain without the trust anchor. */
  x5c: Uint8Array[];
  /** The trust anchor an RP is given (the CA certificate), when known. */
  root?: Uint8Array;
}

export interface AttestationDeps {
  store: CredentialStore;
  crypto: Crypto;
  config: Pick<AuthenticatorConfig, 'aaguid' | 'attestationChain'>;
  now(): number;
  randomBytes(n: number): Uint8Array;
}

function derivedKey(crypto: Crypto, seed: Uint8Array, purpose: string): Uint8Array {
  return crypto.generatePrivateKey(CoseAlg.ES256, crypto.hkdfSha256(seed, new Uint8Array(32), purpose, 48));
}

/** The material attestation signs with: the user's chain, else the generated batch (or enterprise) certificate. */
export function attestationMaterial(d: AttestationDeps, kind: AttestationKind = 'batch'): AttestationMaterial {
  const supplied = d.config.attestationChain;
  if (supplied) return { privateKey: supplied.privateKey, x5c: supplied.certificates, root: supplied.root };
  // Read each time (the seed and certificates live in the store only; the key derived from the
  // seed is kept beside it, below); a store reopened with another AAGUID gets a batch certificate naming it.
  const aaguid = toHex(d.config.aaguid);
  let seed = d.store.getMeta(Meta.seed);
  let ca = d.store.getMeta(Meta.ca);
  if (!seed || !ca) {
    seed = d.randomBytes(32);
    ca = makeCa(d, seed);
    // The certificate before the seed: a crash in between leaves no seed without its CA.
    d.store.setMeta(Meta.ca, ca);
    d.store.setMeta(Meta.seed, seed);
  }
  const certMeta = `${Meta[kind]}.${aaguid}`;
  let cert = d.store.getMeta(certMeta);
  if (!cert) {
    cert = makeLeaf(d, seed, kind);
    d.store.setMeta(certMeta, cert);
  }
  return { privateKey: signingKey(d, seed, kind), x5c: [cert], root: ca };
}

/**
 * The attestation keys derived so far, by store, with the seed each came from: every packed
 * registration signs with one, and deriving it (HKDF, then the scalar) cost more than the signature.
 * A store whose seed changed derives anew.
 */
const signingKeys = new WeakMap<CredentialStore, Map<AttestationKind, { seed: Uint8Array; key: Uint8Array }>>();

function signingKey(d: AttestationDeps, seed: Uint8Array, kind: AttestationKind): Uint8Array {
  let kept = signingKeys.get(d.store);
  if (!kept) signingKeys.set(d.store, (kept = new Map()));
  const hit = kept.get(kind);
  if (hit && equalBytes(hit.seed, seed)) return hit.key.slice();
  const key = derivedKey(d.crypto, seed, Purpose[kind]);
  kept.set(kind, { seed: seed.slice(), key: key.slice() });
  return key;
}

/** The material, for the key whose environment and configuration these are. */
export function attestationOf(
  k: { env: AuthenticatorEnv; crypto: Crypto; config: AuthenticatorConfig },
  kind: AttestationKind = 'batch',
): AttestationMaterial {
  return attestationMaterial({ store: k.env.store, crypto: k.crypto, config: k.config, now: k.env.now, randomBytes: k.env.randomBytes }, kind);
}

interface Ca {
  key: Uint8Array;
  id: Uint8Array;
  name: DistinguishedName;
}

function caOf(crypto: Crypto, seed: Uint8Array): Ca {
  const key = derivedKey(crypto, seed, Purpose.ca);
  const id = keyIdentifier(crypto.sha256, crypto.publicKeyOf(CoseAlg.ES256, key));
  return { key, id, name: { C: 'US', O: ORGANIZATION, CN: `ctap-emu Attestation CA ${toHex(id.subarray(0, 4))}` } };
}

/** The CA key signs only certificates, once each: neither its bytes nor the crypto's copy stay. */
function dropKey(crypto: Crypto, key: Uint8Array): void {
  crypto.forget?.({ alg: CoseAlg.ES256, privateKey: key });
  key.fill(0);
}

const signer = (crypto: Crypto, key: Uint8Array) => (tbs: Uint8Array) => crypto.sign(CoseAlg.ES256, key, tbs);
/** A day back, so a host whose clock is a little behind still finds the certificates valid. */
const notBefore = (d: AttestationDeps): number => d.now() - DAY_MS;

function makeCa(d: AttestationDeps, seed: Uint8Array): Uint8Array {
  const ca = caOf(d.crypto, seed);
  const point = d.crypto.publicKeyOf(CoseAlg.ES256, ca.key);
  const cert = certificate(
    { serial: serial(d), issuer: ca.name, subject: ca.name, notBefore: notBefore(d), subjectPublicKey: point, authorityKeyId: ca.id, subjectKeyId: ca.id, ca: true },
    signer(d.crypto, ca.key),
  );
  dropKey(d.crypto, ca.key);
  return cert;
}

/** This key's serial number: 16 hex digits derived from its seed, the same for its lifetime. */
function serialNumber(crypto: Crypto, seed: Uint8Array): string {
  return toHex(crypto.hkdfSha256(seed, new Uint8Array(32), Purpose.serial, 8)).toUpperCase();
}

function subjectOf(crypto: Crypto, seed: Uint8Array, kind: AttestationKind): DistinguishedName {
  // WebAuthn L3 §8.2.1: C, O, OU "Authenticator Attestation", CN.
  const base = { C: 'US', O: ORGANIZATION, OU: 'Authenticator Attestation' };
  if (kind === 'batch') return { ...base, CN: 'ctap-emu Batch Attestation' };
  return { ...base, CN: 'ctap-emu Enterprise Attestation', serialNumber: serialNumber(crypto, seed) };
}

function makeLeaf(d: AttestationDeps, seed: Uint8Array, kind: AttestationKind): Uint8Array {
  const ca = caOf(d.crypto, seed);
  const leafKey = derivedKey(d.crypto, seed, Purpose[kind]);
  const point = d.crypto.publicKeyOf(CoseAlg.ES256, leafKey);
  leafKey.fill(0);
  const cert = certificate(
    {
      serial: serial(d),
      issuer: ca.name,
      // WebAuthn L3 §8.2.1: CA false; the AAGUID extension.
      subject: subjectOf(d.crypto, seed, kind),
      notBefore: notBefore(d),
      subjectPublicKey: point,
      authorityKeyId: ca.id,
      subjectKeyId: keyIdentifier(d.crypto.sha256, point),
      ca: false,
      aaguid: d.config.aaguid,
    },
    signer(d.crypto, ca.key),
  );
  dropKey(d.crypto, ca.key);
  return cert;
}

/** 16 random bytes, top bit clear: a positive serial of at most 20 octets (RFC 5280 §4.1.2.2). */
function serial(d: AttestationDeps): Uint8Array {
  const s = d.randomBytes(16);
  s[0] = (s[0]! & 0x7f) | 0x01;
  return s;
}
