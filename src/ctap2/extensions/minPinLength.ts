// minPinLength extension (CTAP 2.1 §12.4): at makeCredential, the current minimum PIN length, told
// only to the RPs that authenticatorConfig setMinPINLength named (minPinLengthRPIDs, §6.11.4).
import type { CborValue } from '../../ctap/cbor.js';
import { asBool } from '../../ctap/params.js';
import type { CommandContext } from '../context.js';

export const MIN_PIN_LENGTH = 'minPinLength';

/** makeCredential input: `true` asks for the minimum; `false` is the same as absent. */
export function parseMinPinLength(v: CborValue | undefined): boolean {
  return v === undefined ? false : asBool(v, 'extensions.minPinLength');
}

/** The output for this RP: the minimum if the RP is on the list, else none (the extension is then left out). */
export function minPinLengthOutput(ctx: CommandContext, rpId: string): number | undefined {
  const settings = ctx.settings();
  return settings.minPinLengthRpIds.includes(rpId) ? settings.minPinLength : undefined;
}
