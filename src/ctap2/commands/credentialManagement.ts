// authenticatorCredentialManagement (CTAP 2.1 §6.8): list, delete and rename discoverable credentials.
import type { CborEncodable, CborMap } from '../../ctap/cbor.js';
import { coseKey } from '../../ctap/cose.js';
import type { CoseAlgorithm } from '../../ctap/cose.js';
import { asBytes, asDescriptor, asMap, asUint, optional, optionalName, required, type CredentialDescriptor } from '../../ctap/params.js';
import { Permission } from '../../ctap/permissions.js';
import { paramBytes, requireTokenMac } from '../pinUvAuth.js';
import type { CommandContext } from '../context.js';
import type { CredMgmtWalk } from '../session.js';
import { CtapError, Status } from '../../ctap/status.js';
import type { StoredCredential } from '../../keystore/types.js';
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

/** §6.8.2: a token with cm, MAC over subCommand || subCommandParams; `rpId` for RP-scoped subcommands. */
function authorize(ctx: CommandContext, req: CredMgmtRequest, rpId: string | null): void {
  const message = concatBytes(new Uint8Array([req.subCommand]), paramBytes(req.params));
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
    ...(total === undefined ? [] : [[R.totalCredentials, total] as [number, number]]),
  ]);
}

function startWalk(ctx: CommandContext, kind: CredMgmtWalk['kind'], items: Response[], totalKey: number): Response {
  if (items.length === 0) throw new CtapError(Status.CTAP2_ERR_NO_CREDENTIALS, `no ${kind}`);
  ctx.session.credMgmt = items.length > 1 ? { channel: ctx.channel, kind, items, index: 1 } : undefined;
  return new Map([...items[0]!, [totalKey, items.length]]);
}

function nextInWalk(ctx: CommandContext, kind: CredMgmtWalk['kind']): Response {
  const walk = ctx.session.credMgmt;
  if (!walk || walk.kind !== kind || walk.index >= walk.items.length) {
    throw new CtapError(Status.CTAP2_ERR_NOT_ALLOWED, `no ${kind} enumeration in progress`);
  }
  const item = walk.items[walk.index++]!;
  if (walk.index >= walk.items.length) ctx.session.credMgmt = undefined;
  return item;
}

function findById(ctx: CommandContext, req: CredMgmtRequest): { d: CredentialDescriptor; cred: StoredCredential | undefined } {
  const d = required(req.params ?? new Map(), CredMgmtParamKey.credentialID, asDescriptor, 'credentialID');
  return { d, cred: ctx.env.store.get(d.id) };
}

function rpsByHash(ctx: CommandContext): Map<string, StoredCredential[]> {
  const out = new Map<string, StoredCredential[]>();
  for (const c of ctx.env.store.list()) out.set(c.rpId, [...(out.get(c.rpId) ?? []), c]);
  return out;
}

export function credentialManagement(ctx: CommandContext, req: CredMgmtRequest): Response | void {
  const store = ctx.env.store;
  switch (req.subCommand) {
    case S.getCredsMetadata:
      authorize(ctx, req, null);
      return new Map([
        [R.existingResidentCredentialsCount, store.count()],
        [R.maxPossibleRemainingResidentCredentialsCount, Math.max(0, ctx.config.maxDiscoverableCredentials - store.count())],
      ]);
    case S.enumerateRPsBegin: {
      authorize(ctx, req, null);
      const rps = [...rpsByHash(ctx)].map(([rpId, creds]) => new Map<number, CborEncodable>([
        [R.rp, { id: rpId, name: creds.find((c) => c.rpName !== undefined)?.rpName }],
        [R.rpIDHash, ctx.crypto.sha256(utf8(rpId))],
      ]));
      return startWalk(ctx, 'rps', rps, R.totalRPs);
    }
    case S.enumerateRPsGetNextRP:
      return nextInWalk(ctx, 'rps');
    case S.enumerateCredentialsBegin: {
      const hash = required(req.params ?? new Map(), CredMgmtParamKey.rpIDHash, asBytes, 'rpIDHash');
      const rp = [...rpsByHash(ctx)].find(([rpId]) => equalBytes(ctx.crypto.sha256(utf8(rpId)), hash));
      authorize(ctx, req, rp?.[0] ?? null);
      return startWalk(ctx, 'credentials', (rp?.[1] ?? []).map((c) => credentialResponse(ctx, c)), R.totalCredentials);
    }
    case S.enumerateCredentialsGetNextCredential:
      return nextInWalk(ctx, 'credentials');
    case S.deleteCredential: {
      const { cred } = findById(ctx, req);
      authorize(ctx, req, cred?.rpId ?? null);
      if (!cred) throw new CtapError(Status.CTAP2_ERR_NO_CREDENTIALS, 'no such credential');
      store.delete(cred.id);
      ctx.crypto.forget?.(); // nothing of the deleted key stays in the crypto's memory
      return;
    }
    case S.updateUserInformation: {
      const { cred } = findById(ctx, req);
      const user = required(req.params ?? new Map(), CredMgmtParamKey.user, asMap, 'user');
      authorize(ctx, req, cred?.rpId ?? null);
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
