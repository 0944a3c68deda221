// Credential IDs that start with '-': moved behind '--' before commander sees them, and then found.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectDashLedIds } from '../../src/cli/argv.js';
import { SqliteStore } from '../../src/keystore/sqlite.js';
import { toBase64url } from '../../src/util/bytes.js';
import { cred } from '../keystore/helpers.js';
import { requireBuiltCli, runCli } from '../helpers/serveProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-argv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(requireBuiltCli);

const argv = (...a: string[]) => ['node', 'cli.js', ...a];

describe('protectDashLedIds', () => {
  it.each([
    [['creds', 'delete', '-ZPP65kqRCbs2caoeFGLeQ', '--store', 's', '--yes'], ['creds', 'delete', '--store', 's', '--yes', '--', '-ZPP65kqRCbs2caoeFGLeQ']],
    [['ctl', 'set', '--Zq9_x0000000000000000', '--sign-count', '5'], ['ctl', 'set', '--sign-count', '5', '--', '--Zq9_x0000000000000000']],
    [['creds', 'show', 'ABC', '--json'], ['creds', 'show', 'ABC', '--json']],
    [['serve', '--pin', '-aaaaaaaaaaaaaaaaaaaa'], ['serve', '--pin', '-aaaaaaaaaaaaaaaaaaaa']], // an option's value stays
    [['ctl', 'set', '--user-display-name', 'x'], ['ctl', 'set', '--user-display-name', 'x']], // a long option is not an ID
    [['creds', 'show', '--', '-x'], ['creds', 'show', '--', '-x']],
    [['creds', 'delete', '-v'], ['creds', 'delete', '-v']],
  ])('%j → %j', (input, output) => {
    expect(protectDashLedIds(argv(...input))).toEqual(argv(...output));
  });
});

describe('the CLI with a dash-led credential ID', () => {
  it('shows and deletes it as written', async () => {
    const path = join(dir, 'k.sqlite');
    const s = new SqliteStore(path);
    const c = cred(1, { id: new Uint8Array([0xf8, ...new Uint8Array(20).fill(7)]) });
    s.put(c);
    s.close();
    const id = toBase64url(c.id);
    expect(id.startsWith('-')).toBe(true);
    const show = await runCli(['creds', 'show', id, '--store', path, '--json']);
    expect(show.stderr).toBe('');
    expect(JSON.parse(show.stdout)).toMatchObject({ credentialId: id });
    expect((await runCli(['creds', 'delete', id, '--store', path, '--yes'])).code).toBe(0);
    expect((await runCli(['creds', 'show', id, '--store', path])).code).toBe(3);
  });
});
