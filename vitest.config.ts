import { defineConfig } from 'vitest/config';

/*
 * Test files run side by side. The storms and crash rounds start dozens of processes and
 * time their kills; they run afterwards, one file at a time, with the machine to themselves.
 */
const STORMS = ['test/concurrency.test.ts', 'test/crash.test.ts', 'test/run-crash.test.ts'];

export default defineConfig({
  test: {
    // Two files at once: the suite is bound by the CPU its agent CLIs, checks and git use, so more
    // workers on a 2-core machine only slow each test towards its timeouts.
    maxWorkers: 4,
    // Bundles the CLI host that runs board commands in-process (test/helpers/in-process-cli.ts).
    globalSetup: ['test/setup/cli-host-bundle.ts'],
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
