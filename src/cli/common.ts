// What every CLI command shares, under the names serve, reset and the rest import: errors with
// exit codes, the keystore, a key to talk to, the terminal, output.
export { CliError, ctapErrorAsCli, ExitCode, exitFor, oneLine, PIN_MESSAGES } from './errors.js';
export { passphrase, storePath, withStore, type StoreOptions } from './store.js';
export { isRemote, parseHostPort, remoteName, withKey, type KeyOptions } from './key.js';
export { askSecret, confirmOrStop } from './terminal.js';
export { printJson, printJsonArray, printTable } from './output.js';
