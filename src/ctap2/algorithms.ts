// Which signature algorithms this key makes credentials with: the ones enabled in its
// configuration, in its order of preference, as getInfo lists them (CTAP 2.1 §6.4 algorithms).
import { CoseAlg, type CoseAlgorithm } from '../ctap/cose.js';
import { isSupportedAlgorithm, type Crypto } from '../ctap/crypto.js';
import type { CommandContext } from './context.js';

/**
 * Whether credentials of `alg` can be made with `discoverable` as asked. RS256 keys (PKCS#8, about
 * 1.2 KB) do not fit a sealed credential ID of sensible length, so RS256 credentials are always
 * discoverable ones, kept in the store, as on the platform authenticators (TPMs) that offer RS256.
 */
export function algorithmFits(alg: CoseAlgorithm, discoverable: boolean): boolean {
  return discoverable || alg !== CoseAlg.RS256;
}

/**
 * CTAP 2.1 §6.1.2 step 3: the first of the RP's algorithms (type "public-key", in its order) that
 * this key has enabled and that fits the credential asked for; undefined when there is none.
 */
export function chooseAlgorithm(ctx: CommandContext, offered: readonly number[], discoverable: boolean): CoseAlgorithm | undefined {
  const enabled = ctx.config.algorithms as readonly number[];
  return offered.find((a): a is CoseAlgorithm => enabled.includes(a) && algorithmFits(a as CoseAlgorithm, discoverable));
}

/** The configured list, checked: known algorithms, no repeats, at least one, each one `crypto` has. */
export function checkAlgorithms(algorithms: readonly number[], crypto: Crypto): void {
  if (algorithms.length === 0) throw new RangeError('algorithms must name at least one algorithm');
  if (new Set(algorithms).size !== algorithms.length) throw new RangeError('algorithms must not repeat');
  for (const alg of algorithms) {
    if (!isSupportedAlgorithm(alg)) throw new RangeError(`unknown algorithm ${alg}`);
    const has = crypto.supportsAlgorithm(alg);
    if (!has) throw new RangeError(`this crypto implementation has no ${alg === CoseAlg.RS256 ? 'RS256 (RSA needs OpenSSL: NodeCrypto)' : String(alg)}`);
  }
}
