// authenticatorMakeCredential (CTAP 2.1 §6.1): parse, handle, encode.
import type { CborEncodable, CborMap, CborValue } from '../../ctap/cbor.js';
import { AuthDataFlag } from '../../ctap/constants.js';
import { chooseAlgorithm } from '../algorithms.js';
import { backupFlags, encodeAuthData } from '../authData.js';
import { createCredential, locateCredential } from '../credentials.js';
import { attestationStatement, chooseFormat } from '../attestation/statement.js';
import { CRED_PROTECT, credProtectAllows, parseCredProtect } from '../extensions/credProtect.js';
import { HMAC_SECRET, parseHmacSecretCreate } from '../extensions/hmacSecret.js';
import { addRegistrationOutputs, parseRegistrationExtensions } from '../extensions/registration.js';
import { CRED_BLOB, credBlobToStore, parseCredBlobCreate } from '../extensions/credBlob.js';
import { LARGE_BLOB_KEY, newLargeBlobKey, parseLargeBlobKeyCreate } from '../extensions/largeBlobKey.js';
import {
  asArray, asBytes, asClientDataHash, asDescriptorList, asInt, asMap, asOptions, asText, asUint, optional, optionalName, required,
  type CredentialDescriptor,
} from '../../ctap/params.js';
import { Permission } from '../../ctap/permissions.js';
import { isProtected, pinIsSet } from '../pin/verification.js';
import { chooseUvMethod, collectPresence, pinUvAuthPreamble, uvInputOf, verifyUser } from '../pinUvAuth.js';
import { requireUserPresence } from '../presence.js';
import type { CommandContext } from '../context.js';
import type { StoredCredential } from '../../keystore/types.js';
import { CtapError, Status } from '../../ctap/status.js';
import { MakeCredentialKey, MakeCredentialResponseKey } from '../../ctap/keys.js';
import { faultedFlags } from '../faults.js';
import { nextSignCount } from '../signCount.js';
import { offeredExtensions } from '../features.js';

/** WebAuthn §5.4.3: a user handle is at most 64 bytes. */
const MAX_USER_ID = 64;

export interface MakeCredentialRequest {
  clientDataHash: Uint8Array;
  rp: { id: string; name?: string };
  user: { id: Uint8Array; name?: string; displayName?: string };
  /** Algorithms offered with type "public-key", in the RP's order of preference. */
  algorithms: number[];
  excludeList: CredentialDescriptor[];
  extensions: CborMap;
  options: Map<string, boolean>;
  pinUvAuthParam?: Uint8Array;
  pinUvAuthProtocol?: number;
  enterpriseAttestation?: number;
  attestationFormatsPreference?: string[];
}

function parseAlgorithms(v: CborValue): number[] {
  const algs: number[] = [];
  asArray(v, 'pubKeyCredParams').forEach((p, i) => {
    const m = asMap(p, `pubKeyCredParams[${i}]`);
    const alg = required(m, 'alg', asInt, `pubKeyCredParams[${i}].alg`);
    const type = required(m, 'type', asText, `pubKeyCredParams[${i}].type`);
    if (type === 'public-key') algs.push(alg);
  });
  return algs;
}

export function parseMakeCredential(p: CborMap): MakeCredentialRequest {
  const K = MakeCredentialKey;
  const rp = required(p, K.rp, asMap, 'rp');
  const user = required(p, K.user, asMap, 'user');
  const userId = required(user, 'id', asBytes, 'user.id');
  if (userId.length > MAX_USER_ID) throw new CtapError(Status.CTAP1_ERR_INVALID_LENGTH, 'user.id over 64 bytes');
  return {
    clientDataHash: required(p, K.clientDataHash, asClientDataHash, 'clientDataHash'),
    rp: { id: required(rp, 'id', asText, 'rp.id'), name: optionalName(rp, 'name', 'rp.name') },
    user: { id: userId, name: optionalName(user, 'name', 'user.name'), displayName: optionalName(user, 'displayName', 'user.displayName') },
    algorithms: required(p, K.pubKeyCredParams, (v) => parseAlgorithms(v), 'pubKeyCredParams'),
    excludeList: optional(p, K.excludeList, asDescriptorList, 'excludeList') ?? [],
    extensions: optional(p, K.extensions, asMap, 'extensions') ?? new Map(),
    options: optional(p, K.options, asOptions, 'options') ?? new Map(),
    pinUvAuthParam: optional(p, K.pinUvAuthParam, asBytes, 'pinUvAuthParam'),
    pinUvAuthProtocol: optional(p, K.pinUvAuthProtocol, asUint, 'pinUvAuthProtocol'),
    enterpriseAttestation: optional(p, K.enterpriseAttestation, asUint, 'enterpriseAttestation'),
    attestationFormatsPreference: optional(
      p,
      K.attestationFormatsPreference,
      (v, w) => asArray(v, w).map((f, i) => asText(f, `${w}[${i}]`)),
      'attestationFormatsPreference',
    ),
  };
}

/**
 * The new credential's creation time: now, or just after the RP's newest if the clock has not
 * moved past it (same millisecond, or a clock set back), so creation order and the newest-first
 * order of getAssertion (CTAP 2.1 §6.2.2 step 11) are one and the same.
 */
function creationTime(ctx: CommandContext, rpId: string): number {
  const [newest] = ctx.env.store.pageByRp(rpId, { limit: 1 });
  const now = ctx.env.now();
  return newest && newest.createdAt >= now ? newest.createdAt + 1 : now;
}

export async function makeCredential(ctx: CommandContext, req: MakeCredentialRequest): Promise<Map<number, CborEncodable | undefined>> {
  const presence = { command: 'makeCredential', rpId: req.rp.id, userName: req.user.name } as const;
  req.extensions = offeredExtensions(ctx.config, req.extensions);
  const uvInput = uvInputOf(Permission.mc, req.rp.id, presence, req);
  // Steps 1-2: the zero-length probe; the protocol of a pinUvAuthParam.
  await pinUvAuthPreamble(ctx, uvInput);
  // Step 3: the first algorithm the RP offers that this key has enabled (RS256: discoverable only).
  const alg = chooseAlgorithm(ctx, req.algorithms, req.options.get('rk') === true);
  if (alg === undefined) throw new CtapError(Status.CTAP2_ERR_UNSUPPORTED_ALGORITHM, 'no offered algorithm is supported');
  // Step 5: options. up=false makes no sense for a new credential.
  if (req.options.get('up') === false) throw new CtapError(Status.CTAP2_ERR_INVALID_OPTION, 'up=false');
  const rk = req.options.get('rk') === true;
  // CTAP 2.1 §6.1.2 step 5: rk on a key that cannot store credentials.
  if (rk && !ctx.config.residentKeys) throw new CtapError(Status.CTAP2_ERR_UNSUPPORTED_OPTION, 'no discoverable credentials on this key');
  // Steps 5-6: the uv option and alwaysUv.
  const method = chooseUvMethod(ctx, uvInput, true);
  // Steps 7-8 (makeCredUvNotRqd): a protected key makes discoverable credentials only for a verified user.
  if (method === 'none' && rk && isProtected(ctx)) {
    throw new CtapError(Status.CTAP2_ERR_PUAT_REQUIRED, 'a discoverable credential needs user verification');
  }
  // CTAP 2.0 §5.1 step 6: a key without makeCredUvNotRqd (a 2.0 or 2.1-preview profile) wants the PIN
  // once one is set, for any credential: PIN_REQUIRED (0x36, PUAT_REQUIRED since 2.1). Chromium then
  // registers over U2F instead.
  if (method === 'none' && !ctx.config.pinUvAuthToken && pinIsSet(ctx)) {
    throw new CtapError(Status.CTAP2_ERR_PUAT_REQUIRED, 'a PIN is set: this CTAP 2.0 key wants it for every credential');
  }
  // Step 9: enterprise attestation, before the user is asked for anything.
  const epAtt = enterpriseAttestation(ctx, req.enterpriseAttestation, req.rp.id);
  // Steps 10-11: the pinUvAuthToken, or built-in verification.
  const verification = await verifyUser(ctx, uvInput, method);
  const uv = verification.uv;

  const rpIdHash = ctx.session.rpIdHash(req.rp.id);
  const credProtect = parseCredProtect(req.extensions.get(CRED_PROTECT));
  const hmacSecret = parseHmacSecretCreate(req.extensions.get(HMAC_SECRET));
  const more = parseRegistrationExtensions(ctx, req.extensions, hmacSecret);
  const credBlob = credBlobToStore(parseCredBlobCreate(req.extensions.get(CRED_BLOB)), rk);
  const largeBlobKey = parseLargeBlobKeyCreate(req.extensions.get(LARGE_BLOB_KEY), rk) ? newLargeBlobKey(ctx) : undefined;

  // Step 12: excludeList. A match still asks for a touch, so a page cannot silently probe for keys,
  // unless the user already acted (a finger on the sensor, or the token's user-present flag).
  for (const d of req.excludeList) {
    if (d.type !== 'public-key') continue;
    const found = locateCredential(ctx, req.rp.id, rpIdHash, d.id);
    if (found && credProtectAllows(found.credProtect, uv, true)) {
      if (!verification.userPresent) await requireUserPresence(ctx, { ...presence, probe: true });
      throw new CtapError(Status.CTAP2_ERR_CREDENTIAL_EXCLUDED, 'a credential in excludeList is on this key');
    }
  }

  // Steps 13-14: user presence (already had from a finger on the sensor).
  await collectPresence(ctx, verification, presence);

  // Step 17 (checked before anything is made): room in the store, unless this replaces a credential.
  let replaced: StoredCredential | undefined;
  if (rk) {
    replaced = ctx.env.store.findByUser(req.rp.id, req.user.id);
    if (!replaced && ctx.env.store.count() >= ctx.config.maxDiscoverableCredentials) {
      throw new CtapError(Status.CTAP2_ERR_KEY_STORE_FULL, 'no room for another discoverable credential');
    }
  }

  // Steps 16-17: the credential, stored when discoverable.
  const cred = createCredential(ctx, { alg, rpIdHash, credProtect, hmacSecret, thirdPartyPayment: more.thirdPartyPayment, discoverable: rk });
  let signCount = 0;
  // A new credential is single-device and not backed up (WebAuthn §6.1.3) unless the key is set to
  // say otherwise (automation's defaults); automation may change a stored one's later.
  const backup = ctx.config.defaultBackup ?? { backupEligibility: false, backupState: false };
  if (rk) {
    ctx.env.store.put({
      id: cred.id,
      rpId: req.rp.id,
      rpName: req.rp.name,
      userId: req.user.id,
      userName: req.user.name,
      userDisplayName: req.user.displayName,
      alg: alg,
      privateKey: cred.privateKey,
      credProtect,
      hmacSecret,
      thirdPartyPayment: more.thirdPartyPayment,
      credBlob,
      largeBlobKey,
      createdAt: creationTime(ctx, req.rp.id),
      signCount: 0,
      ...backup,
    });
    // The replaced credential's key may be among the signer's key objects: it goes with the credential.
    if (replaced) ctx.crypto.forget?.(replaced);
  } else {
    signCount = nextSignCount(ctx, cred.id, false)!; // under the key's counter model, as its assertions will be
  }

  // Step 15: extension outputs.
  const extensions = new Map<string, CborEncodable>();
  if (req.extensions.has(CRED_PROTECT)) extensions.set(CRED_PROTECT, credProtect);
  if (hmacSecret) extensions.set(HMAC_SECRET, true); // CredRandom is derived from the credential ID
  addRegistrationOutputs(ctx, more, { rpId: req.rp.id, credentialId: cred.id, uv }, extensions);
  if (req.extensions.has(CRED_BLOB)) extensions.set(CRED_BLOB, credBlob !== undefined);
  // Step 18: authenticator data (with a test's fault, if one is injected: signed as it is).
  const fault = ctx.env.faults?.signing({ command: 'makeCredential', rpId: req.rp.id, credentialId: cred.id });
  const authData = encodeAuthData({
    rpIdHash: fault?.rpIdHash ?? rpIdHash,
    flags: faultedFlags(AuthDataFlag.UP | (uv ? AuthDataFlag.UV : 0) | backupFlags(backup), fault),
    signCount,
    attested: { aaguid: ctx.config.aaguid, credentialId: cred.id, alg: alg, publicKey: cred.publicKey },
    extensions,
  });

  // Step 19: attestation: packed (basic, or self by configuration), or none where the platform prefers it.
  const fmt = chooseFormat(req.attestationFormatsPreference);
  const attStmt = attestationStatement(ctx, {
    fmt, authData, clientDataHash: req.clientDataHash, alg, privateKey: cred.privateKey, enterprise: epAtt,
  });
  const K = MakeCredentialResponseKey;
  return new Map<number, CborEncodable | undefined>([
    [K.fmt, fmt],
    [K.authData, authData],
    [K.attStmt, attStmt],
    [K.epAtt, epAtt ? true : undefined],
    [K.largeBlobKey, largeBlobKey],
  ]);
}

/**
 * Step 9 (CTAP 2.1 §7.1): enterprise attestation, signed by this key's enterprise certificate (even
 * when self attestation is configured) and flagged epAtt. 1 (vendor-facilitated): only for the RP IDs
 * the vendor configured (config.enterpriseRpIds), others get the usual attestation; 2
 * (platform-managed): the platform vouches for the RP.
 */
function enterpriseAttestation(ctx: CommandContext, requested: number | undefined, rpId: string): boolean {
  if (requested === undefined) return false;
  if (!ctx.config.enterpriseAttestation || !ctx.settings().enterpriseAttestation) {
    throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, 'enterprise attestation is not enabled');
  }
  if (requested !== 1 && requested !== 2) throw new CtapError(Status.CTAP2_ERR_INVALID_OPTION, 'enterpriseAttestation');
  return requested === 2 || ctx.config.enterpriseRpIds.includes(rpId);
}
