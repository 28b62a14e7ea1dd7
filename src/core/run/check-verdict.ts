import type { CheckFailure, CheckKind, CheckOutcome } from './check-failure.js';
import { structuredFeedback, unstructuredFeedback } from './failure-feedback.js';
import { errorSignature, reportSignature } from './fingerprint.js';
import { integrityViolations, integrityFailureText } from './test-integrity.js';
import { testKey, type TestCaseResult, type TestReport } from './test-results.js';

/** How one check command ran on a worktree: its exit, its output, and its tests when readable. */
export interface CheckRun {
  checkId: string;
  kind: Extract<CheckKind, 'command' | 'verify'>;
  run: string;
  /** The task's own verify command runs it: a failure here is never excused by the base. */
  requiredByTask: boolean;
  /** Exit 0 within its time. */
  exitedOk: boolean;
  /** `exited with 1`, `timed out after 600 s`, `was killed by SIGKILL`. */
  how: string;
  output: string;
  durationMs: number;
  report: TestReport | null;
}

/** A check as it ran on the untouched base commit of the task: what "before" looked like. */
export interface CheckBaseline {
  checkId: string;
  run: string;
  baseCommit: string;
  exitedOk: boolean;
  how: string;
  /** The output's signature (for checks whose tests cannot be read). */
  signature: string;
  report: TestReport | null;
  recordedAt: string;
}

export interface VerdictPolicy {
  /** Whether failures that were there at the base block the attempt (`block`) or not (`allow`). */
  preexisting: 'allow' | 'block';
  /** A test the task is allowed to remove or skip (declared `removes:test:NAME`). */
  mayRemove: (test: TestCaseResult) => boolean;
  /** A test the task is about (it names the test or its file): its failure is never excused. */
  concernsTask: (test: TestCaseResult) => boolean;
  /** Characters of feedback one check may give the agent. */
  feedbackChars: number;
}

/**
 * What one check says about an attempt, judged against the base: the check passes when its
 * command exits 0 and no test fails in its report; a project check's failure that was already
 * there at the base (the same tests failing, or the same output where no tests can be read) is
 * not the attempt's, unless the policy says otherwise (a task's verify commands are never
 * excused: they say what the task is); and every test that ran at the base must still exist
 * and run (`tests:<id>`), whatever the exit code says.
 */
export function judgeCheck(check: CheckRun, baseline: CheckBaseline | null, policy: VerdictPolicy): CheckOutcome[] {
  const outcomes = [commandOutcome(check, baseline, policy)];
  const integrity = integrityOutcome(check, baseline, policy);
  if (integrity !== null) outcomes.push(integrity);
  return outcomes;
}

function commandOutcome(check: CheckRun, baseline: CheckBaseline | null, policy: VerdictPolicy): CheckOutcome {
  const failing = check.report?.tests.filter((test) => test.status === 'failed') ?? [];
  const base = { checkId: check.checkId, kind: check.kind, durationMs: check.durationMs };
  if (check.exitedOk && failing.length === 0) return { ...base, passed: true, summary: `\`${check.run}\` passed`, detail: '' };
  const known = preexisting(check, failing, baseline, policy);
  // A task's own verify commands are what "done" means for it: a failure there is never excused.
  if (known !== null && policy.preexisting === 'allow' && !check.requiredByTask) {
    return { ...base, passed: true, summary: `\`${check.run}\` fails as it did before the task (${known}); not this attempt's failure`, detail: '' };
  }
  const how = check.exitedOk ? `exited with 0 but ${plural(failing.length, 'test')} failed` : check.how;
  // The failures the attempt made or changed come first; with none of those, every failing test.
  const changedOnes = baseline?.report ? changedFailures(failing, baseline.report) : failing;
  const newOnly = changedOnes.length > 0 ? changedOnes : failing;
  const report = check.report;
  const detail = report !== null && newOnly.length > 0
    ? structuredFeedback({ ...report, tests: report.tests.filter((test) => test.status !== 'failed' || newOnly.includes(test)) }, { budgetChars: policy.feedbackChars })
    : unstructuredFeedback(check.output, { budgetChars: policy.feedbackChars });
  const failed: CheckOutcome & CheckFailure = { ...base, passed: false, summary: `\`${check.run}\` ${how}`, detail };
  // The failing tests and their values identify the failure better than any text around them.
  failed.signature = report !== null && newOnly.length > 0 ? reportSignature({ ...report, tests: newOnly }) : errorSignature(check.output);
  return failed;
}

/**
 * Why the check's failure is the base's own, or null when it is not: with a report, every
 * test failing now failed at the base too, the same way (same message, same values: a test
 * whose failure changed was touched by the attempt), and none of them is one the task is
 * about; without one, the base failed with the same output.
 */
function preexisting(check: CheckRun, failing: readonly TestCaseResult[], baseline: CheckBaseline | null, policy: VerdictPolicy): string | null {
  if (baseline === null || baseline.exitedOk) return null;
  if (check.report !== null && baseline.report !== null) {
    if (failing.length === 0 || failing.some(policy.concernsTask)) return null;
    if (changedFailures(failing, baseline.report).length > 0) return null;
    return `${plural(failing.length, 'test')} already failing the same way`;
  }
  // A failure that printed nothing (`test -f out.txt`) says nothing to compare: not excused.
  const signature = errorSignature(check.output);
  return signature !== '' && signature === baseline.signature ? 'the same output' : null;
}

function failureSignature(test: TestCaseResult): string {
  return reportSignature({ format: 'tap', tests: [test] });
}

/** The failing tests that did not fail on the base, or failed there another way. */
function changedFailures(failing: readonly TestCaseResult[], baseline: TestReport): TestCaseResult[] {
  const before = new Map(baseline.tests.filter((test) => test.status === 'failed').map((test) => [testKey(test), failureSignature(test)]));
  return failing.filter((test) => before.get(testKey(test)) !== failureSignature(test));
}

/** Tests that ran at the base and no longer exist or run; a report that vanished counts too. */
function integrityOutcome(check: CheckRun, baseline: CheckBaseline | null, policy: VerdictPolicy): CheckOutcome | null {
  if (baseline?.report === null || baseline === null) return null;
  const id = { checkId: `tests:${check.checkId}`, kind: check.kind, durationMs: 0 };
  if (check.report === null) {
    return {
      ...id,
      passed: false,
      summary: `\`${check.run}\` no longer reports its tests (it did at the base, ${baseline.report.format}): baton cannot tell which tests ran`,
      detail: 'Put the test runner and its configuration back as they were at the base.',
    };
  }
  const violations = integrityViolations(baseline.report, check.report, { mayRemove: policy.mayRemove });
  if (violations.length === 0) return null;
  return {
    ...id,
    passed: false,
    summary: `the attempt removed, renamed, skipped or disabled ${plural(violations.length, 'existing test')} of \`${check.run}\``,
    detail: integrityFailureText(violations),
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** A check that already failed on the base, as the agent is told before its first attempt. */
export interface KnownFailure {
  checkId: string;
  run: string;
  how: string;
  /** The failing tests' names (`file > name`), when the check's tests could be read. */
  tests: string[];
  /** Whether it must pass all the same (the task verifies it, or the project blocks on what the base broke). */
  mustPass: boolean;
}

/** The checks that failed on the base, in check order; `mustPass` says which are not excused. */
export function knownFailuresOf(baselines: ReadonlyMap<string, CheckBaseline>, mustPass: (checkId: string) => boolean): KnownFailure[] {
  return [...baselines.values()]
    .filter((baseline) => !baseline.exitedOk)
    .map((baseline) => ({
      checkId: baseline.checkId,
      run: baseline.run,
      how: baseline.how,
      tests: (baseline.report?.tests ?? []).filter((test) => test.status === 'failed').map((test) => (test.file ? `${test.file} > ${test.name}` : test.name)),
      mustPass: mustPass(baseline.checkId),
    }));
}
