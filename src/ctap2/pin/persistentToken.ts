// The persistent pinUvAuthToken (CTAP 2.2): asked for with the pcmr permission alone, it allows
// read-only credential management (getCredsMetadata, enumerateRPsBegin, enumerateCredentialsBegin)
// and nothing else, has no usage timers and survives power cycles, so a platform can show what a key
// holds without asking for the PIN each time. A PIN change (or a change forced by setMinPINLength)
// and authenticatorReset end it. getInfo's encIdentifier and encCredStoreState are encrypted under
// keys derived from it, so only its holder recognises the key and sees whether its credentials changed.
//
// Nothing secret is written: the token is KeyStore.deviceSecret('persistentToken', generation), and
// the store keeps the generation, which moves on when the token must end (reset makes a new master
// secret, hence new values for all of it). What is derived from a generation is kept in the session
// (getInfo answers both members every time; deriving them again made it several times slower).
import type { Crypto } from '../../ctap/crypto.js';
import type { AuthenticatorEnv, KeyStore } from '../env.js';
import type { PersistentTokenCache, Session } from '../session.js';
import { loadCount, saveCount } from './persistent.js';

const GENERATION = 'persistentTokenGeneration';
const BLOCK = 16;

interface Holder {
  env: AuthenticatorEnv;
  keys: KeyStore;
  crypto: Crypto;
  session: Session;
}


const generation = (d: Holder): number => loadCount(d.env, GENERATION);

const infoKey = (d: Holder, token: Uint8Array, label: Label): Uint8Array =>
  d.crypto.hkdfSha256(token, new Uint8Array(32), label, BLOCK);

function current(d: Holder): PersistentTokenCache {
  const g = generation(d);
  let c = d.session.persistentToken;
  if (c?.generation !== g) {
    const token = d.keys.deviceSecret('persistentToken', g);
    c = {
      generation: g,
      token,
      identifierKey: infoKey(d, token, 'encIdentifier'),
      stateKey: infoKey(d, token, 'encCredStoreState'),
      identifier: d.keys.deviceSecret('identifier', 0).subarray(0, BLOCK),
    };
    d.session.persistentToken = c;
  }
  return c;
}

/** The persistentPinUvAuthToken: 32 bytes, the same until it is ended. */
export function persistentToken(d: Holder): Uint8Array {
  return current(d).token;
}

/** resetPersistentPinUvAuthToken(): the token a host holds stops working (after a PIN change). */
export function endPersistentToken(d: Holder): void {
  saveCount(d.env, GENERATION, (generation(d) + 1) >>> 0);
}

type Label = 'encIdentifier' | 'encCredStoreState';

/**
 * CTAP 2.2 §6.4: iv || AES-128-CBC(key = HKDF-SHA-256(salt = 32 zero bytes, IKM = persistent
 * token, info = label, L = 16), iv, one block), with a new iv each time, so no two answers are alike.
 */
function encrypted(d: Holder, key: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const iv = d.env.randomBytes(BLOCK);
  const out = new Uint8Array(2 * BLOCK);
  out.set(iv);
  out.set(d.crypto.cbcEncrypt(key, iv, plaintext), BLOCK);
  return out;
}

/** encIdentifier (0x19): this key's 128-bit identifier, the same until a reset. */
export function encIdentifier(d: Holder): Uint8Array {
  const c = current(d);
  return encrypted(d, c.identifierKey, c.identifier);
}

/** encCredStoreState (0x1E, CTAP 2.3): a tag that moves whenever a discoverable credential is added or removed. */
export function encCredStoreState(d: Holder): Uint8Array {
  const c = current(d);
  const changes = d.env.store.changes();
  if (c.state?.changes !== changes) c.state = { changes, tag: d.keys.deviceSecret('credStoreState', changes).subarray(0, BLOCK) };
  return encrypted(d, c.stateKey, c.state.tag);
}
