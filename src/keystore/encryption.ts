// Keystore encryption at rest: a key derived from a passphrase with scrypt seals private keys and
// device secrets with AES-256-GCM, each bound to where it is stored.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

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

export class Sealer {
  private constructor(private readonly key: Buffer) {}

  static derive(passphrase: string, params: KdfParams): Sealer {
    if (passphrase.length === 0) throw new RangeError('the passphrase is empty');
    const key = scryptSync(passphrase.normalize('NFC'), params.salt, 32, {
      N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024,
    });
    return new Sealer(key);
  }

  /** version || nonce(12) || ciphertext || tag(16); `context` is authenticated, not stored. */
  seal(plain: Uint8Array, context: string): Uint8Array {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, nonce);
    c.setAAD(Buffer.from(context));
    const body = Buffer.concat([c.update(plain), c.final()]);
    return new Uint8Array(Buffer.concat([Buffer.from([VERSION]), nonce, body, c.getAuthTag()]));
  }

  /** undefined when the key or the context is wrong, or the bytes were altered. */
  open(sealed: Uint8Array, context: string): Uint8Array | undefined {
    if (sealed.length < 29 || sealed[0] !== VERSION) return undefined;
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 13));
      d.setAAD(Buffer.from(context));
      d.setAuthTag(sealed.subarray(sealed.length - 16));
      return new Uint8Array(Buffer.concat([d.update(sealed.subarray(13, sealed.length - 16)), d.final()]));
    } catch {
      return undefined;
    }
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
