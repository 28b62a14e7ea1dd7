import { defineConfig } from 'vitest/config';

/*
 * Most test files spend their time waiting on processes they start (baton, git, agent CLIs,
 * checks), so they run side by side. The storms and crash rounds start dozens of processes and
 * time their kills; they run afterwards, one file at a time, with the machine to themselves.
 */
const STORMS = ['test/concurrency.test.ts', 'test/crash.test.ts', 'test/run-crash.test.ts'];

export default defineConfig({
  test: {
    // Up to four files at once on two cores: most of a file's time is spent waiting, not computing.
    maxWorkers: 4,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'side-by-side', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: STORMS, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'storms', include: STORMS, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
