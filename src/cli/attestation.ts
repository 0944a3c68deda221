// `ctap-emu attestation export`: the key's attestation CA (PEM) and an MDS3 metadata statement
// (JSON) for its AAGUID, for relying parties that check attestation trust against this key.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pem } from '../ctap2/attestation/der.js';
import { metadataStatement } from '../node/metadata.js';
import { VirtualAuthenticator } from '../node/virtual.js';
import type { CredentialStore } from '../keystore/types.js';
import { CliError } from './errors.js';
import { withStore, type StoreOptions } from './store.js';
import { formatUuid } from '../util/bytes.js';

export interface ExportOptions extends StoreOptions {
  out: string;
  aaguid?: string;
  memory?: boolean;
}

async function write(o: ExportOptions, store: CredentialStore | 'memory'): Promise<void> {
  const key = new VirtualAuthenticator({ store, aaguid: o.aaguid, resetWindowMs: null });
  try {
    const root = key.authenticator.attestation().root;
    if (!root) throw new CliError('this key has no attestation root certificate to export');
    const statement = await metadataStatement(key);
    const aaguid = formatUuid(key.authenticator.config.aaguid);
    try {
      mkdirSync(o.out, { recursive: true });
      const caPath = join(o.out, 'ctap-emu-attestation-ca.pem');
      const mdsPath = join(o.out, `${aaguid}.json`);
      writeFileSync(caPath, pem('CERTIFICATE', root));
      writeFileSync(mdsPath, `${JSON.stringify(statement, null, 2)}\n`);
      process.stdout.write(`${caPath}\n${mdsPath}\n`);
    } catch (e) {
      throw new CliError(`cannot write to ${o.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } finally {
    key.close();
  }
}

export async function attestationExport(o: ExportOptions): Promise<void> {
  if (o.memory) return write(o, 'memory');
  return withStore(o, (store) => write(o, store));
}
