// CLI failures: one line for the user, a chosen exit code, never a stack.
import { CommanderError } from 'commander';
import { KeystoreError } from '../keystore/errors.js';
import { CtapError, Status } from '../ctap/status.js';

export const ExitCode = { ok: 0, failure: 1, usage: 2, notFound: 3 } as const;

/** A failure the user can act on: one line, a chosen exit code, no stack. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = ExitCode.failure) {
    super(message);
  }
}

/** What a wrong, locked-out or blocked PIN means, said the same by every command that takes one. */
export const PIN_MESSAGES: Readonly<Record<number, string>> = {
  [Status.CTAP2_ERR_PIN_INVALID]: 'wrong PIN',
  [Status.CTAP2_ERR_PIN_AUTH_BLOCKED]: 'three wrong PINs in a row: restart the key (power cycle) to try again',
  [Status.CTAP2_ERR_PIN_BLOCKED]: 'the PIN is blocked (no retries left): only a reset brings the key back',
};

/** A CTAP error from a key as a one-line CliError, in the caller's words where it has some; anything else rethrown. */
export function ctapErrorAsCli(e: unknown, messages: Readonly<Record<number, string>>): never {
  if (!(e instanceof CtapError)) throw e;
  throw new CliError(messages[e.status] ?? e.message);
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
