// authenticatorCredentialManagement (CTAP 2.1 §6.8): list, delete and rename discoverable credentials.
import type { CborEncodable, CborMap } from '../../ctap/cbor.js';
import { coseKey } from '../../ctap/cose.js';
import type { CoseAlgorithm } from '../../ctap/cose.js';
import { asBytes, asDescriptor, asMap, asUint, optional, optionalName, required, type CredentialDescriptor } from '../../ctap/params.js';
import { Permission } from '../../ctap/permissions.js';
import { paramBytes, requireTokenMac } from '../pinUvAuth.js';
import { persistentToken } from '../pin/persistentToken.js';
import { protocolFor, verifyMac } from '../../ctap/pinUvAuthProtocol.js';
import type { CommandContext } from '../context.js';
import type { CredMgmtWalk } from '../session.js';
import { CtapError, Status } from '../../ctap/status.js';
import type { CredentialPosition, StoredCredential } from '../../keystore/types.js';
import { concatBytes, equalBytes, utf8 } from '../../util/bytes.js';
import { CredMgmtKey, CredMgmtParamKey, CredMgmtResponseKey, CredMgmtSubCommand } from '../../ctap/keys.js';

export interface CredMgmtRequest {
  subCommand: number;
  params?: CborMap;
  pinUvAuthProtocol?: number;
  pinUvAuthParam?: Uint8Array;
}

export function parseCredentialManagement(p: CborMap): CredMgmtRequest {
  const K = CredMgmtKey;
  return {
    subCommand: required(p, K.subCommand, asUint, 'subCommand'),
    params: optional(p, K.subCommandParams, asMap, 'subCommandParams'),
    pinUvAuthProtocol: optional(p, K.pinUvAuthProtocol, asUint, 'pinUvAuthProtocol'),
    pinUvAuthParam: optional(p, K.pinUvAuthParam, asBytes, 'pinUvAuthParam'),
  };
}

type Response = Map<number, CborEncodable>;
const R = CredMgmtResponseKey;
const S = CredMgmtSubCommand;

/**
 * §6.8.2: a token with cm, MAC over subCommand || subCommandParams; `rpId` for RP-scoped
 * subcommands (null: key-wide, no RP-bound token; undefined: no RP to hold the token against).
 * The read-only ones also take the persistent token (pcmr, CTAP 2.2), any RP.
 */
function authorize(ctx: CommandContext, req: CredMgmtRequest, rpId: string | null | undefined, readOnly = false): void {
  const message = concatBytes(new Uint8Array([req.subCommand]), paramBytes(req.params));
  if (readOnly && req.pinUvAuthParam !== undefined && req.pinUvAuthProtocol !== undefined) {
    const protocol = protocolFor(req.pinUvAuthProtocol, ctx.crypto);
    if (verifyMac(protocol, persistentToken(ctx), message, req.pinUvAuthParam)) return;
  }
  requireTokenMac(ctx, req, message, Permission.cm, rpId ?? undefined);
  // Key-wide subcommands need a token not limited to one RP.
  if (rpId === null && ctx.session.token.rpId !== undefined) {
    throw new CtapError(Status.CTAP2_ERR_PIN_AUTH_INVALID, 'a token bound to one RP cannot list every RP');
  }
}

function credentialResponse(ctx: CommandContext, c: StoredCredential, total?: number): Map<number, CborEncodable> {
  return new Map<number, CborEncodable>([
    [R.user, { id: c.userId, name: c.userName, displayName: c.userDisplayName }],
    [R.credentialID, { id: c.id, type: 'public-key' }],
    [R.publicKey, coseKey(c.alg as CoseAlgorithm, ctx.crypto.publicKeyOf(c.alg as CoseAlgorithm, c.privateKey))],
    [R.credProtect, c.credProtect],
    ...(c.largeBlobKey ? [[R.largeBlobKey, c.largeBlobKey] as [number, Uint8Array]] : []),
    [R.thirdPartyPayment, c.thirdPartyPayment === true],
    ...(total === undefined ? [] : [[R.totalCredentials, total] as [number, number]]),
  ]);
}

function credentialsOf(ctx: CommandContext, rpId: string, after?: CredentialPosition): StoredCredential | undefined {
  return ctx.env.store.pageByRp(rpId, { after, limit: 1 })[0];
}

function rpAfter(ctx: CommandContext, after?: string): Response | undefined {
  const [rp] = ctx.env.store.rps(after, 1);
  if (!rp) return undefined;
  return new Map<number, CborEncodable>([
    [R.rp, { id: rp.rpId, name: ctx.env.store.rpName(rp.rpId) }],
    [R.rpIDHash, ctx.crypto.sha256(utf8(rp.rpId))],
  ]);
}

/** §6.8.3, §6.8.4: the first item and the total; a walk (bound to this channel) when more follow. */
function startWalk(ctx: CommandContext, walk: Omit<CredMgmtWalk, 'channel'>, first: Response | undefined, total: number, totalKey: number): Response {
  if (!first || total === 0) throw new CtapError(Status.CTAP2_ERR_NO_CREDENTIALS, `no ${walk.kind}`);
  ctx.session.credMgmt = walk.remaining > 0 ? { ...walk, channel: ctx.channel } : undefined;
  return new Map([...first, [totalKey, total]]);
}

/** The next item after the walk's position, fetched from the store (items deleted meanwhile are skipped). */
function nextInWalk(ctx: CommandContext, kind: CredMgmtWalk['kind']): Response {
  const walk = ctx.session.credMgmt;
  let item: Response | undefined;
  if (walk?.kind === kind && walk.remaining > 0) {
    if (walk.kind === 'rps') {
      item = rpAfter(ctx, walk.afterRp);
      if (item) walk.afterRp = (item.get(R.rp) as { id: string }).id;
    } else {
      const c = credentialsOf(ctx, walk.rpId!, walk.after);
      if (c) {
        walk.after = { createdAt: c.createdAt, id: c.id };
        item = credentialResponse(ctx, c);
      }
    }
  }
  if (!item) {
    ctx.session.credMgmt = undefined;
    throw new CtapError(Status.CTAP2_ERR_NOT_ALLOWED, `no ${kind} enumeration in progress`);
  }
  if (--walk!.remaining <= 0) ctx.session.credMgmt = undefined;
  return item;
}

function findById(ctx: CommandContext, req: CredMgmtRequest): { d: CredentialDescriptor; cred: StoredCredential | undefined } {
  const d = required(req.params ?? new Map(), CredMgmtParamKey.credentialID, asDescriptor, 'credentialID');
  return { d, cred: ctx.env.store.get(d.id) };
}

/** The RP whose ID hashes to `hash`: a pass over the RPs (not their credentials), as the store is keyed by ID. */
function rpByHash(ctx: CommandContext, hash: Uint8Array): string | undefined {
  const page = 256;
  for (let rps = ctx.env.store.rps(undefined, page); rps.length > 0; rps = ctx.env.store.rps(rps[rps.length - 1]!.rpId, page)) {
    const rp = rps.find((r) => equalBytes(ctx.crypto.sha256(utf8(r.rpId)), hash));
    if (rp) return rp.rpId;
  }
  return undefined;
}

export function credentialManagement(ctx: CommandContext, req: CredMgmtRequest): Response | void {
  const store = ctx.env.store;
  // A walk reads the store as it goes: any subcommand but its GetNext ends it (a deletion or rename
  // would otherwise change what the host was promised), as OpenSK does.
  if (req.subCommand !== S.enumerateRPsGetNextRP && req.subCommand !== S.enumerateCredentialsGetNextCredential) {
    ctx.session.credMgmt = undefined;
  }
  switch (req.subCommand) {
    case S.getCredsMetadata:
      authorize(ctx, req, null, true);
      return new Map([
        [R.existingResidentCredentialsCount, store.count()],
        [R.maxPossibleRemainingResidentCredentialsCount, Math.max(0, ctx.config.maxDiscoverableCredentials - store.count())],
      ]);
    case S.enumerateRPsBegin: {
      authorize(ctx, req, null, true);
      const total = store.rpCount();
      const first = rpAfter(ctx);
      const afterRp = first && (first.get(R.rp) as { id: string }).id;
      return startWalk(ctx, { kind: 'rps', afterRp, remaining: total - 1 }, first, total, R.totalRPs);
    }
    case S.enumerateRPsGetNextRP:
      return nextInWalk(ctx, 'rps');
    case S.enumerateCredentialsBegin: {
      const hash = required(req.params ?? new Map(), CredMgmtParamKey.rpIDHash, asBytes, 'rpIDHash');
      // CTAP 2.1 §6.8.4: a token bound to an RP is held against rpIDHash itself, so an RP with no
      // credentials (left) answers CTAP2_ERR_NO_CREDENTIALS below, not PIN_AUTH_INVALID.
      const bound = ctx.session.token.rpId;
      const rpId = rpByHash(ctx, hash) ?? (bound !== undefined && equalBytes(ctx.crypto.sha256(utf8(bound)), hash) ? bound : undefined);
      authorize(ctx, req, rpId ?? null, true);
      const total = rpId === undefined ? 0 : store.countByRp(rpId);
      const first = total > 0 ? credentialsOf(ctx, rpId!) : undefined;
      const after = first && { createdAt: first.createdAt, id: first.id };
      return startWalk(ctx, { kind: 'credentials', rpId, after, remaining: total - 1 }, first && credentialResponse(ctx, first), total, R.totalCredentials);
    }
    case S.enumerateCredentialsGetNextCredential:
      return nextInWalk(ctx, 'credentials');
    case S.deleteCredential: {
      const { cred } = findById(ctx, req);
      // §6.8.5: MAC and permission first; the token's RP is held against the credential's, so a
      // credential that is not there is NO_CREDENTIALS whatever RP the token is bound to.
      authorize(ctx, req, cred?.rpId);
      if (!cred) throw new CtapError(Status.CTAP2_ERR_NO_CREDENTIALS, 'no such credential');
      store.delete(cred.id);
      ctx.crypto.forget?.(cred); // nothing of the deleted key stays in the crypto's memory
      return;
    }
    case S.updateUserInformation: {
      const { cred } = findById(ctx, req);
      const user = required(req.params ?? new Map(), CredMgmtParamKey.user, asMap, 'user');
      authorize(ctx, req, cred?.rpId); // §6.8.6, as deleteCredential
      if (!cred) throw new CtapError(Status.CTAP2_ERR_NO_CREDENTIALS, 'no such credential');
      if (!equalBytes(required(user, 'id', asBytes, 'user.id'), cred.userId)) {
        throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, 'user.id differs from the credential');
      }
      // §6.8.7: absent fields are removed.
      store.put({ ...cred, userName: optionalName(user, 'name'), userDisplayName: optionalName(user, 'displayName') });
      return;
    }
    default:
      throw new CtapError(Status.CTAP2_ERR_INVALID_SUBCOMMAND, `credentialManagement subcommand ${req.subCommand}`);
  }
}
