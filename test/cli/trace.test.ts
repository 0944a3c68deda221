// Traces: what `serve --trace` records (every report with time and channel, each message decoded
// as -v shows it), that it holds no PIN, PIN hash, token or largeBlobKey, and that `trace replay`
// gives back exit 0 for a session without PIN/UV auth, in-process and over UDP, and a diff with
// exit 1 when the key answers otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { generateAuthenticationOptions, generateRegistrationOptions } from '@simplewebauthn/server';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientPin, pinUvAuthParam } from '../../src/client/clientPin.js';
import { hmacSecretSession } from '../../src/client/hmacSecret.js';
import { LargeBlobs } from '../../src/client/largeBlobs.js';
import { parseAuthData } from '../../src/client/authData.js';
import { Ctap2Client } from '../../src/client/ctap2.js';
import { CredentialManagement } from '../../src/client/credentialManagement.js';
import { Permission } from '../../src/ctap/permissions.js';
import { CtapError, Status } from '../../src/ctap/status.js';
import { HidError } from '../../src/hid/constants.js';
import { CtapHidHost } from '../../src/hid/host.js';
import { connectUdp } from '../../src/hid/udp.js';
import { WebAuthnClient } from '../../src/node/clients.js';
import { VirtualAuthenticator } from '../../src/node/virtual.js';
import { messagesOf, parseTrace, type MessageRecord, type TraceRecord } from '../../src/cli/trace/format.js';
import { TraceRecorder } from '../../src/cli/trace/record.js';
import { replayTrace } from '../../src/cli/trace/replay.js';
import { toHex, utf8 } from '../../src/util/bytes.js';
import { closeLater } from '../helpers/cleanup.js';
import { origin } from '../helpers/importedKeys.js';
import { requireBuiltCli, runCli, serveUdpCli } from '../helpers/serveProcess.js';

let dir: string;
beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'ctap-emu-trace-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A key recorded in-process: the trace's text so far, and a host on it. */
async function recorded(options: ConstructorParameters<typeof VirtualAuthenticator>[0] = {}) {
  const key = new VirtualAuthenticator(options);
  const lines: string[] = [];
  const recorder = new TraceRecorder((l) => lines.push(l), [key]);
  const stop = recorder.attach(key, 0);
  const hid = await CtapHidHost.open(key.connect());
  closeLater(() => hid.close(), () => key.close());
  return {
    key, hid, ctap: new Ctap2Client(hid),
    trace: () => {
      stop();
      recorder.close();
      return parseTrace(lines.join('\n'), 'trace');
    },
  };
}

const messages = (records: TraceRecord[]): MessageRecord[] => records.filter((r): r is MessageRecord => 'text' in r);

async function replayFresh(records: TraceRecord[], options: ConstructorParameters<typeof VirtualAuthenticator>[0] = {}) {
  const key = new VirtualAuthenticator(options);
  const pipe = key.connect();
  try {
    return await replayTrace(records, pipe, { timeoutMs: 2000 });
  } finally {
    pipe.close();
    key.close();
  }
}

const mc = (rk: boolean, rp = 'trace.example') => ({
  clientDataHash: new Uint8Array(32).fill(3),
  rp: { id: rp },
  user: { id: new Uint8Array([9, 9]), name: 'bob', displayName: 'Bob' },
  pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
  options: { rk },
});

describe('a trace recorded in-process', () => {
  it('has every report with time and channel, each message decoded, and replays to a fresh key with every answer matching', async () => {
    const r = await recorded();
    await r.hid.ping(new Uint8Array(100).fill(5)); // two reports each way
    await r.ctap.getInfo();
    const made = await r.ctap.makeCredential(mc(false));
    const id = made.authData.subarray(55, 55 + new DataView(made.authData.buffer, made.authData.byteOffset).getUint16(53));
    // getAssertion names the recorded credential ID: the replay swaps in the one the fresh key made.
    await r.ctap.getAssertion({ rpId: 'trace.example', clientDataHash: new Uint8Array(32).fill(4), allowList: [{ id, type: 'public-key' }] });
    await r.ctap.makeCredential(mc(true));
    await r.ctap.getAssertion({ rpId: 'trace.example', clientDataHash: new Uint8Array(32).fill(5) });
    await expect(r.ctap.getAssertion({ rpId: 'nothing.example', clientDataHash: new Uint8Array(32) })).rejects.toMatchObject({ status: Status.CTAP2_ERR_NO_CREDENTIALS });
    await expect(r.hid.transact(0x33, new Uint8Array(0))).rejects.toMatchObject({ code: HidError.INVALID_CMD });
    expect(await r.hid.msg(new Uint8Array([0, 3, 0, 0, 0, 0, 0]))).toEqual(new Uint8Array([...utf8('U2F_V2'), 0x90, 0x00]));
    const { header, records } = r.trace();
    expect(header.keys[0]).toMatchObject({ aaguid: r.key.info().aaguid, pin: false });
    const reports = records.filter((x) => 'report' in x);
    expect(reports.every((x) => x.report.length === 128 && typeof x.t === 'number' && /^[0-9a-f]{8}$/.test(x.cid))).toBe(true);
    expect(records.map((x) => x.t)).toEqual([...records.map((x) => x.t)].sort((a, b) => a - b));
    const text = messages(records).map((m) => `${m.dir} ${m.cmd} ${m.text}`);
    expect(text).toEqual(expect.arrayContaining([
      expect.stringMatching(/^in INIT -> INIT nonce [0-9a-f]{16}$/),
      'in PING -> PING (100 bytes)',
      'in CBOR -> authenticatorGetInfo',
      expect.stringMatching(/^out CBOR <- CTAP2_OK \{versions: \["U2F_V2"/),
      'out CBOR <- CTAP2_ERR_NO_CREDENTIALS',
      'out ERROR <- ERROR ERR_INVALID_CMD',
      '-> U2F_VERSION (7 bytes)'.replace(/^/, 'in MSG '),
    ]));
    expect(reports.filter((x) => x.dir === 'in' && x.cid !== 'ffffffff').length).toBeGreaterThanOrEqual(11);

    const replay = await replayFresh(records);
    expect(replay.mismatches).toEqual([]);
    expect(replay.skipped).toEqual([]);
    expect(replay.compared).toBe(replay.sent);
    expect(replay.sent).toBe(messages(records).filter((m) => m.dir === 'in').length);
  });

  it('a key that answers otherwise gives the differences, each named', async () => {
    const r = await recorded();
    await r.ctap.getInfo();
    await r.ctap.makeCredential(mc(true));
    const { records } = r.trace();
    const replay = await replayFresh(records, { presence: 'deny', aaguid: '00112233445566778899aabbccddeeff' });
    expect(replay.mismatches).toHaveLength(2);
    expect(replay.mismatches[0]).toMatch(/-> authenticatorGetInfo\n   response\.3: recorded h'[0-9a-f]{32}', replayed h'00112233445566778899aabbccddeeff'/);
    expect(replay.mismatches[1]).toMatch(/-> authenticatorMakeCredential .*\n   status: recorded CTAP2_OK, replayed CTAP2_ERR_OPERATION_DENIED/);
  });

  it('a session with a PIN: the file holds no PIN, PIN hash, token, largeBlobKey or credBlob, and its PIN/UV requests are skipped by replay', async () => {
    const pin = 's3cr3t-PIN!';
    const r = await recorded();
    const cp = new ClientPin(r.ctap, [2]);
    await cp.setPin(pin);
    const token = await cp.getPinToken(pin, Permission.mc | Permission.ga, 'trace.example');
    const credBlob = new Uint8Array(32).fill(0xc5);
    const made = await r.ctap.makeCredential({
      ...mc(true), extensions: { credBlob, largeBlobKey: true },
      pinUvAuthParam: pinUvAuthParam(token, new Uint8Array(32).fill(3)), pinUvAuthProtocol: 2,
    });
    // A second host comes: its INIT, after replay --pin has opened a channel of its own, maps right.
    const second = await CtapHidHost.open(r.key.connect());
    closeLater(() => second.close());
    const got = await new Ctap2Client(second).getAssertion({ rpId: 'trace.example', clientDataHash: new Uint8Array(32).fill(4), extensions: { getCredBlob: true, largeBlobKey: true } });
    const cmToken = await cp.getPinToken(pin, Permission.cm);
    expect(await new CredentialManagement(r.ctap, cmToken).metadata()).toMatchObject({ existing: 1 });
    const { records } = r.trace();
    // The file as text, and each message put back together (a secret may straddle two reports).
    const file = [...records.map((x) => JSON.stringify(x)), ...messagesOf(records, 0).map((m) => toHex(m.payload))].join('\n');
    const hex = (b: Uint8Array): string => toHex(b);
    const secrets = {
      pin, pinHex: hex(utf8(pin)), pinHash: hex(createHash('sha256').update(pin).digest().subarray(0, 16)),
      token: hex(token.token), cmToken: hex(cmToken.token), largeBlobKey: hex(made.largeBlobKey!), largeBlobKey2: hex(got.largeBlobKey!), credBlob: hex(credBlob),
    };
    expect(got.authData.length).toBeGreaterThan(37 + 32); // credBlob came back, inside authData's extensions
    for (const [name, s] of Object.entries(secrets)) expect(file.includes(s), name).toBe(false);
    expect(file).toMatch(/redacted/);
    // The decoded text is -v's, word for word.
    const setPin = messages(records).find((m) => m.text.includes('setPIN'))!;
    expect(setPin.text).toBe('-> authenticatorClientPIN setPIN {pinUvAuthProtocol: 2, subCommand: 3, keyAgreement: <redacted value>, pinUvAuthParam: <redacted 32 bytes>, newPinEnc: <redacted 80 bytes>}');
    const mcReq = messages(records).find((m) => m.text.startsWith('-> authenticatorMakeCredential'))!;
    expect(mcReq.text).toContain('credBlob: <redacted 32 bytes>');

    const replay = await replayFresh(records);
    expect(replay.skipped.map((s) => /-> (\w+)( \w+)?/.exec(s)?.[0])).toEqual([
      '-> authenticatorClientPIN setPIN', '-> authenticatorClientPIN getPinUvAuthTokenUsingPinWithPermissions', '-> authenticatorMakeCredential',
      '-> authenticatorClientPIN getPinUvAuthTokenUsingPinWithPermissions', '-> authenticatorCredentialManagement getCredsMetadata',
    ]);
    // What depended on them differs, and says so: the fresh key made no credential.
    expect(replay.mismatches.join('\n')).toMatch(/-> authenticatorGetAssertion .*\n {3}status: recorded CTAP2_OK, replayed CTAP2_ERR_NO_CREDENTIALS/);
    expect(replay.skipped[0]).toMatch(/skipped: carries keyAgreement, pinUvAuthParam, newPinEnc from the original session/);

    // Given the PIN, replay sets it, gets its own token and MACs with it: the whole session matches.
    const key = new VirtualAuthenticator();
    const pipe = key.connect();
    const withPin = await replayTrace(records, pipe, { pin, timeoutMs: 2000 });
    pipe.close();
    expect(withPin.mismatches).toEqual([]);
    expect(withPin.skipped).toEqual([]);
    expect(withPin.redone).toBe(3);
    expect(key.getCredentials()).toHaveLength(1);
    key.close();
  });

  it('hmac-secret and large-blob writes: replay makes the key agreement, salts and MACs again, and every answer matches', async () => {
    const pin = 'blob-pin';
    const r = await recorded({ pin });
    const made = await r.ctap.makeCredential({ ...mc(false), extensions: { 'hmac-secret': true } });
    const id = made.authData.subarray(55, 55 + new DataView(made.authData.buffer, made.authData.byteOffset).getUint16(53));
    // One salt and two, under protocols 1 and 2, without a PIN (hmac-secret needs none).
    for (const [version, two] of [[1, false], [2, true]] as const) {
      const hs = await hmacSecretSession(new ClientPin(r.ctap, [version], version), new Uint8Array(32).fill(1), two ? new Uint8Array(32).fill(2) : undefined);
      const got = await r.ctap.getAssertion({
        rpId: 'trace.example', clientDataHash: new Uint8Array(32).fill(5), allowList: [{ id, type: 'public-key' }], extensions: { 'hmac-secret': hs.input },
      });
      expect(hs.outputs(parseAuthData(got.authData).extensions!.get('hmac-secret') as Uint8Array)).toHaveLength(two ? 2 : 1);
    }
    const token = await new ClientPin(r.ctap, [2]).getPinToken(pin, Permission.lbw);
    const blobs = new LargeBlobs(r.ctap, await r.ctap.getInfo(), { compression: { compress: (d) => d, decompress: (d) => d }, token });
    await blobs.writeBlobArray([utf8('an entry'), new Uint8Array(600).fill(7)]);
    const stored = await blobs.readSerialized();
    const { records } = r.trace();

    const write = messages(records).find((m) => m.text.startsWith('-> authenticatorLargeBlobs {set:'))!;
    expect(write.text).toMatch(/pinUvAuthParam: <redacted 32 bytes>, pinUvAuthProtocol: 2\}$/); // as every other MAC, not in the clear
    // Without the PIN: the hmac-secret requests are made again (nothing but the MACed write is skipped).
    const bare = await replayFresh(records, { pin });
    expect(bare.skipped.map((x) => /-> (\w+)( \w+)?/.exec(x)?.[0])).toEqual([
      '-> authenticatorClientPIN getPinUvAuthTokenUsingPinWithPermissions', '-> authenticatorLargeBlobs',
    ]);
    // With it, the whole session matches (the makeCredential's `hmac-secret: true` went as it was,
    // its credential ID swapped in the allowLists), and the fresh key holds the same large-blob array.
    const key = new VirtualAuthenticator({ pin });
    const pipe = key.connect();
    const full = await replayTrace(records, pipe, { pin, timeoutMs: 2000 });
    expect(full.mismatches).toEqual([]);
    expect(full.skipped).toEqual([]);
    const again = await CtapHidHost.open(key.connect());
    closeLater(() => again.close());
    const replayedCtap = new Ctap2Client(again);
    expect(await new LargeBlobs(replayedCtap, await replayedCtap.getInfo(), { compression: { compress: (d) => d, decompress: (d) => d } }).readSerialized()).toEqual(stored);
    pipe.close();
    key.close();
  });

  it('--pin: a deleteCredential is MACed over the replayed key\'s credential ID, so the deletion happens there too', async () => {
    const pin = 'del-pin';
    const r = await recorded({ pin });
    const cp = new ClientPin(r.ctap, [2]);
    const mcToken = await cp.getPinToken(pin, Permission.mc, 'trace.example');
    await r.ctap.makeCredential({ ...mc(true), pinUvAuthParam: pinUvAuthParam(mcToken, new Uint8Array(32).fill(3)), pinUvAuthProtocol: 2 });
    const cm = new CredentialManagement(r.ctap, await cp.getPinToken(pin, Permission.cm));
    const [rp] = await cm.rps();
    const [cred] = await cm.credentials(rp!.rpIdHash);
    await cm.delete(cred!.credentialId);
    expect(await cm.metadata()).toMatchObject({ existing: 0 });
    const { records } = r.trace();
    const key = new VirtualAuthenticator({ pin });
    const pipe = key.connect();
    const replay = await replayTrace(records, pipe, { pin, timeoutMs: 2000 });
    pipe.close();
    expect(replay.mismatches).toEqual([]);
    expect(replay.skipped).toEqual([]);
    expect(key.getCredentials()).toHaveLength(0);
    key.close();
  });

  it('--pin with a wrong PIN: the token request answers otherwise, and the diff says so', async () => {
    const r = await recorded({ pin: 'right-pin' });
    const token = await new ClientPin(r.ctap, [2]).getPinToken('right-pin', Permission.mc, 'trace.example');
    await r.ctap.makeCredential({ ...mc(true), pinUvAuthParam: pinUvAuthParam(token, new Uint8Array(32).fill(3)), pinUvAuthProtocol: 2 });
    const { records } = r.trace();
    const key = new VirtualAuthenticator({ pin: 'right-pin' });
    const pipe = key.connect();
    const wrong = await replayTrace(records, pipe, { pin: 'wrong-pin', timeoutMs: 2000 });
    pipe.close();
    key.close();
    expect(wrong.mismatches[0]).toMatch(/getPinUvAuthTokenUsingPinWithPermissions.*\n {3}status \(made again with --pin\): recorded CTAP2_OK, replayed CTAP2_ERR_PIN_INVALID/);
    expect(wrong.skipped).toHaveLength(1); // the makeCredential: no token to MAC it with
  });

  it('CANCEL of a request waiting for a touch replays as KEEPALIVE_CANCEL', async () => {
    const r = await recorded({ presence: 'timeout' });
    const abort = new AbortController();
    const pending = r.ctap.makeCredential(mc(true), { signal: abort.signal });
    await new Promise((res) => setTimeout(res, 250));
    abort.abort();
    await expect(pending).rejects.toBeInstanceOf(CtapError);
    const { records } = r.trace();
    expect(messages(records).map((m) => m.text)).toEqual(expect.arrayContaining(['<- KEEPALIVE UPNEEDED', '-> CANCEL', '<- CTAP2_ERR_KEEPALIVE_CANCEL']));
    expect((await replayFresh(records, { presence: 'timeout' })).mismatches).toEqual([]);
  });
});

describe('serve --trace and ctap-emu trace (over UDP)', () => {
  it('records a WebAuthn ceremony; show prints it; replay matches in-process and against another serve; a denying key exits 1 with the diff', async () => {
    const file = join(dir, 'ceremony.jsonl');
    const s = await serveUdpCli(['--memory', '--trace', file]);
    const client = new WebAuthnClient({ connect: () => connectUdp('127.0.0.1', s.port) }, { origin });
    const created = await client.create(await generateRegistrationOptions({
      rpName: 'Example', rpID: 'example.com', userName: 'carol', supportedAlgorithmIDs: [-7],
      attestationType: 'direct', authenticatorSelection: { residentKey: 'required', userVerification: 'discouraged' },
    }));
    await client.get(await generateAuthenticationOptions({ rpID: 'example.com', allowCredentials: [{ id: created.id }], userVerification: 'discouraged' }));
    await client.get(await generateAuthenticationOptions({ rpID: 'example.com', userVerification: 'discouraged' }));
    client.close();
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const shown = await runCli(['trace', 'show', file]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^ +[\d.]+ {2}key 0 {2}[0-9a-f]{8} {2}-> authenticatorMakeCredential \{clientDataHash/m);
    expect(shown.stdout).toMatch(/<- CTAP2_OK \{credential: \{/);

    const local = await runCli(['trace', 'replay', file]);
    expect(local.stdout).toMatch(/all match/);
    expect(local.code, local.stdout).toBe(0);

    // A wait past setTimeout's limit (2^31 - 1 ms) would overflow to 1 ms: refused as a usage error.
    const tooLong = await runCli(['trace', 'replay', file, '--timeout', '3000000000']);
    expect([tooLong.code, tooLong.stderr]).toEqual([2, expect.stringMatching(/--timeout must be milliseconds from 1 to 2147483647, got "3000000000"/)]);

    const other = await serveUdpCli(['--memory']);
    const overUdp = await runCli(['trace', 'replay', file, '--udp', String(other.port)]);
    expect(overUdp.stdout).toMatch(/to udp 127\.0\.0\.1:\d+: \d+ answers compared, all match/);
    expect(overUdp.code, overUdp.stdout).toBe(0);

    const denying = await serveUdpCli(['--memory', '--presence', 'deny']);
    const diff = await runCli(['trace', 'replay', file, '--udp', String(denying.port)]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/-> authenticatorMakeCredential .*\n {3}status: recorded CTAP2_OK, replayed CTAP2_ERR_OPERATION_DENIED/);
    expect(diff.stdout).toMatch(/answered differently/);
  });

  it('serve --keys 2 --trace: records say which key; show and replay take --key', async () => {
    const file = join(dir, 'two.jsonl');
    const s = await serveUdpCli(['--memory', '--keys', '2', '--trace', file]);
    while (!s.stderr().includes('Ctrl-C stops it')) await new Promise((r) => setTimeout(r, 20));
    const port1 = Number(/key 1: security key on udp 127\.0\.0\.1:(\d+)/.exec(s.stderr())![1]);
    const hid = await CtapHidHost.open(await connectUdp('127.0.0.1', port1));
    await new Ctap2Client(hid).makeCredential(mc(true));
    await hid.close();
    s.child.kill('SIGTERM');
    await s.exited;
    const shown = await runCli(['trace', 'show', file, '--key', '1']);
    expect(shown.stdout).toMatch(/^trace of 2 keys/);
    expect(shown.stdout).toMatch(/key 1 {2}00000001 {2}-> authenticatorMakeCredential/);
    expect(shown.stdout).not.toMatch(/key 0 /);
    const replay = await runCli(['trace', 'replay', file, '--key', '1']);
    expect(replay.stdout).toMatch(/replayed 2 requests to a fresh in-process key: 2 answers compared, all match/);
    expect(replay.code).toBe(0);
    expect((await runCli(['trace', 'replay', file, '--key', '2'])).code).toBe(2);
  });

  it('serve --keys 2 --profile --counter --trace: replay makes the fresh key with the recorded profile and counter model', async () => {
    const file = join(dir, 'profile.jsonl');
    const s = await serveUdpCli(['--memory', '--keys', '2', '--profile', 'fido20', '--counter', 'global', '--trace', file]);
    while (!s.stderr().includes('Ctrl-C stops it')) await new Promise((r) => setTimeout(r, 20));
    const port1 = Number(/key 1: security key on udp 127\.0\.0\.1:(\d+); profile fido20; .*; counter global; /.exec(s.stderr())![1]);
    const hid = await CtapHidHost.open(await connectUdp('127.0.0.1', port1));
    const ctap = new Ctap2Client(hid);
    await ctap.getInfo();
    await ctap.makeCredential(mc(true));
    await ctap.makeCredential(mc(true, 'other.example'));
    await ctap.getAssertion({ rpId: 'trace.example', clientDataHash: new Uint8Array(32).fill(5) }); // global: counter 3
    await hid.close();
    s.child.kill('SIGTERM');
    await s.exited;
    const replay = await runCli(['trace', 'replay', file, '--key', '1']);
    expect(replay.stdout).toMatch(/all match/);
    expect(replay.code, replay.stdout).toBe(0);
    // A default key answers otherwise (getInfo, the counter).
    const other = await serveUdpCli(['--memory']);
    const diff = await runCli(['trace', 'replay', file, '--key', '1', '--udp', String(other.port)]);
    expect(diff.code, diff.stdout).toBe(1);
  });

  it('a file that is not a trace: one line, exit 1', async () => {
    const bad = join(dir, 'bad.jsonl');
    rmSync(bad, { force: true });
    const e = await runCli(['trace', 'show', join(dir, 'nothing')]);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/cannot read/);
    const f = await runCli(['trace', 'replay', 'package.json']);
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/not a ctap-emu trace/);
  });
});

