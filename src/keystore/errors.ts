// The one error the keystore throws: a single line the user can act on, never a raw SQLite or fs error.

export class KeystoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeystoreError';
  }
}

/** The first line of an error's message, for wrapping errors that are not ours. */
export function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n', 1)[0]!.trim();
}

/** An error's whole message on one line (native loaders explain themselves over several). */
export function oneLine(e: unknown, max = 300): string {
  const m = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
  return m.length > max ? `${m.slice(0, max - 1)}…` : m;
}

/** A Node fs error code (ENOENT, EACCES...), if it is one. */
export function errnoCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' && /^E[A-Z]+$/.test(c) ? c : undefined;
}
