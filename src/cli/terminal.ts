// Asking the person at the terminal: a yes/no question, or a secret without echo.
import { createInterface } from 'node:readline';
import { CliError, ExitCode } from './errors.js';

/** Asks a yes/no question on the terminal; false when there is no terminal to ask. */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/**
 * Goes on only if `yes` (the user gave --yes) or the user says yes on the terminal; otherwise stops
 * with "`refused`" (and, with no terminal to ask on, how to confirm).
 */
export async function confirmOrStop(question: string, refused: string, yes?: boolean): Promise<void> {
  if (yes || (await confirm(question))) return;
  throw new CliError(process.stdin.isTTY ? refused : `${refused}: confirm with --yes (no terminal to ask on)`);
}

/** Reads a secret from the terminal without echoing it. */
export async function askSecret(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new CliError(`${prompt.replace(/:\s*$/, '')} is needed: pass it as an option, a file or an environment variable (no terminal to ask on)`, ExitCode.usage);
  }
  process.stderr.write(prompt);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  let value = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (buf: Buffer): void => {
        for (const ch of buf.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return (stdin.off('data', onData), resolve());
          if (ch === '\u0003') return (stdin.off('data', onData), reject(new CliError('cancelled')));
          if (ch === '\u007f') value = [...value].slice(0, -1).join('');
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
  return value;
}
