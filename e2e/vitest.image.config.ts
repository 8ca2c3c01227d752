import { defineConfig } from 'vitest/config';

/** The image test (scripts/image-test.sh): builds and runs the container image. */
export default defineConfig({
  test: {
    include: ['image/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 900_000,
  },
});
