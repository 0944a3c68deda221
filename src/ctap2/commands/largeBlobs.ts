// authenticatorLargeBlobs (CTAP 2.1 §6.10): the serialized large-blob array, read and written in
// fragments. The array is opaque here but for its trailer, LEFT(SHA-256(contents), 16), checked
// before a write is committed; the entries are encrypted by the platform with largeBlobKeys.
import type { CborEncodable, CborMap } from '../../ctap/cbor.js';
import { asBytes, asUint, optional } from '../../ctap/params.js';
import { Permission } from '../../ctap/permissions.js';
import { LargeBlobsKey, LargeBlobsResponseKey } from '../../ctap/keys.js';
import { CtapError, Status } from '../../ctap/status.js';
import { LARGE_BLOB_TRAILER, largeBlobArrayContents, largeBlobsMacMessage, serializeLargeBlobArray } from '../../ctap/largeBlobArray.js';
import { isProtected } from '../pin/verification.js';
import { requireTokenMac } from '../pinUvAuth.js';
import type { CommandContext } from '../context.js';

/** getInfo maxSerializedLargeBlobArray (the spec's floor is 1024). */
export const MAX_SERIALIZED_LARGE_BLOB_ARRAY = 4096;

/** The store's meta entry holding the committed array; absent means the initial empty array. */
export const LARGE_BLOB_ARRAY_META = 'largeBlobArray';


export interface LargeBlobsRequest {
  get?: number;
  set?: Uint8Array;
  offset: number;
  length?: number;
  pinUvAuthParam?: Uint8Array;
  pinUvAuthProtocol?: number;
}

const invalid = (why: string): never => {
  throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, why);
};

export function parseLargeBlobs(p: CborMap): LargeBlobsRequest {
  const K = LargeBlobsKey;
  const req: LargeBlobsRequest = {
    get: optional(p, K.get, asUint, 'get'),
    set: optional(p, K.set, asBytes, 'set'),
    offset: optional(p, K.offset, asUint, 'offset') ?? invalid('offset is missing'),
    length: optional(p, K.length, asUint, 'length'),
    pinUvAuthParam: optional(p, K.pinUvAuthParam, asBytes, 'pinUvAuthParam'),
    pinUvAuthProtocol: optional(p, K.pinUvAuthProtocol, asUint, 'pinUvAuthProtocol'),
  };
  // Step 1: offset, and exactly one of get and set (a missing offset is INVALID_PARAMETER, not MISSING_PARAMETER).
  if ((req.get === undefined) === (req.set === undefined)) invalid('exactly one of get and set');
  return req;
}

/** The stored array, or the initial one: the empty CBOR array 0x80 and its trailer. */
export function storedLargeBlobArray(ctx: CommandContext): Uint8Array {
  return ctx.env.store.getMeta(LARGE_BLOB_ARRAY_META) ?? serializeLargeBlobArray(ctx.crypto, new Uint8Array([0x80]));
}

const maxFragmentLength = (ctx: CommandContext): number => ctx.config.maxMsgSize - 64;

export function largeBlobs(ctx: CommandContext, req: LargeBlobsRequest): Map<number, CborEncodable> | void {
  return req.get !== undefined ? get(ctx, req, req.get) : set(ctx, req, req.set!);
}

/** Step 2: a read of at most `length` bytes from `offset`. */
function get(ctx: CommandContext, req: LargeBlobsRequest, length: number): Map<number, CborEncodable> {
  if (req.length !== undefined) invalid('length is for set');
  if (req.pinUvAuthParam !== undefined || req.pinUvAuthProtocol !== undefined) invalid('a read takes no pinUvAuthParam');
  if (length > maxFragmentLength(ctx)) throw new CtapError(Status.CTAP1_ERR_INVALID_LENGTH, 'get is over maxFragmentLength');
  const array = storedLargeBlobArray(ctx);
  if (req.offset > array.length) invalid('offset is past the end of the array');
  return new Map([[LargeBlobsResponseKey.config, array.slice(req.offset, req.offset + length)]]);
}

/** Step 3: one fragment of a write; the last one commits the array if its trailer is right. */
function set(ctx: CommandContext, req: LargeBlobsRequest, fragment: Uint8Array): void {
  if (fragment.length > maxFragmentLength(ctx)) throw new CtapError(Status.CTAP1_ERR_INVALID_LENGTH, 'set is over maxFragmentLength');
  const session = ctx.session;
  if (req.offset === 0) {
    const length = req.length ?? invalid('the first fragment announces the length');
    if (length > MAX_SERIALIZED_LARGE_BLOB_ARRAY) throw new CtapError(Status.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL, `over ${MAX_SERIALIZED_LARGE_BLOB_ARRAY} bytes`);
    if (length < LARGE_BLOB_TRAILER + 1) invalid('an array is at least 17 bytes');
    // expectedLength, expectedNextOffset = 0: a new write replaces any pending one, and belongs to this channel.
    session.largeBlobWrite = { channel: ctx.channel, expectedLength: length, buffer: new Uint8Array(length), received: 0 };
  } else if (req.length !== undefined) {
    invalid('only the first fragment carries length');
  }
  const write = session.largeBlobWrite;
  if (!write || req.offset !== write.received) throw new CtapError(Status.CTAP1_ERR_INVALID_SEQ, 'offset is not where the write is');
  if (isProtected(ctx) || ctx.settings().alwaysUv) {
    // A MAC over the fragment's offset and hash, with a token that has lbw.
    requireTokenMac(ctx, req, largeBlobsMacMessage(ctx.crypto, req.offset, fragment), Permission.lbw);
  }
  if (req.offset + fragment.length > write.expectedLength) invalid('the fragment runs past the announced length');
  write.buffer.set(fragment, req.offset);
  write.received += fragment.length;
  if (write.received < write.expectedLength) return;
  session.largeBlobWrite = undefined;
  if (!largeBlobArrayContents(ctx.crypto, write.buffer)) {
    throw new CtapError(Status.CTAP2_ERR_INTEGRITY_FAILURE, 'the array does not end in LEFT(SHA-256(array), 16)');
  }
  // One setMeta: the new array is stored whole, or not at all.
  ctx.env.store.setMeta(LARGE_BLOB_ARRAY_META, write.buffer);
}
