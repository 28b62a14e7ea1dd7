import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Four files at once on 2 cores: the suite is bound by the CPU its agent CLIs, checks and git
    // use, but several files spend long stretches waiting (an agent CLI's own rate-limit backoff,
    // idle timeouts), which a fourth file fills.
    maxWorkers: 4,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Bundles the CLI host that runs board commands in-process (test/helpers/in-process-cli.ts).
    globalSetup: ['test/setup/cli-host-bundle.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
