// Which keys `creds --udp/--device` refuses before it asks for a PIN, and in what words (the runs
// against a served key are in cli.test.ts).
import { describe, expect, it } from 'vitest';
import type { AuthenticatorInfo } from '../../src/client/ctap2.js';
import { checkCredMgmt } from '../../src/cli/credsDevice.js';

const withOptions = (options: Record<string, boolean>): AuthenticatorInfo => ({ options }) as AuthenticatorInfo;

describe('checkCredMgmt', () => {
  it('takes a CTAP 2.1 key with credMgmt and a PIN', () => {
    expect(() => checkCredMgmt(withOptions({ credMgmt: true, clientPin: true }))).not.toThrow();
  });

  it('refuses a key with only the 2.1 preview, one without credential management, and one without a PIN', () => {
    expect(() => checkCredMgmt(withOptions({ credentialMgmtPreview: true, clientPin: true }))).toThrow(/only the CTAP 2\.1 preview of credential management/);
    expect(() => checkCredMgmt(withOptions({ clientPin: true }))).toThrow(/no credential management \(getInfo option credMgmt\)/);
    expect(() => checkCredMgmt(withOptions({ credMgmt: true, clientPin: false }))).toThrow(/the key has no PIN: credential management needs one/);
  });
});
