import { ran, testKey, type TestCaseResult, type TestReport, type TestStatus } from './test-results.js';

/**
 * A green check proves nothing if the agent made it green by removing the tests that were red.
 * So every test that ran before the task (at the baseline) must still run after it, unless
 * the task may remove it. Tests are told apart by file and name, never by counts: deleting one
 * test and adding another is still a deleted test.
 */
export interface IntegrityViolation {
  key: string;
  file: string | null;
  name: string;
  /** How it ended at the baseline: it ran. */
  was: TestStatus;
  /** Missing: removed, or renamed away; skipped or todo: still there, no longer run. */
  now: 'missing' | 'skipped' | 'todo';
}

export interface IntegrityOptions {
  /** Whether the task may stop running this test (it removes the feature the test covers). */
  mayRemove: (test: TestCaseResult) => boolean;
}

/**
 * The baseline's tests that ran and no longer do. Tests added since, and tests already skipped
 * or todo at the baseline, are fine. Two tests with the same key (a runner that repeats names)
 * count as two: as many must still run.
 */
export function integrityViolations(baseline: TestReport, current: TestReport, options: IntegrityOptions): IntegrityViolation[] {
  const now = new Map<string, TestStatus[]>();
  for (const test of current.tests) {
    const key = testKey(test);
    const statuses = now.get(key);
    if (statuses) statuses.push(test.status);
    else now.set(key, [test.status]);
  }
  const violations: IntegrityViolation[] = [];
  for (const test of baseline.tests) {
    if (!ran(test)) continue;
    const key = testKey(test);
    const statuses = now.get(key) ?? [];
    // Each baseline test takes one current test with its key: one that runs if there is one.
    let taken = statuses.findIndex((status) => ran({ status }));
    if (taken < 0) taken = statuses.indexOf('skipped');
    if (taken < 0) taken = statuses.indexOf('todo');
    const status = taken >= 0 ? statuses.splice(taken, 1)[0] : undefined;
    if (status === 'passed' || status === 'failed' || options.mayRemove(test)) continue;
    violations.push({ key, file: test.file, name: test.name, was: test.status, now: status ?? 'missing' });
  }
  return violations;
}

/** The violations as one failure an agent can act on, naming each test. Empty when there are none. */
export function integrityFailureText(violations: readonly IntegrityViolation[]): string {
  if (violations.length === 0) return '';
  const count = violations.length === 1 ? '1 test that ran before this task no longer runs' : `${violations.length} tests that ran before this task no longer run`;
  const lines = violations.map((violation) => `- ${violation.file === null ? '' : `${violation.file}: `}${violation.name} (${violation.was} before, ${describeNow(violation.now)})`);
  return [`${count}:`, ...lines, 'Restore them and make them pass: a test may not be removed, renamed, skipped or marked todo to make the checks pass.'].join('\n');
}

function describeNow(now: IntegrityViolation['now']): string {
  if (now === 'missing') return 'now missing: removed or renamed';
  return now === 'skipped' ? 'now skipped' : 'now marked todo';
}
