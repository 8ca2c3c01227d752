import { defineConfig } from 'vitest/config';

/** pnpm test:chaos — real processes, Redis servers of its own, the fake WeCom. */
export default defineConfig({
  test: {
    include: ['chaos/**/*.chaos.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 60_000,
  },
});
