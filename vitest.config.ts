import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Concurrency tests start dozens of processes; two cores are busy enough with one file at a time.
    fileParallelism: false,
    reporters: ['default'],
  },
});
