import { defineConfig } from 'vitest/config';

// The VM suites run on their own afterwards (vitest.vm.config.ts): under software emulation they
// need the machine's CPUs to themselves.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], exclude: ['test/conformance/vm.test.ts', '**/node_modules/**'], testTimeout: 20_000 },
});
