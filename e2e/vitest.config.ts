import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // The start-up table runs its processes side by side; more than three at once on 2 cores blurs their timings.
    maxConcurrency: 3,
  },
});
