// CLI failures: one line for the user, a chosen exit code, never a stack.
import { CommanderError } from 'commander';
import { KeystoreError } from '../keystore/sqlite.js';

export const ExitCode = { ok: 0, failure: 1, usage: 2, notFound: 3 } as const;

/** A failure the user can act on: one line, a chosen exit code, no stack. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = ExitCode.failure) {
    super(message);
  }
}

/** The first line of a message: errors from libraries sometimes run on. */
export function oneLine(message: string): string {
  return message.split('\n', 1)[0]!.trim();
}

/**
 * What the process prints and exits with for `e`: commander's own outcomes keep theirs (help asked
 * for: 0; help shown because a command is missing: 2), anything else is one line; the stack only
 * with CTAP_EMU_DEBUG set.
 */
export function exitFor(e: unknown, debug = Boolean(process.env.CTAP_EMU_DEBUG)): { code: number; message?: string } {
  if (e instanceof CommanderError) {
    const asked = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || (e.code === 'commander.help' && e.exitCode === 0);
    return { code: asked ? ExitCode.ok : ExitCode.usage };
  }
  if (e instanceof CliError) return { code: e.exitCode, message: oneLine(e.message) };
  if (e instanceof KeystoreError) return { code: ExitCode.failure, message: oneLine(e.message) };
  const message = e instanceof Error ? e.message || e.name : String(e);
  return { code: ExitCode.failure, message: debug && e instanceof Error && e.stack ? e.stack : oneLine(message) };
}
