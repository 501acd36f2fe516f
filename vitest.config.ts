import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/src/**/*.test.ts', 'relay/src/**/*.test.ts', 'relay/test/**/*.test.ts', 'web/src/**/*.test.ts', 'web/test/**/*.test.ts', 'scripts/**/*.test.ts'],
    // Integration tests start real relays on ephemeral ports; two workers match the 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
