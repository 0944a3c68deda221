// U2F_AUTHENTICATE (FIDO U2F Raw Message Formats §5): check-only, enforce-user-presence and
// dont-enforce-user-presence-and-sign. Any ES256 credential of this key answers: a U2F key handle,
// or a CTAP2 credential whose RP ID hashes to the application parameter (CTAP 2.1 §10).
import { CredProtect } from '../../ctap/constants.js';
import { CoseAlg } from '../../ctap/cose.js';
import { concatBytes, equalBytes, utf8 } from '../../util/bytes.js';
import type { CommandContext } from '../context.js';
import { Ctap1Error, StatusWord, type Apdu } from './apdu.js';
import { takePresence } from './presence.js';
import { nextSignCount } from '../signCount.js';

/** §5.1 control byte (P1). */
export const Control = { checkOnly: 0x07, enforceUserPresence: 0x03, dontEnforceUserPresence: 0x08 } as const;
const USER_PRESENT = 0x01;

interface U2fCredential {
  privateKey: Uint8Array;
  /** Set for a discoverable credential: its counter is its own. */
  storedId?: Uint8Array;
}

/** The ES256 credential behind this key handle for this application, else undefined. */
function locate(ctx: CommandContext, application: Uint8Array, keyHandle: Uint8Array): U2fCredential | undefined {
  const stored = ctx.env.store.get(keyHandle);
  if (stored) {
    if (!equalBytes(ctx.crypto.sha256(utf8(stored.rpId)), application)) return undefined;
    // credProtect userVerificationRequired: U2F cannot verify the user.
    if (stored.alg !== CoseAlg.ES256 || stored.credProtect === CredProtect.userVerificationRequired) return undefined;
    return { privateKey: stored.privateKey, storedId: stored.id };
  }
  const secret = ctx.keys.openCredentialId(application, keyHandle);
  if (!secret || secret.discoverable || secret.alg !== CoseAlg.ES256) return undefined;
  if (secret.credProtect === CredProtect.userVerificationRequired) return undefined;
  return { privateKey: secret.privateKey };
}

function nextCounter(ctx: CommandContext, cred: U2fCredential, keyHandle: Uint8Array): number {
  const next = nextSignCount(ctx, keyHandle, cred.storedId !== undefined);
  if (next === undefined) throw new Ctap1Error(StatusWord.SW_WRONG_DATA, 'the credential is gone');
  return next;
}

export function authenticate(ctx: CommandContext, apdu: Apdu): Uint8Array {
  // §5.1: challenge (32), application (32), key handle length (1), key handle.
  const d = apdu.data;
  if (d.length < 65 || d.length !== 65 + d[64]!) throw new Ctap1Error(StatusWord.SW_WRONG_LENGTH, 'AUTHENTICATE length');
  const challenge = d.subarray(0, 32);
  const application = d.subarray(32, 64);
  const keyHandle = d.subarray(65);
  const control = apdu.p1;
  if (control !== Control.checkOnly && control !== Control.enforceUserPresence && control !== Control.dontEnforceUserPresence) {
    throw new Ctap1Error(StatusWord.SW_INCORRECT_P1P2, `control byte 0x${control.toString(16)}`);
  }
  // §5.2: a key handle not made by this key for this application is refused before any touch.
  const cred = locate(ctx, application, keyHandle);
  if (!cred) throw new Ctap1Error(StatusWord.SW_WRONG_DATA, 'not a key handle of this key for this application');
  // §5.1 check-only: "conditions not satisfied" is the answer that says the key handle is ours.
  if (control === Control.checkOnly) throw new Ctap1Error(StatusWord.SW_CONDITIONS_NOT_SATISFIED, 'key handle is valid');
  let flags = 0;
  if (control === Control.enforceUserPresence) {
    if (!takePresence(ctx, concatBytes(new Uint8Array([apdu.ins]), d), { command: 'ctap1' })) {
      throw new Ctap1Error(StatusWord.SW_CONDITIONS_NOT_SATISFIED, 'waiting for a touch');
    }
    flags = USER_PRESENT;
  }
  const counter = new Uint8Array(4);
  const next = nextCounter(ctx, cred, keyHandle);
  // A test's fault (faults.ts): another counter, signed as it is, so a host sees a valid signature over it.
  const fault = ctx.env.faults?.signing({ command: 'U2F_AUTHENTICATE', rpIdHash: application, credentialId: keyHandle });
  new DataView(counter.buffer).setUint32(0, fault?.signCount ?? next);
  // §5.4: the signature over application | user presence | counter | challenge.
  const head = concatBytes(new Uint8Array([flags]), counter);
  const signature = ctx.crypto.sign(CoseAlg.ES256, cred.privateKey, concatBytes(application, head, challenge));
  return concatBytes(head, signature);
}
