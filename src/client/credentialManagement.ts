// The host side of authenticatorCredentialManagement (python-fido2's CredentialManagement).
import type { CborEncodable, CborMap } from '../ctap/cbor.js';
import { encodeCbor } from '../ctap/cbor.js';
import { Command } from '../ctap/constants.js';
import { concatBytes } from '../util/bytes.js';
import { pinUvAuthParam, type PinUvAuthToken } from './clientPin.js';
import type { Ctap2Client } from './ctap2.js';

export interface ManagedRp {
  id: string;
  name?: string;
  rpIdHash: Uint8Array;
}

export interface ManagedCredential {
  user: { id: Uint8Array; name?: string; displayName?: string };
  credentialId: Uint8Array;
  publicKey: CborMap;
  credProtect?: number;
}

const Sub = { metadata: 1, rpsBegin: 2, rpsNext: 3, credsBegin: 4, credsNext: 5, delete: 6, update: 7 } as const;

export class CredentialManagement {
  /** `token` needs the cm permission. */
  constructor(
    private readonly ctap: Ctap2Client,
    private readonly token: PinUvAuthToken,
  ) {}

  private async call(sub: number, params?: Map<number, CborEncodable>, auth = true): Promise<CborMap> {
    const req = new Map<number, CborEncodable>([[0x01, sub]]);
    if (params) req.set(0x02, params);
    if (auth) {
      req.set(0x03, this.token.protocol.version);
      req.set(0x04, pinUvAuthParam(this.token, concatBytes(new Uint8Array([sub]), params ? encodeCbor(params) : new Uint8Array(0))));
    }
    return (await this.ctap.send(Command.authenticatorCredentialManagement, req)) ?? new Map();
  }

  async metadata(): Promise<{ existing: number; remaining: number }> {
    const m = await this.call(Sub.metadata);
    return { existing: m.get(0x01) as number, remaining: m.get(0x02) as number };
  }

  /** Every RP with discoverable credentials (an empty key answers NO_CREDENTIALS, returned as []). */
  async rps(): Promise<ManagedRp[]> {
    const first = await this.call(Sub.rpsBegin).catch(noCredentials);
    if (!first) return [];
    const out = [first];
    for (let i = 1; i < (first.get(0x05) as number); i++) out.push(await this.call(Sub.rpsNext, undefined, false));
    return out.map((m) => {
      const rp = m.get(0x03) as CborMap;
      return { id: rp.get('id') as string, name: rp.get('name') as string | undefined, rpIdHash: m.get(0x04) as Uint8Array };
    });
  }

  async credentials(rpIdHash: Uint8Array): Promise<ManagedCredential[]> {
    const first = await this.call(Sub.credsBegin, new Map([[0x01, rpIdHash]])).catch(noCredentials);
    if (!first) return [];
    const out = [first];
    for (let i = 1; i < (first.get(0x09) as number); i++) out.push(await this.call(Sub.credsNext, undefined, false));
    return out.map((m) => {
      const user = m.get(0x06) as CborMap;
      return {
        user: { id: user.get('id') as Uint8Array, name: user.get('name') as string | undefined, displayName: user.get('displayName') as string | undefined },
        credentialId: (m.get(0x07) as CborMap).get('id') as Uint8Array,
        publicKey: m.get(0x08) as CborMap,
        credProtect: m.get(0x0a) as number | undefined,
      };
    });
  }

  async delete(credentialId: Uint8Array): Promise<void> {
    await this.call(Sub.delete, new Map([[0x02, { id: credentialId, type: 'public-key' }]]));
  }

  async updateUser(credentialId: Uint8Array, user: { id: Uint8Array; name?: string; displayName?: string }): Promise<void> {
    await this.call(Sub.update, new Map<number, CborEncodable>([[0x02, { id: credentialId, type: 'public-key' }], [0x03, user]]));
  }
}

function noCredentials(e: unknown): undefined {
  if ((e as { status?: number }).status === 0x2e) return undefined;
  throw e;
}
