#!/usr/bin/env node
// The ctap-emu command line: commander wiring only; each command lives in src/cli/.
import { Command, Option } from 'commander';
import { info } from './cli/info.js';
import { serve, SERVE_DEFAULTS } from './cli/serve.js';
import { DEFAULT_UDP_HOST, DEFAULT_UDP_PORT } from './hid/udp.js';

const program = new Command('ctap-emu')
  .description('A software FIDO2 security key (CTAP2 over CTAPHID), for tests, tools and browsers.')
  .version('0.1.0')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the key until Ctrl-C')
  .addOption(new Option('--transport <kind>', 'how hosts reach the key').choices(['udp']).default(SERVE_DEFAULTS.transport))
  .option('--host <address>', 'UDP address to listen on (loopback unless you say otherwise)', SERVE_DEFAULTS.host)
  .option('--port <n>', 'UDP port', SERVE_DEFAULTS.port)
  .option('--store <path>', 'keystore file (default: $CTAP_EMU_STORE or ~/.local/share/ctap-emu/keystore.sqlite)')
  .option('--memory', 'keep credentials in memory only; nothing is written')
  .addOption(new Option('--presence <policy>', 'what the "user" does when the key asks for a touch').choices(['approve', 'deny']).default(SERVE_DEFAULTS.presence))
  .option('--aaguid <hex>', 'AAGUID to report (32 hex digits, dashes allowed)')
  .option('-v, --verbose', 'log each request and its status')
  .action(serve);

program
  .command('info')
  .description("print a running key's getInfo")
  .option('--host <address>', 'UDP address of the key', DEFAULT_UDP_HOST)
  .option('--port <n>', 'UDP port of the key', String(DEFAULT_UDP_PORT))
  .option('--json', 'JSON output')
  .action(info);

program.parseAsync().catch((e: unknown) => {
  process.stderr.write(`ctap-emu: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
