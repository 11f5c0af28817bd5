import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: integration files share one server pair; too many workers only adds contention.
    maxWorkers: 3,
    reporters: ['default'],
  },
});
