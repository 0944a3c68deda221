// Random bytes for the key, drawn from OpenSSL a block at a time: a request takes several small
// draws (nonces, seeds, IVs), and a call into OpenSSL for each costs more than the bytes. Bytes are
// wiped from the block as they are handed out, so what stays in memory is only what is not used yet.
import { randomFillSync } from 'node:crypto';

const BLOCK = 4096;
/** Larger draws go straight to OpenSSL. */
const DIRECT = 256;

export class RandomPool {
  private readonly block = new Uint8Array(BLOCK);
  private used = BLOCK;

  readonly take = (n: number): Uint8Array => {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('a byte count');
    if (n > DIRECT) return randomFillSync(new Uint8Array(n));
    if (this.used + n > BLOCK) {
      randomFillSync(this.block);
      this.used = 0;
    }
    const out = this.block.slice(this.used, this.used + n);
    this.block.fill(0, this.used, this.used + n);
    this.used += n;
    return out;
  };
}
