// The host roles as the package gives them to Node users: the portable WebAuthn and CTAP2 clients
// (client/ may not import node:*) with OpenSSL as their default crypto, so a passkey flow against a
// VirtualAuthenticator runs OpenSSL on both sides. ClientPin and the rest take the Ctap2Client's.
import type { CtapHidHost } from '../hid/host.js';
import { Ctap2Client as PortableCtap2Client, type Ctap2ClientOptions } from '../client/ctap2.js';
import { WebAuthnClient as PortableWebAuthnClient, type HidConnectable, type WebAuthnClientOptions } from '../client/webauthn.js';
import { NodeCrypto } from './nodeCrypto.js';

/** WebAuthnClient computing with node:crypto unless options.crypto says otherwise. */
export class WebAuthnClient extends PortableWebAuthnClient {
  constructor(key: HidConnectable, options: WebAuthnClientOptions) {
    super(key, { ...options, crypto: options.crypto ?? new NodeCrypto({ keyCacheSize: 0 }) });
  }
}

/** Ctap2Client computing with node:crypto unless options.crypto says otherwise. */
export class Ctap2Client extends PortableCtap2Client {
  constructor(hid: CtapHidHost, options: Ctap2ClientOptions = {}) {
    super(hid, { ...options, crypto: options.crypto ?? new NodeCrypto({ keyCacheSize: 0 }) });
  }
}
