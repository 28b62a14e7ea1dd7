/**
 * What a test runner's report says about each test, whatever the format it came in (TAP,
 * JUnit XML, Rust's libtest): the readers in `adapters/test-reports/` produce it, the feedback, fingerprints
 * and the integrity check read it.
 */
export type TestStatus = 'passed' | 'failed' | 'skipped' | 'todo';

export type TestReportFormat = 'tap' | 'junit' | 'libtest';

/** Formats a command can print as it runs, read from its output when no report file is named. */
export type StreamReportFormat = Exclude<TestReportFormat, 'junit'>;

export interface TestCaseResult {
  /** The test's file, repository-relative when it can be made so; null when the report does not say it for every test. */
  file: string | null;
  /** The full name with its suite path: `cart > totals > adds tax`. */
  name: string;
  status: TestStatus;
  /** The assertion or error message; null when the test did not fail or the runner gave none. */
  message: string | null;
  /** The values the assertion compared, as the runner printed them; null when it did not say. */
  expected: string | null;
  actual: string | null;
  /** Where the failure points (`src/x.test.js:12:5`): the first stack frame in the repository, else where the runner says the test is. */
  location: string | null;
  /** The test's own failure text as the runner printed it; '' when it passed. */
  block: string;
}

export interface TestReport {
  format: TestReportFormat;
  tests: TestCaseResult[];
}

export interface TestCounts {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  todo: number;
}

/**
 * A test's identity across runs: its file and full name. Not its position or its status, so
 * the same test is recognised when it moves, starts failing or is skipped.
 */
export function testKey(test: Pick<TestCaseResult, 'file' | 'name'>): string {
  return test.file === null ? test.name : `${test.file}::${test.name}`;
}

/** How many tests a report holds in each status. */
export function countTests(tests: readonly TestCaseResult[]): TestCounts {
  const counts: TestCounts = { total: tests.length, passed: 0, failed: 0, skipped: 0, todo: 0 };
  for (const test of tests) counts[test.status] += 1;
  return counts;
}

/** `2 failed, 14 passed, 1 skipped, 1 todo`: statuses with no test are left out, failed and passed never. */
export function countsSummary(counts: TestCounts): string {
  const parts = [`${counts.failed} failed`, `${counts.passed} passed`];
  if (counts.skipped > 0) parts.push(`${counts.skipped} skipped`);
  if (counts.todo > 0) parts.push(`${counts.todo} todo`);
  return parts.join(', ');
}

/** The tests that failed, in report order. */
export function failedTests(report: TestReport): TestCaseResult[] {
  return report.tests.filter((test) => test.status === 'failed');
}

/** Whether a test ran: skipped and todo tests did not, whatever the runner counts them as. */
export function ran(test: Pick<TestCaseResult, 'status'>): boolean {
  return test.status === 'passed' || test.status === 'failed';
}
