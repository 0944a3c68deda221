// Reading authenticator data on the host side (WebAuthn §6.1).
import { decodeCborPrefix, type CborMap } from '../ctap/cbor.js';
import { AuthDataFlag } from '../ctap/constants.js';

export interface ParsedAuthData {
  rpIdHash: Uint8Array;
  flags: number;
  up: boolean;
  uv: boolean;
  signCount: number;
  attested?: { aaguid: Uint8Array; credentialId: Uint8Array; publicKey: CborMap };
  extensions?: CborMap;
}

export function parseAuthData(data: Uint8Array): ParsedAuthData {
  if (data.length < 37) throw new Error('authenticator data shorter than 37 bytes');
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  const flags = data[32]!;
  const out: ParsedAuthData = {
    rpIdHash: data.slice(0, 32),
    flags,
    up: (flags & AuthDataFlag.UP) !== 0,
    uv: (flags & AuthDataFlag.UV) !== 0,
    signCount: view.getUint32(33),
  };
  let pos = 37;
  if (flags & AuthDataFlag.AT) {
    const aaguid = data.slice(pos, pos + 16);
    const idLength = view.getUint16(pos + 16);
    const credentialId = data.slice(pos + 18, pos + 18 + idLength);
    pos += 18 + idLength;
    const key = decodeCborPrefix(data.subarray(pos));
    if (!(key.value instanceof Map)) throw new Error('credential public key is not a COSE map');
    out.attested = { aaguid, credentialId, publicKey: key.value };
    pos += key.end;
  }
  if (flags & AuthDataFlag.ED) {
    const ext = decodeCborPrefix(data.subarray(pos));
    if (!(ext.value instanceof Map)) throw new Error('extensions are not a map');
    out.extensions = ext.value;
    pos += ext.end;
  }
  if (pos !== data.length) throw new Error('trailing bytes in authenticator data');
  return out;
}
