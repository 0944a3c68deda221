// Credential IDs that start with '-': moved behind '--' before commander sees them, and then found.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { optionTable, protectDashLedIds } from '../../src/cli/argv.js';
import { SqliteStore } from '../../src/keystore/sqlite.js';
import { toBase64url } from '../../src/util/bytes.js';
import { cred } from '../keystore/helpers.js';
import { requireBuiltCli, runCli } from '../helpers/serveProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-argv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(requireBuiltCli);

const argv = (...a: string[]) => ['node', 'cli.js', ...a];

describe('protectDashLedIds', () => {
  // A command line with the kinds of option the real one has: a value, an optional value, flags, short ones.
  const program = new Command('ctap-emu').version('0');
  program.command('creds').command('delete').argument('<id>').option('--store <path>').option('-y, --yes').option('--udp [hostport]').option('--json');
  program.command('ctl').command('set').argument('<id>').option('--sign-count <n>').option('--user-display-name <name>').option('-v, --verbose');
  program.command('serve').option('--pin <pin>');
  const table = optionTable(program);

  it.each([
    [['creds', 'delete', '-ZPP65kqRCbs2caoeFGLeQ', '--store', 's', '--yes'], ['creds', 'delete', '--store', 's', '--yes', '--', '-ZPP65kqRCbs2caoeFGLeQ']],
    [['ctl', 'set', '--Zq9_x0000000000000000', '--sign-count', '5'], ['ctl', 'set', '--sign-count', '5', '--', '--Zq9_x0000000000000000']],
    // A unique prefix of a dash-led ID: short, but with a digit or a capital no option name has.
    [['creds', 'delete', '-2ksI9OA', '--udp', '127.0.0.1:1', '--yes'], ['creds', 'delete', '--udp', '127.0.0.1:1', '--yes', '--', '-2ksI9OA']],
    [['creds', 'delete', '--yes', '-Zq'], ['creds', 'delete', '--yes', '--', '-Zq']], // after a flag that takes no value
    [['creds', 'delete', '--udp', '-Zq'], ['creds', 'delete', '--udp', '--', '-Zq']], // an optional value is never dash-led
    [['creds', 'show', 'ABC', '--json'], ['creds', 'show', 'ABC', '--json']],
    [['serve', '--pin', '-aaaaaaaaaaaaaaaaaaaa'], ['serve', '--pin', '-aaaaaaaaaaaaaaaaaaaa']], // an option's value stays
    [['ctl', 'set', '--user-display-name', 'x'], ['ctl', 'set', '--user-display-name', 'x']], // a long option is not an ID
    [['ctl', 'set', '--sign-count=-5Q', 'x'], ['ctl', 'set', '--sign-count=-5Q', 'x']],
    [['creds', 'show', '--', '-x'], ['creds', 'show', '--', '-x']],
    [['creds', 'delete', '-v'], ['creds', 'delete', '-v']],
    [['creds', 'delete', '-vy'], ['creds', 'delete', '-vy']], // short flags run together
    [['creds', 'delete', '--josn'], ['creds', 'delete', '--josn']], // a typo stays an unknown option
    [['creds', 'delete', '-abc'], ['creds', 'delete', '-abc']],
  ])('%j → %j', (input, output) => {
    expect(protectDashLedIds(argv(...input), table)).toEqual(argv(...output));
  });
});

describe('the CLI with a dash-led credential ID', () => {
  it('shows it by the whole ID or a prefix, and deletes it, as written', async () => {
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
    const byPrefix = await runCli(['creds', 'show', id.slice(0, 7), '--store', path, '--json']);
    expect([byPrefix.code, byPrefix.stderr]).toEqual([0, '']);
    expect(JSON.parse(byPrefix.stdout)).toMatchObject({ credentialId: id });
    expect((await runCli(['creds', 'delete', id, '--store', path, '--yes'])).code).toBe(0);
    expect((await runCli(['creds', 'show', id, '--store', path])).code).toBe(3);
  });
});
