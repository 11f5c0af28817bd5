import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure logic, no server, runs anywhere in seconds: `npm run test:unit`) and
 * `integration` (real private MariaDB servers started once by the global setup, and the CLI tests
 * that spawn the built binary against them).
 */
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: integration files share one server pair; too many workers only adds contention.
    maxWorkers: 3,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/cli/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
