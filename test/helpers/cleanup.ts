// Things a test opens (keys, clients, HID hosts) and closes after it: `closeLater(fn)` in the test,
// and every fn runs after each test, last opened first.
import { afterEach } from 'vitest';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

export function closeLater(...close: (() => unknown)[]): void {
  closers.push(...close);
}
