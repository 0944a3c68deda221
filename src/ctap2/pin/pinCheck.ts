// Decrypting and checking PINs for clientPIN (CTAP 2.1 §6.5.5.5-§6.5.5.7): the shared secret, the
// padded new PIN and its policy, and the hash comparison with its retry counters.
import type { CommandContext } from '../context.js';
import { CtapError, Status } from '../../ctap/status.js';
import { equalBytes } from '../../util/bytes.js';
import { loadPin, PIN_RETRIES_MAX, savePin, type PinRecord } from './persistent.js';
import { pinHash, type PinUvAuthProtocol } from '../../ctap/pinUvAuthProtocol.js';
import type { CborValue } from '../../ctap/cbor.js';

const MAX_PIN_BYTES = 63;
/** getInfo maxPINLength (CTAP 2.2): the bytes bound it first, so 63 code points is all a PIN can have. */
export const MAX_PIN_CODE_POINTS = MAX_PIN_BYTES;

/** decapsulate(): the shared secret with the platform's key agreement key. */
export function sharedSecret(ctx: CommandContext, p: PinUvAuthProtocol, platformKey: CborValue): Uint8Array {
  return p.sharedSecret(ctx.session.keyAgreement.get(p.version)!, platformKey);
}

export interface NewPin {
  hash: Uint8Array;
  codePoints: number;
}

/** The new PIN from newPinEnc: 64 bytes padded with zeros, at most 63 of PIN, enough code points. */
export function decryptNewPin(ctx: CommandContext, p: PinUvAuthProtocol, shared: Uint8Array, newPinEnc: Uint8Array, minLength: number): NewPin {
  if (newPinEnc.length !== p.newPinEncLength) throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, 'newPinEnc length');
  const padded = p.decrypt(shared, newPinEnc);
  if (!padded || padded.length !== 64) throw new CtapError(Status.CTAP1_ERR_INVALID_PARAMETER, 'newPinEnc');
  const end = padded.indexOf(0);
  if (end < 0 || end > MAX_PIN_BYTES) throw new CtapError(Status.CTAP2_ERR_PIN_POLICY_VIOLATION, 'PIN over 63 bytes');
  const pin = padded.subarray(0, end);
  let codePoints: number;
  try {
    codePoints = [...new TextDecoder('utf-8', { fatal: true }).decode(pin)].length;
  } catch {
    throw new CtapError(Status.CTAP2_ERR_PIN_POLICY_VIOLATION, 'PIN is not UTF-8');
  }
  if (codePoints < minLength) throw new CtapError(Status.CTAP2_ERR_PIN_POLICY_VIOLATION, `PIN shorter than ${minLength}`);
  return { hash: pinHash(ctx.crypto, pin), codePoints };
}

/** The stored PIN, unless there is none (PIN_NOT_SET) or it has no retries left (PIN_BLOCKED). */
export function currentPin(ctx: CommandContext): PinRecord {
  const pin = loadPin(ctx);
  if (!pin) throw new CtapError(Status.CTAP2_ERR_PIN_NOT_SET);
  if (pin.retries === 0) throw new CtapError(Status.CTAP2_ERR_PIN_BLOCKED);
  return pin;
}

/**
 * Compares pinHashEnc with the stored PIN (§6.5.5.7.2 steps 5-8). The spec spends a retry before
 * the comparison and gives it back on a match, so that no host learns of a mismatch the key has not
 * counted. Here the comparison runs first and the outcome is stored before any answer leaves: a
 * mismatch stores the spent retry, a match stores the full count only when retries were spent
 * before (a key cut off in between has answered nothing). A correct PIN at full retries, every
 * passkey sign-in, writes nothing. A mismatch also replaces the key agreement key, and the third in
 * a row blocks PIN use until the next power cycle.
 */
export function checkPinHash(ctx: CommandContext, p: PinUvAuthProtocol, shared: Uint8Array, pinHashEnc: Uint8Array): PinRecord {
  const pin = currentPin(ctx);
  if (ctx.session.pinAuthBlocked) throw new CtapError(Status.CTAP2_ERR_PIN_AUTH_BLOCKED, 'power-cycle the key');
  const hash = pinHashEnc.length === p.pinHashEncLength ? p.decrypt(shared, pinHashEnc) : undefined;
  if (!hash || !equalBytes(hash, pin.hash)) {
    pin.retries--;
    savePin(ctx, pin);
    ctx.session.regenerateKeyAgreement(p.version);
    ctx.session.pinMismatches++;
    if (pin.retries === 0) throw new CtapError(Status.CTAP2_ERR_PIN_BLOCKED, 'no PIN retries left');
    if (ctx.session.pinAuthBlocked) throw new CtapError(Status.CTAP2_ERR_PIN_AUTH_BLOCKED, 'three wrong PINs: power-cycle the key');
    throw new CtapError(Status.CTAP2_ERR_PIN_INVALID, `${pin.retries} retries left`);
  }
  ctx.session.pinMismatches = 0;
  if (pin.retries !== PIN_RETRIES_MAX) {
    pin.retries = PIN_RETRIES_MAX;
    savePin(ctx, pin);
  }
  if (ctx.config.builtInUv) ctx.session.uvCount.set(ctx.env, 0);
  return pin;
}
