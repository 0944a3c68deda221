// authenticatorGetAssertion (CTAP 2.1 §6.2): parse, handle, encode.
import type { CborEncodable, CborMap } from '../../ctap/cbor.js';
import { AuthDataFlag } from '../../ctap/constants.js';
import { assertionResponse } from '../assertion.js';
import { countDiscoverable, locateCredential, nextDiscoverable } from '../credentials.js';
import { credProtectAllows } from '../extensions/credProtect.js';
import { HMAC_SECRET, parseHmacSecretGet } from '../extensions/hmacSecret.js';
import { parseThirdPartyPayment, THIRD_PARTY_PAYMENT } from '../extensions/thirdPartyPayment.js';
import { GET_CRED_BLOB, parseGetCredBlob } from '../extensions/credBlob.js';
import { LARGE_BLOB_KEY, parseLargeBlobKey } from '../extensions/largeBlobKey.js';
import { asBytes, asClientDataHash, asDescriptorList, asMap, asOptions, asText, asUint, optional, required, type CredentialDescriptor } from '../../ctap/params.js';
import { Permission } from '../../ctap/permissions.js';
import { chooseUvMethod, collectPresence, pinUvAuthPreamble, uvInputOf, verifyUser } from '../pinUvAuth.js';
import type { CommandContext } from '../context.js';
import type { LocatedCredential } from '../session.js';
import { CtapError, Status } from '../../ctap/status.js';
import { GetAssertionKey } from '../../ctap/keys.js';
import { offeredExtensions } from '../features.js';

export interface GetAssertionRequest {
  rpId: string;
  clientDataHash: Uint8Array;
  allowList: CredentialDescriptor[];
  extensions: CborMap;
  options: Map<string, boolean>;
  pinUvAuthParam?: Uint8Array;
  pinUvAuthProtocol?: number;
}

export function parseGetAssertion(p: CborMap): GetAssertionRequest {
  const K = GetAssertionKey;
  return {
    rpId: required(p, K.rpId, asText, 'rpId'),
    clientDataHash: required(p, K.clientDataHash, asClientDataHash, 'clientDataHash'),
    allowList: optional(p, K.allowList, asDescriptorList, 'allowList') ?? [],
    extensions: optional(p, K.extensions, asMap, 'extensions') ?? new Map(),
    options: optional(p, K.options, asOptions, 'options') ?? new Map(),
    pinUvAuthParam: optional(p, K.pinUvAuthParam, asBytes, 'pinUvAuthParam'),
    pinUvAuthProtocol: optional(p, K.pinUvAuthProtocol, asUint, 'pinUvAuthProtocol'),
  };
}

export async function getAssertion(ctx: CommandContext, req: GetAssertionRequest): Promise<Map<number, CborEncodable>> {
  ctx.session.nextAssertion = undefined;
  const presence = { command: 'getAssertion', rpId: req.rpId } as const;
  req.extensions = offeredExtensions(ctx.config, req.extensions);
  const uvInput = uvInputOf(Permission.ga, req.rpId, presence, req);
  // Steps 1-2: the zero-length probe; the protocol of a pinUvAuthParam.
  await pinUvAuthPreamble(ctx, uvInput);
  // Step 3: options; rk means nothing in getAssertion.
  if (req.options.has('rk')) throw new CtapError(Status.CTAP2_ERR_UNSUPPORTED_OPTION, 'rk in getAssertion');
  const up = req.options.get('up') ?? true;
  // Steps 3-5: the uv option, and alwaysUv (step 5), which a silent up=false request is exempt from.
  const method = chooseUvMethod(ctx, uvInput, up);
  // Step 6: the pinUvAuthToken, or built-in verification.
  const verification = await verifyUser(ctx, uvInput, method);
  const uv = verification.uv;

  // Step 7: locate credentials, dropping those credProtect hides without uv. With an allowList the
  // first allowed one answers; without, the RP's newest, and how many there are.
  const rpIdHash = ctx.session.rpIdHash(req.rpId);
  const fromAllowList = req.allowList.length > 0;
  let first: LocatedCredential | undefined;
  let count = 0;
  if (fromAllowList) {
    for (const d of req.allowList) {
      if (d.type !== 'public-key') continue;
      const c = locateCredential(ctx, req.rpId, rpIdHash, d.id);
      if (c && credProtectAllows(c.credProtect, uv, true)) {
        first = c;
        count = 1;
        break;
      }
    }
  } else {
    count = countDiscoverable(ctx, req.rpId, uv);
    first = count > 0 ? nextDiscoverable(ctx, req.rpId, uv) : undefined;
  }
  // Step 8: extensions. hmac-secret's input is checked now; only credentials made with it answer.
  const hmacSecret = parseHmacSecretGet(ctx, req.extensions.get(HMAC_SECRET));
  const thirdPartyPayment = parseThirdPartyPayment(req.extensions.get(THIRD_PARTY_PAYMENT));
  const blobs = { getCredBlob: parseGetCredBlob(req.extensions.get(GET_CRED_BLOB)), largeBlobKey: parseLargeBlobKey(req.extensions.get(LARGE_BLOB_KEY)) };

  // Step 9: user presence, asked even when nothing matched so a page cannot probe silently.
  if (up) await collectPresence(ctx, verification, { ...presence, probe: first === undefined });
  if (first === undefined) throw new CtapError(Status.CTAP2_ERR_NO_CREDENTIALS, 'no credential for this RP');

  const flags = (up ? AuthDataFlag.UP : 0) | (uv ? AuthDataFlag.UV : 0);
  // Step 12: with an allowList, one credential; without, the newest, the rest for getNextAssertion.
  const walk = !fromAllowList && count > 1;
  const response = assertionResponse(ctx, first, {
    command: 'getAssertion',
    rpId: req.rpId,
    rpIdHash,
    clientDataHash: req.clientDataHash,
    flags,
    numberOfCredentials: walk ? count : undefined,
    hmacSecret,
    thirdPartyPayment,
    blobs,
  });
  if (walk) {
    ctx.session.nextAssertion = {
      channel: ctx.channel,
      rpIdHash,
      clientDataHash: req.clientDataHash,
      flags,
      hmacSecret,
      thirdPartyPayment,
      blobs,
      rpId: req.rpId,
      uv,
      after: { createdAt: first.stored!.createdAt, id: first.id },
      remaining: count - 1,
      lastAt: ctx.env.now(),
    };
  }
  return response;
}
