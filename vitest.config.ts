import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that spend most of their time waiting (an agent CLI's own rate-limit backoff, idle
 * timeouts) rather than computing. They start first, so that their waits overlap the rest of the
 * suite instead of trailing it; vitest's own order (slowest first, by the last run's times, or
 * largest first on a fresh clone) decides the rest.
 */
const MOSTLY_WAITING = ['src/adapters/agents/acp-executor.qwen.test.ts', 'src/adapters/agents/claude-executor.test.ts', 'test/run-scenarios.test.ts'];

class WaitingFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const waits = (file: TestSpecification): boolean => MOSTLY_WAITING.some((path) => file.moduleId.endsWith(path));
    return [...sorted.filter(waits), ...sorted.filter((file) => !waits(file))];
  }
}

export default defineConfig({
  test: {
    // Five files at once on 2 cores: the suite is bound by the CPU its agent CLIs, checks and git
    // use, but many files spend long stretches waiting (agent sessions, backoffs, idle timeouts),
    // which the extra files fill (4m43s-4m51s in a clean-clone CI run, against 4m43s-5m17s with four). The storms
    // and crash rounds run among the others: they judge correctness, not timing.
    maxWorkers: 5,
    // A worker runs its files one after another in one module graph instead of loading vitest,
    // the helpers and the code under test again for each file: 9% less CPU for the suite (623 s
    // against 684 s, user + sys, in one loaded run). A test must not count on a module's state
    // being fresh: what a module remembers for the process (git's accepted branch names, the
    // containment found) lasts from one file to the next.
    isolate: false,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    sequence: { sequencer: WaitingFilesFirst },
    // Bundles the CLI host that runs board commands in-process (test/helpers/in-process-cli.ts).
    globalSetup: ['test/setup/cli-host-bundle.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
