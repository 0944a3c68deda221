// The host side of authenticatorCredentialManagement (CTAP 2.1 §6.8; python-fido2's CredentialManagement).
import type { CborEncodable, CborMap } from '../ctap/cbor.js';
import { encodeCbor } from '../ctap/cbor.js';
import { Command } from '../ctap/constants.js';
import { CredMgmtKey, CredMgmtParamKey, CredMgmtResponseKey as R, CredMgmtSubCommand as Sub } from '../ctap/keys.js';
import { Status } from '../ctap/status.js';
import { concatBytes } from '../util/bytes.js';
import { pinUvAuthParam, type PinUvAuthToken } from './clientPin.js';
import { request, type Ctap2Client } from './ctap2.js';

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
  /** The credential's largeBlobKey, when it has one (CTAP 2.1 §6.8.3). */
  largeBlobKey?: Uint8Array;
  /** Made with the thirdPartyPayment extension (CTAP 2.2; absent from older keys). */
  thirdPartyPayment?: boolean;
}

type SubCommandParams = Partial<Record<keyof typeof CredMgmtParamKey, CborEncodable>>;

export class CredentialManagement {
  /** `token` needs the cm permission; a persistent one (pcmr, CTAP 2.2) reads but cannot delete or update. */
  constructor(
    private readonly ctap: Ctap2Client,
    private readonly token: PinUvAuthToken,
  ) {}

  /** CTAP 2.1 §6.8: pinUvAuthParam = authenticate(token, subCommand || subCommandParams); the *Next walks carry none. */
  private async call(subCommand: number, params?: SubCommandParams, auth = true): Promise<CborMap> {
    const subCommandParams = params && request(CredMgmtParamKey, params);
    const message = concatBytes(new Uint8Array([subCommand]), subCommandParams ? encodeCbor(subCommandParams) : new Uint8Array(0));
    const req = request(CredMgmtKey, {
      subCommand,
      subCommandParams,
      pinUvAuthProtocol: auth ? this.token.protocol.version : undefined,
      pinUvAuthParam: auth ? pinUvAuthParam(this.token, message) : undefined,
    });
    return (await this.ctap.send(Command.authenticatorCredentialManagement, req)) ?? new Map();
  }

  async metadata(): Promise<{ existing: number; remaining: number }> {
    const m = await this.call(Sub.getCredsMetadata);
    return { existing: m.get(R.existingResidentCredentialsCount) as number, remaining: m.get(R.maxPossibleRemainingResidentCredentialsCount) as number };
  }

  /** Every RP with discoverable credentials (an empty key answers NO_CREDENTIALS, returned as []). */
  async rps(): Promise<ManagedRp[]> {
    const first = await this.call(Sub.enumerateRPsBegin).catch(noCredentials);
    if (!first) return [];
    const out = [first];
    for (let i = 1; i < (first.get(R.totalRPs) as number); i++) out.push(await this.call(Sub.enumerateRPsGetNextRP, undefined, false));
    return out.map((m) => {
      const rp = m.get(R.rp) as CborMap;
      return { id: rp.get('id') as string, name: rp.get('name') as string | undefined, rpIdHash: m.get(R.rpIDHash) as Uint8Array };
    });
  }

  async credentials(rpIdHash: Uint8Array): Promise<ManagedCredential[]> {
    const first = await this.call(Sub.enumerateCredentialsBegin, { rpIDHash: rpIdHash }).catch(noCredentials);
    if (!first) return [];
    const out = [first];
    for (let i = 1; i < (first.get(R.totalCredentials) as number); i++) {
      out.push(await this.call(Sub.enumerateCredentialsGetNextCredential, undefined, false));
    }
    return out.map((m) => {
      const user = m.get(R.user) as CborMap;
      return {
        user: { id: user.get('id') as Uint8Array, name: user.get('name') as string | undefined, displayName: user.get('displayName') as string | undefined },
        credentialId: (m.get(R.credentialID) as CborMap).get('id') as Uint8Array,
        publicKey: m.get(R.publicKey) as CborMap,
        credProtect: m.get(R.credProtect) as number | undefined,
        largeBlobKey: m.get(R.largeBlobKey) as Uint8Array | undefined,
        thirdPartyPayment: m.get(R.thirdPartyPayment) as boolean | undefined,
      };
    });
  }

  async delete(credentialId: Uint8Array): Promise<void> {
    await this.call(Sub.deleteCredential, { credentialID: { id: credentialId, type: 'public-key' } });
  }

  async updateUser(credentialId: Uint8Array, user: { id: Uint8Array; name?: string; displayName?: string }): Promise<void> {
    await this.call(Sub.updateUserInformation, { credentialID: { id: credentialId, type: 'public-key' }, user });
  }
}

function noCredentials(e: unknown): undefined {
  if ((e as { status?: number }).status === Status.CTAP2_ERR_NO_CREDENTIALS) return undefined;
  throw e;
}
