// Valid requests for every CTAP2 command and subcommand, made by the repo's own host classes
// (ClientPin, CredentialManagement, authenticatorConfig, hmac-secret) against keys in a known
// state, so their pinUvAuthParams, encrypted PINs and salts are right and mutants reach the
// handlers' deep paths, not just the parser.
import { ClientPin, PinPermission, pinUvAuthParam, type PinUvAuthToken } from '../../src/client/clientPin.js';
import { authenticatorConfig, ConfigSubCommand, setMinPinLengthParams } from '../../src/client/config.js';
import { CredentialManagement } from '../../src/client/credentialManagement.js';
import { BioEnrollment } from '../../src/client/bioEnrollment.js';
import { LargeBlobs } from '../../src/node/clients.js';
import { request, type Ctap2Client, type MakeCredentialParams } from '../../src/client/ctap2.js';
import { hmacSecretSession } from '../../src/client/hmacSecret.js';
import { parseAuthData } from '../../src/client/authData.js';
import type { CborEncodable } from '../../src/ctap/cbor.js';
import { Command } from '../../src/ctap/constants.js';
import { nobleCrypto } from '../../src/ctap/nobleCrypto.js';
import { ClientPinKey } from '../../src/ctap/keys.js';
import { CtapError, Status } from '../../src/ctap/status.js';
import type { Authenticator } from '../../src/ctap2/authenticator.js';
import { utf8 } from '../../src/util/bytes.js';
import { copyKey, newKey, Recorder } from './fixture.js';

export const PIN = '1234';
const cdh = new Uint8Array(32).fill(7);
const ALL = PinPermission.mc | PinPermission.ga | PinPermission.cm | PinPermission.lbw | PinPermission.acfg;

/** A request that starts a case: `prefix` runs first, unmutated (a walk's begin, say). */
export interface Seed {
  name: string;
  key: Authenticator;
  prefix: Uint8Array[];
  request: Uint8Array;
  /** What the unmutated request gets on a fresh copy of `key`. */
  expect: number;
}

function mc(rpId: string, name: string, over: Partial<MakeCredentialParams> = {}): MakeCredentialParams {
  return {
    clientDataHash: cdh,
    rp: { id: rpId, name: rpId },
    user: { id: utf8(name), name, displayName: name.toUpperCase() },
    pubKeyCredParams: [{ alg: -7, type: 'public-key' }, { alg: -8, type: 'public-key' }],
    ...over,
  };
}

const auth = (t: PinUvAuthToken): Pick<MakeCredentialParams, 'pinUvAuthParam' | 'pinUvAuthProtocol'> => ({
  pinUvAuthParam: pinUvAuthParam(t, cdh),
  pinUvAuthProtocol: t.protocol.version,
});

/** Runs `steps` on a copy of `key`; the last request sent is the seed, the ones before its prefix. */
async function capture(name: string, key: Authenticator, expect: number, steps: (c: Ctap2Client) => Promise<unknown>): Promise<Seed> {
  const rec = new Recorder(copyKey(key));
  await steps(rec.client).catch((e: unknown) => {
    if (!(e instanceof CtapError)) throw e;
  });
  if (!rec.log.length) throw new Error(`seed ${name} sent nothing`);
  return { name, key, prefix: rec.log.slice(0, -1), request: rec.log.at(-1)!, expect };
}

/** The same request under another command number (the MAC of credentialManagement does not cover it). */
function withCommand(seed: Seed, command: number): Seed {
  const request = seed.request.slice();
  request[0] = command;
  return { ...seed, name: `${seed.name} as 0x${command.toString(16)}`, request };
}

/** A hand-made request (commands the key lacks, vendor commands). */
function raw(name: string, key: Authenticator, command: number, params: CborEncodable | undefined, expect: number): Promise<Seed> {
  return capture(name, key, expect, (c) => c.send(command, params as Map<number, CborEncodable> | undefined));
}

interface Keys {
  blank: Authenticator;
  pin: Authenticator;
  uv: Authenticator;
  /** A sensor that enrolls fingers: PIN set, one finger enrolled, and a be token. */
  bio: Authenticator;
  bioToken: PinUvAuthToken;
  /** The bio key with an enrollment begun (its template ID is random: a prefix would not replay). */
  bioEnrolling: Authenticator;
  templateId: Uint8Array;
  token: PinUvAuthToken;
  rkIds: Uint8Array[];
  nonRkId: Uint8Array;
}

/** The keys: blank; with credentials, a PIN and a token for mc|ga|cm|lbw|acfg; with built-in UV. */
async function makeKeys(): Promise<Keys> {
  const blank = newKey();
  const pin = newKey();
  const c = new Recorder(pin).client;
  const rkIds: Uint8Array[] = [];
  const made = async (p: MakeCredentialParams): Promise<Uint8Array> => parseAuthData((await c.makeCredential(p)).authData).attested!.credentialId;
  rkIds.push(await made(mc('example.com', 'alice', { options: { rk: true }, extensions: { credProtect: 1, 'hmac-secret': true } })));
  rkIds.push(await made(mc('example.com', 'bob', { options: { rk: true }, extensions: { credProtect: 2 }, pubKeyCredParams: [{ alg: -8, type: 'public-key' }] })));
  rkIds.push(await made(mc('other.org', 'carol', { options: { rk: true }, extensions: { credProtect: 3 } })));
  const nonRkId = await made(mc('example.com', 'dave', { extensions: { 'hmac-secret': true } }));
  const cp = new ClientPin(c, [2, 1], 2);
  await cp.setPin(PIN);
  const token = await cp.getPinToken(PIN, ALL);
  const uv = newKey({ builtInUv: true });
  const bio = newKey({ builtInUv: true, bioEnrollment: true });
  bio.provisionPin(PIN);
  bio.provisionFingerprint('finger 1');
  const bioToken = await new ClientPin(new Recorder(bio).client, [2, 1], 2).getPinToken(PIN, PinPermission.be);
  const bioEnrolling = copyKey(bio);
  const { templateId } = await new BioEnrollment(new Recorder(bioEnrolling).client, bioToken).begin();
  return { blank, pin, uv, bio, bioToken, bioEnrolling, templateId, token, rkIds, nonRkId };
}

export async function buildCorpus(): Promise<Seed[]> {
  const k = await makeKeys();
  const { blank, pin, uv, token } = k;
  const OK = Status.CTAP2_OK;
  const cred = (id: Uint8Array): { id: Uint8Array; type: string } => ({ id, type: 'public-key' });
  const cm = (c: Ctap2Client): CredentialManagement => new CredentialManagement(c, token);
  const rpHash = nobleCrypto.sha256(utf8('example.com'));
  const clientPin = (c: Ctap2Client, v: 1 | 2 = 2): ClientPin => new ClientPin(c, [2, 1], v);
  const seeds = [
    capture('getInfo', pin, OK, (c) => c.getInfo()),
    capture('getInfo (blank)', blank, OK, (c) => c.getInfo()),
    // makeCredential
    capture('makeCredential, no PIN', blank, OK, (c) => c.makeCredential(mc('example.com', 'eve', { options: { rk: true } }))),
    capture('makeCredential, token, rk, extensions', pin, OK, (c) =>
      c.makeCredential(mc('example.com', 'eve', { ...auth(token), options: { rk: true }, extensions: { credProtect: 2, 'hmac-secret': true }, excludeList: [cred(new Uint8Array(64).fill(9))] }))),
    capture('makeCredential, credBlob and largeBlobKey', pin, OK, (c) =>
      c.makeCredential(mc('example.com', 'eve', { ...auth(token), options: { rk: true }, extensions: { credBlob: new Uint8Array(32).fill(4), largeBlobKey: true } }))),
    capture('makeCredential, excluded', pin, Status.CTAP2_ERR_CREDENTIAL_EXCLUDED, (c) =>
      c.makeCredential(mc('example.com', 'eve', { ...auth(token), excludeList: [cred(k.nonRkId), cred(k.rkIds[0]!)] }))),
    capture('makeCredential, PIN probe (empty pinUvAuthParam)', pin, Status.CTAP2_ERR_PIN_INVALID, (c) =>
      c.makeCredential(mc('.dummy', 'dummy', { pinUvAuthParam: new Uint8Array(0), pinUvAuthProtocol: 1 }))),
    capture('makeCredential, enterprise attestation', pin, OK, async (c) => {
      await authenticatorConfig(c, ConfigSubCommand.enableEnterpriseAttestation, undefined, token);
      return c.send(Command.authenticatorMakeCredential, new Map([...request({ clientDataHash: 1, rp: 2, user: 3, pubKeyCredParams: 4, pinUvAuthParam: 8, pinUvAuthProtocol: 9 }, {
        clientDataHash: cdh, rp: { id: 'example.com' }, user: { id: new Uint8Array([5]) }, pubKeyCredParams: [{ alg: -7, type: 'public-key' }], ...auth(token),
      }), [0x0a, 2], [0x0b, ['packed', 'none']]]));
    }),
    capture('makeCredential, built-in uv', uv, OK, (c) => c.makeCredential(mc('example.com', 'frank', { options: { rk: true, uv: true } }))),
    // getAssertion and getNextAssertion
    capture('getAssertion, token, discoverable', pin, OK, (c) => c.getAssertion({ rpId: 'example.com', clientDataHash: cdh, ...auth(token) })),
    capture('getAssertion, allowList, hmac-secret', pin, OK, async (c) => {
      const hs = await hmacSecretSession(clientPin(c), new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));
      return c.getAssertion({ rpId: 'example.com', clientDataHash: cdh, allowList: [cred(new Uint8Array(40)), cred(k.nonRkId)], extensions: { 'hmac-secret': hs.input } });
    }),
    // ES384 and the CTAP 2.2 extensions (minPinLength, hmac-secret-mc, thirdPartyPayment).
    capture('makeCredential, ES384, 2.2 extensions', pin, OK, async (c) => {
      const hs = await hmacSecretSession(clientPin(c), new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));
      return c.makeCredential(mc('example.com', 'gina', {
        ...auth(token), pubKeyCredParams: [{ alg: -35, type: 'public-key' }],
        extensions: { 'hmac-secret': true, 'hmac-secret-mc': hs.input, minPinLength: true, thirdPartyPayment: true },
      }));
    }),
    capture('getAssertion, thirdPartyPayment', pin, OK, (c) =>
      c.getAssertion({ rpId: 'example.com', clientDataHash: cdh, allowList: [cred(k.nonRkId)], extensions: { thirdPartyPayment: true } })),
    capture('getAssertion, getCredBlob and largeBlobKey', pin, OK, (c) =>
      c.getAssertion({ rpId: 'example.com', clientDataHash: cdh, ...auth(token), extensions: { getCredBlob: true, largeBlobKey: true } })),
    capture('getAssertion, silent (up false)', pin, OK, (c) => c.getAssertion({ rpId: 'example.com', clientDataHash: cdh, allowList: [cred(k.nonRkId)], options: { up: false } })),
    capture('getAssertion, credProtect 3 without uv', pin, Status.CTAP2_ERR_NO_CREDENTIALS, (c) => c.getAssertion({ rpId: 'other.org', clientDataHash: cdh })),
    capture('getNextAssertion', pin, OK, (c) => c.getAssertions({ rpId: 'example.com', clientDataHash: cdh, ...auth(token) })),
    // clientPIN, each subcommand, both protocols where it matters
    ...([1, 2] as const).flatMap((v) => [
      capture(`clientPIN getPINRetries v${v}`, pin, OK, (c) => clientPin(c, v).getPinRetries()),
      capture(`clientPIN getKeyAgreement v${v}`, pin, OK, (c) => clientPin(c, v).keyAgreement()),
      capture(`clientPIN setPIN v${v}`, blank, OK, (c) => clientPin(c, v).setPin('5678')),
      capture(`clientPIN changePIN v${v}`, pin, OK, (c) => clientPin(c, v).changePin(PIN, '98765')),
      capture(`clientPIN getPinToken v${v}`, pin, OK, (c) => clientPin(c, v).getPinToken(PIN)),
      capture(`clientPIN getPinUvAuthTokenUsingPinWithPermissions v${v}`, pin, OK, (c) => clientPin(c, v).getPinToken(PIN, ALL, 'example.com')),
      capture(`clientPIN getPinUvAuthTokenUsingUvWithPermissions v${v}`, uv, OK, (c) => clientPin(c, v).getUvToken(PinPermission.mc | PinPermission.ga, 'example.com')),
    ]),
    capture('clientPIN getPinToken, wrong PIN', pin, Status.CTAP2_ERR_PIN_INVALID, (c) => clientPin(c).getPinToken('0000')),
    capture('clientPIN getUVRetries', uv, OK, (c) => clientPin(c).getUvRetries()),
    raw('clientPIN unknown subcommand', pin, Command.authenticatorClientPIN, request(ClientPinKey, { pinUvAuthProtocol: 2, subCommand: 0x08 }), Status.CTAP2_ERR_INVALID_SUBCOMMAND),
    // reset, selection
    capture('reset', pin, OK, (c) => c.reset()),
    capture('selection', pin, OK, (c) => c.selection()),
    // credentialManagement, each subcommand (and the 2.1-pre command number)
    capture('credMgmt getCredsMetadata', pin, OK, (c) => cm(c).metadata()),
    capture('credMgmt enumerateRPs', pin, OK, (c) => cm(c).rps()),
    capture('credMgmt enumerateCredentials', pin, OK, (c) => cm(c).credentials(rpHash)),
    capture('credMgmt deleteCredential', pin, OK, (c) => cm(c).delete(k.rkIds[1]!)),
    capture('credMgmt updateUserInformation', pin, OK, (c) => cm(c).updateUser(k.rkIds[0]!, { id: utf8('alice'), name: 'alice2', displayName: 'Alice 2' })),
    capture('credMgmt getCredsMetadata', pin, OK, (c) => cm(c).metadata()).then((seed) => withCommand(seed, Command.authenticatorCredentialManagementPreview)),
    // largeBlobs: a read, a one-fragment write with the token, the second fragment of a write
    capture('largeBlobs get', pin, OK, async (c) => new LargeBlobs(c, await c.getInfo()).readSerialized()),
    capture('largeBlobs set', pin, OK, async (c) => new LargeBlobs(c, await c.getInfo(), { token }).putBlob(new Uint8Array(32).fill(1), utf8('blob'))),
    capture('largeBlobs set, second fragment', pin, OK, async (c) =>
      new LargeBlobs(c, { ...(await c.getInfo()), maxMsgSize: 100 }, { token }).writeBlobArray([new Uint8Array(50).fill(2)])),
    raw('largeBlobs set, bad MAC', pin, Command.authenticatorLargeBlobs, new Map<number, CborEncodable>([[2, new Uint8Array(17)], [3, 0], [4, 17], [5, new Uint8Array(32)], [6, 2]]), Status.CTAP2_ERR_PIN_AUTH_INVALID),
    // authenticatorConfig, each subcommand
    capture('config enableEnterpriseAttestation', pin, OK, (c) => authenticatorConfig(c, ConfigSubCommand.enableEnterpriseAttestation, undefined, token)),
    capture('config toggleAlwaysUv', pin, OK, (c) => authenticatorConfig(c, ConfigSubCommand.toggleAlwaysUv, undefined, token)),
    capture('config setMinPINLength', pin, OK, (c) =>
      authenticatorConfig(c, ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ newMinPINLength: 6, forceChangePin: true }), token)),
    capture('config vendorPrototype', pin, Status.CTAP2_ERR_INVALID_SUBCOMMAND, (c) => authenticatorConfig(c, ConfigSubCommand.vendorPrototype, new Map([[1, 1]]), token)),
    capture('config without a PIN', blank, OK, (c) => authenticatorConfig(c, ConfigSubCommand.toggleAlwaysUv)),
    // bioEnrollment, on the sensor that enrolls fingers.
    raw('bioEnrollment getModality', k.bio, Command.authenticatorBioEnrollment, new Map([[6, true]]), OK),
    capture('bioEnrollment getFingerprintSensorInfo', k.bio, OK, (c) => new BioEnrollment(c).sensorInfo()),
    capture('bioEnrollment enrollBegin', k.bio, OK, (c) => new BioEnrollment(c, k.bioToken).begin(1000)),
    capture('bioEnrollment enrollCaptureNextSample', k.bioEnrolling, OK, (c) => new BioEnrollment(c, k.bioToken).next(k.templateId, 1000)),
    capture('bioEnrollment cancelCurrentEnrollment', k.bio, OK, (c) => new BioEnrollment(c).cancel()),
    capture('bioEnrollment enumerateEnrollments', k.bio, OK, (c) => new BioEnrollment(c, k.bioToken).list()),
    capture('bioEnrollment setFriendlyName', k.bio, OK, async (c) => {
      const b = new BioEnrollment(c, k.bioToken);
      return b.rename((await b.list())[0]!.templateId, 'right thumb');
    }),
    capture('bioEnrollment removeEnrollment', k.bio, OK, async (c) => {
      const b = new BioEnrollment(c, k.bioToken);
      return b.remove((await b.list())[0]!.templateId);
    }),
    // Commands this key does not implement: bioEnrollment (no sensor that enrolls), vendor and unknown numbers.
    raw('bioEnrollment getFingerprintSensorInfo', pin, 0x09, new Map([[1, 1], [2, 7]]), Status.CTAP1_ERR_INVALID_COMMAND),
    raw('vendor 0x40', pin, 0x40, new Map([[1, 1]]), Status.CTAP1_ERR_INVALID_COMMAND),
    raw('vendor 0xbf', pin, 0xbf, undefined, Status.CTAP1_ERR_INVALID_COMMAND),
    raw('unknown 0x03', pin, 0x03, new Map([[1, 'x']]), Status.CTAP1_ERR_INVALID_COMMAND),
  ];
  return Promise.all(seeds);
}
