// `ctap-emu creds export|import`: a keystore's credentials as WebAuthn Automation / DevTools
// WebAuthn.Credential JSON, offline, so passkeys move to and from other virtual authenticators.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { AutomationError, parseCredentialJson } from '../node/automation/credentialJson.js';
import { addCredential, getCredentials } from '../node/automation/credentials.js';
import { ImportingStore } from '../node/automation/importedStore.js';
import { CliError, ExitCode, printJson, withStore, type StoreOptions } from './common.js';

export async function credsExport(o: StoreOptions & { privateKeys?: boolean; out?: string }): Promise<void> {
  const credentials = await withStore(o, (store) => getCredentials(new ImportingStore(store), { includePrivateKeys: o.privateKeys }));
  if (o.privateKeys) {
    process.stderr.write('ctap-emu: warning: the export holds private keys; anyone who reads it can sign in as these users. Keep it 0600 and delete it after use.\n');
  }
  if (o.out === undefined) return printJson(credentials);
  writeFileSync(o.out, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(o.out, 0o600); // a file that was there keeps its mode otherwise
  process.stderr.write(`exported ${credentials.length} credential${credentials.length === 1 ? '' : 's'} to ${o.out}\n`);
}

/** One credential or an array of them; every one checked before any is stored. */
function readCredentials(file: string): unknown[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`);
  }
  const list = Array.isArray(json) ? json : [json];
  list.forEach((c, i) => {
    try {
      parseCredentialJson(c, 0);
    } catch (e) {
      throw e instanceof AutomationError ? new CliError(`${file}: credential ${i + 1}: ${e.message}`, ExitCode.usage) : e;
    }
  });
  return list;
}

export async function credsImport(file: string, o: StoreOptions): Promise<void> {
  const list = readCredentials(file);
  const n = await withStore(o, (store) => {
    const importing = new ImportingStore(store);
    list.forEach((c, i) => {
      try {
        addCredential(importing, c, Date.now());
      } catch (e) {
        if (!(e instanceof AutomationError)) throw e;
        throw new CliError(`${file}: credential ${i + 1}: ${e.message}${i > 0 ? ` (the ${i} before it were imported)` : ''}`);
      }
    });
    return list.length;
  });
  process.stderr.write(`imported ${n} credential${n === 1 ? '' : 's'}\n`);
}
