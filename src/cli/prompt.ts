// `--presence prompt`: the person at the terminal approves each touch.
import { createInterface } from 'node:readline';
import type { PresenceRequest } from '../ctap2/env.js';
import type { PresenceCallback } from '../node/presencePolicy.js';

function describe(r: PresenceRequest): string {
  const what = r.probe ? `${r.command} (the answer will be an error either way)` : r.command;
  const held = r.longTouch && '(a long touch: held for 10 seconds)';
  return [what, r.rpId && `for ${r.rpId}`, r.userName && `(user ${r.userName})`, held].filter(Boolean).join(' ');
}

/** Asks on stderr, reads y/n from stdin; a cancelled request stops asking. */
export function terminalPresence(): PresenceCallback {
  return (request, signal) =>
    new Promise((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const done = (approved: boolean): void => {
        signal.removeEventListener('abort', onAbort);
        rl.close();
        resolve(approved);
      };
      const onAbort = (): void => {
        process.stderr.write('\n(cancelled by the host)\n');
        done(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      rl.question(`Touch requested: ${describe(request)}. Approve? [y/N] `, (a) => done(/^y(es)?$/i.test(a.trim())));
    });
}
