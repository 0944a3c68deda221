// Waiting in a test for something another process or the event loop brings: polls `check` until it
// holds, failing after `ms`.
export async function until(check: () => boolean, ms = 10_000, what = 'a condition'): Promise<void> {
  for (const end = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
  }
}
