// Random bytes drawn from the platform's CSPRNG (Web Crypto's getRandomValues: OpenSSL in Node) a
// block at a time, for the key and for the client: a ceremony takes several small draws (nonces,
// seeds, IVs), and a call for each costs more than the bytes. Bytes are wiped from the block as they
// are handed out, so what stays in memory is only what is not used yet.

const BLOCK = 4096; // getRandomValues fills at most 65,536 bytes a call
/** Larger draws go straight to the CSPRNG. */
const DIRECT = 256;

/** getRandomValues refuses more than 65,536 bytes at once: larger draws are filled in parts. */
function fill(b: Uint8Array): Uint8Array {
  for (let i = 0; i < b.length; i += 65536) globalThis.crypto.getRandomValues(b.subarray(i, i + 65536));
  return b;
}

export class RandomPool {
  private readonly block = new Uint8Array(BLOCK);
  private used = BLOCK;

  readonly take = (n: number): Uint8Array => {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('a byte count');
    if (n > DIRECT) return fill(new Uint8Array(n));
    if (this.used + n > BLOCK) {
      fill(this.block);
      this.used = 0;
    }
    const out = this.block.slice(this.used, this.used + n);
    this.block.fill(0, this.used, this.used + n);
    this.used += n;
    return out;
  };
}

/** The hosts' pool (client/): one per process, as a browser's is. */
export const hostRandom = new RandomPool().take;
