import { defineConfig } from 'vitest/config';

// The QEMU suites (test/vm): run after the others, one at a time.
export default defineConfig({
  test: { include: ['test/conformance/vm.test.ts'], fileParallelism: false, testTimeout: 1_000_000 },
});
