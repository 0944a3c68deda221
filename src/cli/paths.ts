// Where the CLI keeps the keystore when the user names none.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** $CTAP_EMU_STORE, else $XDG_DATA_HOME/ctap-emu/keystore.sqlite, else ~/.local/share/ctap-emu/keystore.sqlite. */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CTAP_EMU_STORE) return env.CTAP_EMU_STORE;
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'ctap-emu', 'keystore.sqlite');
}

export function ensureParentDir(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
}
