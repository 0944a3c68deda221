#!/usr/bin/env node
// The ctap-emu command line: commander wiring only; each command lives in src/cli/.
import { Command, Option } from 'commander';
import { ExitCode, exitFor } from './cli/errors.js';
import { parseAaguidListOption, parseAaguidOption, prepareOptions } from './cli/options.js';
import { optionTable, protectDashLedIds } from './cli/argv.js';
import { SERVE_DEFAULTS } from './cli/serveDefaults.js';

/** A command's action as commander calls it: its arguments, its options, the command. */
type Action = (...args: any[]) => unknown;
/**
 * A command's action, its module loaded only when that command runs: `--help`, `--version` and
 * each command start without loading every other command (and the key, the store and the
 * attestation code that most of them bring).
 */
const lazy = <M>(load: () => Promise<M>, pick: (m: M) => Action) => async (...args: Parameters<Action>): Promise<void> => {
  await pick(await load())(...args);
};
const bioCmd = () => import('./cli/bio.js');
const blobsCmd = () => import('./cli/blobs.js');
const credsCmd = () => import('./cli/creds.js');
const credsTransferCmd = () => import('./cli/credsTransfer.js');
const ctlCmd = () => import('./cli/ctl.js');
const faultsCmd = () => import('./cli/faults.js');
const pinCmd = () => import('./cli/pin.js');
const traceCmd = () => import('./cli/trace.js');

const STORE_HELP = 'keystore file (default: $CTAP_EMU_STORE or ~/.local/share/ctap-emu/keystore.sqlite)';
const PASS_HELP = 'passphrase of an encrypted keystore (visible to other local users: prefer --passphrase-file or $CTAP_EMU_PASSPHRASE)';
const PASS_FILE_HELP = 'read the passphrase from this file (its first line)';
const PIN_FILE_HELP = 'read the PIN from this file (its first line)';
const UDP_HELP = 'talk to a running key over UDP at [host:]port (a bare --udp: 127.0.0.1:8111) instead of opening the keystore';
const DEVICE_HELP = 'talk to the HID security key at this path (see `ctap-emu devices`) instead of opening the keystore';

const program = new Command('ctap-emu')
  .description('A software FIDO2 security key (CTAP2 over CTAPHID), for tests, tools and browsers.')
  .version('0.1.0')
  .exitOverride()
  .hook('preAction', (_program, actionCommand) => prepareOptions(actionCommand))
  .showHelpAfterError()
  .addHelpText('after', `
Exit codes: 0 success, 1 failure (the message says why), 2 usage error, 3 no such credential.

Secrets: a PIN or passphrase given as an option is visible to every local user (ps). Put it in a
file (--pin-file, --new-pin-file, --passphrase-file) or the environment ($CTAP_EMU_PIN for the PIN
a key already has, $CTAP_EMU_PASSPHRASE) instead.

Examples:
  ctap-emu serve                       run the key (uhid where usable, else UDP 127.0.0.1:8111)
  ctap-emu serve --memory --pin 1234   a throw-away key with a PIN
  ctap-emu creds list                  passkeys in the default keystore
  ctap-emu creds list --device /dev/hidraw3
                                       passkeys on a USB security key (asks for its PIN)
  ctap-emu demo                        a whole passkey ceremony, in-process`);

const withStoreOptions = (c: Command): Command =>
  c.option('--store <path>', STORE_HELP).option('--passphrase <text>', PASS_HELP).option('--passphrase-file <path>', PASS_FILE_HELP);
/** Commands that talk to a key: the one of a keystore (run in-process), or a running one. */
const withKeyOptions = (c: Command): Command => withStoreOptions(c).option('--udp [hostport]', UDP_HELP).option('--device <path>', DEVICE_HELP);
/** Commands that reach a key's credentials, which take its PIN. */
const keyPinOptions = (c: Command): Command => withKeyOptions(c)
  .option('--pin <pin>', "the key's PIN (or $CTAP_EMU_PIN; asked on the terminal when needed and absent)").option('--pin-file <path>', PIN_FILE_HELP)
  .option('--json', 'JSON output');

withStoreOptions(program.command('serve').description('run the key until Ctrl-C'))
  .addOption(new Option('--transport <kind>', 'auto: uhid where usable, else UDP').choices(['auto', 'uhid', 'udp']).default(SERVE_DEFAULTS.transport))
  .option('--host <address>', 'UDP address to listen on (loopback unless you say otherwise)', SERVE_DEFAULTS.host)
  .option('--port <n>', 'UDP port', SERVE_DEFAULTS.port)
  .option('--memory', 'keep everything in memory; nothing is written')
  .option('--keys <n>', 'serve N keys, each with its own keystore (--store DIR/ or a name with {n}), UDP port (--port, --port + 1...) or uhid device')
  .option('--presence <policy>', 'what happens when the key asks for a touch: approve, prompt, deny, delay:MS (a touch after MS ms), or timeout (none: with --control, ctl touch gives it); with --keys, this and --uv, --pin, --aaguid, --attestation, --profile, --counter take one for all or one per key comma-separated (an empty place: that key\'s default)', SERVE_DEFAULTS.presence)
  .option('--allow-reset', 'let approve and delay:MS approve authenticatorReset on a keystore file (it wipes every passkey and the PIN)')
  .option('--uv <result>', 'emulate a built-in fingerprint sensor that always matches (match) or never does (nomatch)')
  .option('--pin <pin>', 'set this PIN on a keystore that has none')
  .option('--pin-file <path>', PIN_FILE_HELP)
  .option('--aaguid <hex>', 'AAGUID to report (32 hex digits, dashes allowed)', parseAaguidListOption)
  .option('--rs256', 'also make RS256 (RSA-2048) credentials, discoverable ones only (off by default, as on hardware keys)')
  .option('--attestation <type>', 'packed attestation: basic (the batch certificate, signed by the key\'s CA) or self')
  .option('--attestation-chain <pem>', 'your own attestation certificates (PEM: the attestation certificate first, the root last if given), with --attestation-key')
  .option('--attestation-key <pem>', 'the attestation certificate\'s P-256 private key (PEM)')
  .option('--profile <name>', 'the kind of key: default, yubikey5, solo, fido20, u2f, no-rk, no-pin, bio (README: Device profiles)')
  .option('--counter <model>', 'signature counters: per-credential (default), global, zero, random-step[:MAX[:SEED]], wrap, rollback')
  .option('--enterprise-rp <rpId...>', 'RP IDs given vendor-facilitated enterprise attestation, once a host enables it (the key\'s own certificate, naming its serial number)')
  .option('-v, --verbose', 'log each request and response, decoded, with PINs, keys and tokens redacted')
  .option('--control <where>', 'serve the control API (HTTP+JSON, bearer token) on this 127.0.0.1 port, or unix:PATH')
  .option('--control-token-file <path>', 'the control API token is this file\'s text (default: a random one, printed at start)')
  .option('--conformance', 'with --control PORT: the FIDO Conformance Tools\' automation paths (/conformance/userpresence, /conformance/powercycle), without the token; with --keys, for key 0')
  .option('--ui', 'with --control PORT: the key\'s own window at http://127.0.0.1:PORT/ui (the pending touch, passkeys, events, trace); it asks for the control token')
  .option('--fault <json>', 'a fault rule in force from the start (JSON, see README "Fault injection"); repeatable; with --keys, on every key (ctl fault add --key N for one)', (v: string, all: string[] = []) => [...all, v])
  .option('--trace <file>', 'record every HID report in and out, and each message decoded (secrets redacted as by -v), as JSON lines (created 0600)')
  .action(lazy(() => import('./cli/serve.js'), (m) => m.serve));

const trace = program.command('trace').description('a `serve --trace` recording: read it, or send it again to a key and compare the answers');
trace.command('show').description('the messages, one line each with its time (ms), key and channel').argument('<file>')
  .option('--reports', 'also each 64-byte report, under its message').option('--key <n>', 'only this key (serve --keys)').action(lazy(traceCmd, (m) => m.traceShow));
trace.command('replay').description('send the recorded host side to a fresh in-process key (or --udp, --device) and diff the answers: exit 0 when they match, 1 otherwise')
  .argument('<file>').option('--udp [hostport]', 'a running key over UDP at [host:]port instead of a fresh in-process one')
  .option('--device <path>', 'a HID security key instead of a fresh in-process one')
  .option('--key <n>', 'the session of this recorded key (serve --keys; default 0)')
  .option('--timeout <ms>', 'how long an answer may take, counted again at each keepalive', '5000')
  .option('--pin <pin>', "the key's PIN (or $CTAP_EMU_PIN): PIN/UV auth is made again with it instead of skipped").option('--pin-file <path>', PIN_FILE_HELP)
  .action(lazy(traceCmd, (m) => m.traceReplay));

const creds = program.command('creds')
  .description('discoverable credentials (passkeys): in a keystore, offline, or on a key (--udp, --device) through credential management with its PIN');
keyPinOptions(creds.command('list').description('list them (a table, or --json)')).option('--rp <rpId>', 'only this relying party').action(lazy(credsCmd, (m) => m.credsList));
keyPinOptions(creds.command('show').description('everything about one (ID in base64url, or a unique prefix)').argument('<id>')).action(lazy(credsCmd, (m) => m.credsShow));
keyPinOptions(creds.command('delete').description('delete one, after asking; the key will no longer find it').argument('<id>'))
  .option('-y, --yes', 'do not ask for confirmation').action(lazy(credsCmd, (m) => m.credsDelete));
withStoreOptions(creds.command('export').description('every credential as WebAuthn.Credential JSON (DevTools, WebDriver)'))
  .option('--private-keys', 'include the private keys (PKCS#8): needed to import them elsewhere; handle the output as a secret')
  .option('--out <file>', 'write to this file (created 0600) instead of stdout').action(lazy(credsTransferCmd, (m) => m.credsExport));
withStoreOptions(creds.command('import').description('add credentials from WebAuthn.Credential JSON (one or an array; - for stdin)').argument('<file>'))
  .action(lazy(credsTransferCmd, (m) => m.credsImport));

const CONTROL_HELP = 'the control API: http://127.0.0.1:PORT or unix:PATH, as serve printed it (default $CTAP_EMU_CONTROL)';
const ctl = program.command('ctl').description('drive a running `serve --control`: credentials, the user, power');
const ctlCommand = (name: string, description: string, parent: Command = ctl): Command => parent.command(name).description(description)
  .option('--control <url>', CONTROL_HELP)
  .option('--token <token>', 'the bearer token (visible to other local users: prefer --token-file or $CTAP_EMU_TOKEN)')
  .option('--token-file <path>', 'read the token from this file')
  .option('--key <n>', 'which key of a `serve --keys N` (0, the default, is the first)');
ctlCommand('key', 'the key: AAGUID, algorithms, PIN, UV, presence policy, credential counts').action(lazy(ctlCmd, (m) => m.ctlKey));
ctlCommand('keys', 'every key of a `serve --keys N`, each as `ctl key` shows it, with its index').action(lazy(ctlCmd, (m) => m.ctlKeys));
ctlCommand('power-cycle', 'unplug and replug: tokens, walks and channels go; credentials stay').action(lazy(ctlCmd, (m) => m.ctlPowerCycle));
ctlCommand('reset', 'wipe every credential and the PIN, as authenticatorReset, without a touch').action(lazy(ctlCmd, (m) => m.ctlReset));
ctlCommand('list', 'every credential (WebAuthn.Credential JSON)').option('--private-keys', 'include the private keys').action(lazy(ctlCmd, (m) => m.ctlList));
ctlCommand('get', 'one credential by its base64url ID').argument('<id>').option('--private-keys', 'include the private key').action(lazy(ctlCmd, (m) => m.ctlGet));
ctlCommand('add', 'add credentials from WebAuthn.Credential JSON (one or an array; - for stdin)').argument('<file>').action(lazy(ctlCmd, (m) => m.ctlAdd));
ctlCommand('remove', 'remove one credential').argument('<id>').action(lazy(ctlCmd, (m) => m.ctlRemove));
ctlCommand('remove-all', 'remove every credential (the PIN stays)').action(lazy(ctlCmd, (m) => m.ctlRemoveAll));
ctlCommand('set', "change a credential's signature counter or user names").argument('<id>')
  .option('--sign-count <n>', 'the counter; the next assertion answers n + 1').option('--user-name <name>', 'user.name')
  .option('--user-display-name <name>', 'user.displayName').action(lazy(ctlCmd, (m) => m.ctlSet));
ctlCommand('props', "a credential's backup flags (WebAuthn Automation's setCredentialProperties): BE and BS in its assertions").argument('<id>')
  .option('--backup-eligibility <bool>', 'BE: true or false').option('--backup-state <bool>', 'BS: true or false (true needs BE)').action(lazy(ctlCmd, (m) => m.ctlProps));
ctlCommand('uv', 'what the built-in UV answers from now on (serve --uv keys)').argument('<verified>', 'true or false').action(lazy(ctlCmd, (m) => m.ctlUv));
const fault = ctl.command('fault').description('fault rules: make the key misbehave on purpose (README "Fault injection")');
const faultCommand = (name: string, description: string): Command => ctlCommand(name, description, fault);
faultCommand('add', 'add a rule: JSON, or flags').argument('[json]', 'the rule as JSON')
  .option('--command <name>', 'a CTAP2 command (getAssertion...), U2F_REGISTER or U2F_AUTHENTICATE, CTAPHID_PING... for transport faults, or any (CTAP2)')
  .option('--rp-id <rpId>', 'only requests for this RP').option('--credential-id <id>', 'only this credential (base64url)')
  .option('--nth <n>', 'only the Nth matching request').option('--first <n>', 'the first N matching requests')
  .option('--probability <p>', 'each matching request with probability p (0-1)').option('--seed <n>', 'the PRNG seed for --probability (default 0)')
  .option('--fault <type|json>', 'the fault: a type (badSignature, channelBusy...) or JSON ({"type":"status","status":"CTAP2_ERR_PIN_INVALID"})')
  .action(lazy(faultsCmd, (m) => m.ctlFaultAdd));
faultCommand('list', 'the rules, with how often each matched (seen) and acted (fired)').action(lazy(faultsCmd, (m) => m.ctlFaultList));
faultCommand('remove', 'remove one rule').argument('<id>').action(lazy(faultsCmd, (m) => m.ctlFaultRemove));
faultCommand('clear', 'remove every rule').action(lazy(faultsCmd, (m) => m.ctlFaultClear));
ctlCommand('counter', 'how signature counters go from the next use on: per-credential, global, zero, random-step[:MAX[:SEED]], wrap, rollback')
  .argument('<model>').option('--credential <id>', 'only this credential (base64url ID)').action(lazy(ctlCmd, (m) => m.ctlCounter));
ctlCommand('presence', 'what the user does at the next touch: approve, deny, timeout or delay:MS').argument('<policy>').action(lazy(ctlCmd, (m) => m.ctlPresence));
ctlCommand('touch', 'touch the key: the touch it waits for now, or else its next one (whatever the presence policy)').action(lazy(ctlCmd, (m) => m.ctlTouch));
ctlCommand('answer', 'answer what the key waits for now: approve or deny a touch, verify or fail-verification a finger, or timeout')
  .argument('<action>').action(lazy(ctlCmd, (m) => m.ctlAnswer));
ctlCommand('events', 'the key\'s events as they come, one JSON per line with its id (requests, touches, credentials, PIN, reset, power)')
  .option('--last-event-id <id>', 'first the events after this one that the key still keeps (an events-lost line when some are gone)').action(lazy(ctlCmd, (m) => m.ctlEvents));

withKeyOptions(program.command('info').description("the key's getInfo"))
  .option('--json', 'JSON output').action(lazy(() => import('./cli/info.js'), (m) => m.info));

const attestation = program.command('attestation').description("the key's attestation CA and batch certificate");
withStoreOptions(attestation.command('export').description('write the CA certificate (PEM) and an MDS3 metadata statement (JSON) for relying parties'))
  .option('--out <dir>', 'directory to write them to', '.')
  .option('--aaguid <hex>', 'the AAGUID the key is served with, if not the default', parseAaguidOption)
  .option('--memory', 'a throw-away key (for trying it out)')
  .action(lazy(() => import('./cli/attestation.js'), (m) => m.attestationExport));

program.command('devices').description('list the FIDO security keys the OS shows (HID usage page 0xF1D0)')
  .option('--json', 'JSON output').action(lazy(() => import('./cli/devices.js'), (m) => m.devices));

withKeyOptions(program.command('reset').description('delete every credential and the PIN (authenticatorReset)'))
  .option('-y, --yes', 'do not ask for confirmation').action(lazy(() => import('./cli/reset.js'), (m) => m.reset));

const pin = program.command('pin').description("the key's PIN");
withKeyOptions(pin.command('set').description('set a PIN on a key that has none'))
  .option('--new-pin <pin>', 'the PIN (asked on the terminal when absent)')
  .option('--new-pin-file <path>', PIN_FILE_HELP).action(lazy(pinCmd, (m) => m.pinSet));
withKeyOptions(pin.command('change').description('change the PIN'))
  .option('--pin <pin>', 'the current PIN (or $CTAP_EMU_PIN)').option('--pin-file <path>', PIN_FILE_HELP)
  .option('--new-pin <pin>', 'the new PIN').option('--new-pin-file <path>', 'read the new PIN from this file').action(lazy(pinCmd, (m) => m.pinChange));
withKeyOptions(pin.command('status').description('whether a PIN is set, retries left, policy'))
  .option('--json', 'JSON output').action(lazy(pinCmd, (m) => m.pinStatus));

const blobs = program.command('blobs').description("the key's large-blob array (largeBlobs), per credential with its largeBlobKey");
keyPinOptions(blobs.command('list').description('the entries of the array; with the PIN, the credential each belongs to')).action(lazy(blobsCmd, (m) => m.blobsList));
keyPinOptions(blobs.command('get').description("a credential's blob (ID in base64url, or a unique prefix), to stdout or --out").argument('<id>'))
  .option('--out <path>', 'write the blob to this file').action(lazy(blobsCmd, (m) => m.blobsGet));
keyPinOptions(blobs.command('set').description("store a credential's blob, replacing its old one").argument('<id>'))
  .option('--file <path>', 'the blob is this file').option('--data <text>', 'the blob is this text (UTF-8)')
  .option('--base64url <b64>', 'the blob in base64url').action(lazy(blobsCmd, (m) => m.blobsSet));
keyPinOptions(blobs.command('delete').description("delete a credential's blob").argument('<id>')).action(lazy(blobsCmd, (m) => m.blobsDelete));

const bio = program.command('bio').description("fingers on a key whose sensor enrolls them (bioEnroll): serve --profile bio, or e.g. a YubiKey Bio");
withKeyOptions(bio.command('info').description('the fingerprint sensor: kind, samples per finger')).option('--json', 'JSON output').action(lazy(bioCmd, (m) => m.bioInfo));
keyPinOptions(bio.command('list').description('the enrolled fingers: template ID and name')).action(lazy(bioCmd, (m) => m.bioList));
keyPinOptions(bio.command('enroll').description('enroll a finger: touch the sensor until it has enough samples'))
  .option('--name <name>', 'a friendly name for it').option('--timeout <seconds>', 'how long the key waits for each touch').action(lazy(bioCmd, (m) => m.bioEnroll));
keyPinOptions(bio.command('rename').description('rename a finger (template ID in hex, as list shows it)').argument('<templateId>').argument('<name>')).action(lazy(bioCmd, (m) => m.bioRename));
keyPinOptions(bio.command('remove').description('remove a finger').argument('<templateId>')).action(lazy(bioCmd, (m) => m.bioRemove));

program.command('demo').description('register a passkey and sign in with it, in-process, step by step')
  .option('--pin <pin>', 'PIN of the demo key (or $CTAP_EMU_PIN)', '1234').option('--pin-file <path>', PIN_FILE_HELP).action(lazy(() => import('./cli/demo.js'), (m) => m.demo));

// `ctap-emu creds list | head`: a closed pipe ends the output, not the process with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(ExitCode.ok);
  throw e;
});

program.parseAsync(protectDashLedIds(process.argv, optionTable(program))).catch((e: unknown) => {
  const { code, message } = exitFor(e);
  if (message !== undefined) process.stderr.write(`ctap-emu: ${message}\n`);
  process.exit(code);
});
