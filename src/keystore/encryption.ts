// Keystore encryption at rest: a key derived from a passphrase with scrypt seals private keys and
// device secrets with AES-256-GCM, each bound to where it is stored and to everything stored beside it.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

export interface KdfParams {
  salt: Uint8Array;
  N: number;
  r: number;
  p: number;
}

/** scrypt cost: 2^15 x 8 x 1 is 32 MiB and about 0.1 s here, once per open. */
export function newKdfParams(): KdfParams {
  return { salt: new Uint8Array(randomBytes(16)), N: 2 ** 15, r: 8, p: 1 };
}

const VERSION = 1;
const CHECK = new TextEncoder().encode('ctap-emu keystore');

/** What a sealed value is bound to: a label, or the canonical encoding of a row's other columns. */
export type SealContext = string | Uint8Array;
const contextBytes = (c: SealContext): Buffer => (typeof c === 'string' ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength));

export class Sealer {
  /** MAC key for the sign counter, which changes on every assertion and so is not in the AEAD's AAD. */
  private readonly countKey: Buffer;

  private constructor(private readonly key: Buffer) {
    this.countKey = createHmac('sha256', key).update('ctap-emu keystore sign count').digest();
  }

  static derive(passphrase: string, params: KdfParams): Sealer {
    if (passphrase.length === 0) throw new RangeError('the passphrase is empty');
    const key = scryptSync(passphrase.normalize('NFC'), params.salt, 32, {
      N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024,
    });
    return new Sealer(key);
  }

  /** version || nonce(12) || ciphertext || tag(16); `context` is authenticated, not stored. */
  seal(plain: Uint8Array, context: SealContext): Uint8Array {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, nonce);
    c.setAAD(contextBytes(context));
    const body = Buffer.concat([c.update(plain), c.final()]);
    return new Uint8Array(Buffer.concat([Buffer.from([VERSION]), nonce, body, c.getAuthTag()]));
  }

  /** undefined when the key or the context is wrong, or the bytes were altered. */
  open(sealed: Uint8Array, context: SealContext): Uint8Array | undefined {
    if (sealed.length < 29 || sealed[0] !== VERSION) return undefined;
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 13));
      d.setAAD(contextBytes(context));
      d.setAuthTag(sealed.subarray(sealed.length - 16));
      return new Uint8Array(Buffer.concat([d.update(sealed.subarray(13, sealed.length - 16)), d.final()]));
    } catch {
      return undefined;
    }
  }

  /** HMAC-SHA256 binding a credential's sign counter to its ID: cheap enough for every assertion. */
  countMac(id: Uint8Array, signCount: number): Uint8Array {
    const n = Buffer.alloc(8);
    n.writeDoubleBE(signCount);
    return new Uint8Array(createHmac('sha256', this.countKey).update(encodeFields([id])).update(n).digest());
  }

  checkCountMac(id: Uint8Array, signCount: number, mac: Uint8Array | null): boolean {
    if (mac === null || mac.length !== 32) return false;
    return timingSafeEqual(this.countMac(id, signCount), mac);
  }

  /** A value stored beside the KDF parameters, to tell a wrong passphrase at open. */
  checkValue(): Uint8Array {
    return this.seal(CHECK, 'check');
  }

  verify(check: Uint8Array): boolean {
    const plain = this.open(check, 'check');
    return plain !== undefined && Buffer.from(plain).equals(Buffer.from(CHECK));
  }
}

/**
 * An unambiguous encoding of column values (type tag, length, bytes), used as the AAD that binds
 * a sealed private key to every other column of its row.
 */
export function encodeFields(values: readonly (string | number | bigint | Uint8Array | null)[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const v of values) {
    let tag: number;
    let body: Buffer;
    if (v === null) [tag, body] = [0, Buffer.alloc(0)];
    else if (v instanceof Uint8Array) [tag, body] = [1, Buffer.from(v)];
    else if (typeof v === 'string') [tag, body] = [2, Buffer.from(v, 'utf8')];
    else [tag, body] = [3, Buffer.from(String(v))];
    const head = Buffer.alloc(5);
    head[0] = tag;
    head.writeUInt32BE(body.length, 1);
    parts.push(head, body);
  }
  return new Uint8Array(Buffer.concat(parts));
}
