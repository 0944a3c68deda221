// `serve -v` log lines: commands with sub-commands are named by them; secrets stay redacted.
import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/ctap/cbor.js';
import { Command } from '../../src/ctap/constants.js';
import { ClientPinKey, ClientPinSubCommand, CredMgmtKey, CredMgmtSubCommand } from '../../src/ctap/keys.js';
import { describeApdu, describeApduResponse, describeRequest } from '../../src/cli/describe.js';

function request(cmd: number, params: Map<number, unknown>): Uint8Array {
  const body = encodeCbor(params as Parameters<typeof encodeCbor>[0]);
  const out = new Uint8Array(body.length + 1);
  out[0] = cmd;
  out.set(body, 1);
  return out;
}

describe('describeRequest', () => {
  it.each(Object.entries(ClientPinSubCommand))('names clientPIN %s', (name, n) => {
    const line = describeRequest(request(Command.authenticatorClientPIN, new Map([[ClientPinKey.pinUvAuthProtocol, 2], [ClientPinKey.subCommand, n]])));
    expect(line).toMatch(new RegExp(`^-> authenticatorClientPIN ${name} \\{`));
  });

  it('names credential management sub-commands, and keeps PIN material redacted', () => {
    const line = describeRequest(request(Command.authenticatorCredentialManagement, new Map<number, unknown>([
      [CredMgmtKey.subCommand, CredMgmtSubCommand.getCredsMetadata], [CredMgmtKey.pinUvAuthParam, new Uint8Array(32).fill(7)],
    ])));
    expect(line).toMatch(/^-> authenticatorCredentialManagement getCredsMetadata \{/);
    expect(line).toMatch(/pinUvAuthParam: <redacted 32 bytes>/);
    expect(line).not.toMatch(/0707/);
  });

  it('names a sub-command it does not know by number', () => {
    expect(describeRequest(request(Command.authenticatorClientPIN, new Map([[ClientPinKey.subCommand, 0x42]]))))
      .toMatch(/^-> authenticatorClientPIN subCommand 0x42 \{/);
  });
});

describe('describeApdu', () => {
  it('names U2F instructions and control bytes, and answers with the status word', () => {
    expect(describeApdu(new Uint8Array([0, 3, 0, 0, 0, 0, 0]))).toBe('-> U2F_VERSION (7 bytes)');
    expect(describeApdu(new Uint8Array([0, 2, 7, 0]))).toBe('-> U2F_AUTHENTICATE check-only (4 bytes)');
    expect(describeApdu(new Uint8Array([0, 9, 0, 0]))).toBe('-> INS 0x9 (4 bytes)');
    expect(describeApduResponse(new Uint8Array([0x69, 0x85]))).toBe('<- SW 6985');
    expect(describeApduResponse(new Uint8Array([1, 2, 0x90, 0]))).toBe('<- SW 9000 (2 bytes)');
  });
});
