import { describe, expect, it } from 'vitest';
import { attemptFingerprint } from './fingerprint.js';
import { failuresOf } from './check-failure.js';
import { judgeCheck, knownFailuresOf, type CheckBaseline, type CheckRun, type VerdictPolicy } from './check-verdict.js';
import type { TestCaseResult, TestReport } from './test-results.js';

const POLICY: VerdictPolicy = { preexisting: 'allow', mayRemove: () => false, concernsTask: () => false, feedbackChars: 8_000 };

function test(name: string, status: TestCaseResult['status'], fields: Partial<TestCaseResult> = {}): TestCaseResult {
  return { file: 'test/cart.test.js', name, status, message: null, expected: null, actual: null, location: null, block: '', ...fields };
}

function failing(name: string, actual: string, expected = '1800'): TestCaseResult {
  const message = `Expected values to be strictly equal:\n\n${actual} !== ${expected}\n`;
  return test(name, 'failed', { message, actual, expected, location: 'test/cart.test.js:12:5', block: `not ok - ${name}\n  ${message}` });
}

function report(...tests: TestCaseResult[]): TestReport {
  return { format: 'tap', tests };
}

function run(fields: Partial<CheckRun>): CheckRun {
  return { checkId: 'command:test', kind: 'command', run: 'npm test', requiredByTask: false, exitedOk: true, how: 'exited with 0', output: '', durationMs: 5, report: null, ...fields };
}

function baseline(fields: Partial<CheckBaseline>): CheckBaseline {
  return { checkId: 'command:test', run: 'npm test', baseCommit: 'c0', exitedOk: true, how: 'exited with 0', signature: '', report: null, recordedAt: '2026-01-01T00:00:00.000Z', ...fields };
}

const PASSING = [test('adds items', 'passed'), test('rounds totals', 'passed'), test('applies tax', 'passed')];

describe('judgeCheck', () => {
  it('passes a check that exits 0 with no failing test', () => {
    const [outcome, ...rest] = judgeCheck(run({ report: report(...PASSING) }), baseline({ report: report(...PASSING) }), POLICY);
    expect(outcome).toMatchObject({ checkId: 'command:test', passed: true });
    expect(rest).toEqual([]);
  });

  it('feeds back the failing test with its values, even when many passing tests come after it', () => {
    const tests = [failing('totals', '1990'), ...Array.from({ length: 12 }, (_, index) => test(`ok ${index}`, 'passed'))];
    const [outcome] = judgeCheck(run({ exitedOk: false, how: 'exited with 1', report: report(...tests), output: 'ok 13\n# pass 12\n# fail 1\n' }), baseline({ report: report(...PASSING) }), POLICY);
    expect(outcome?.passed).toBe(false);
    expect(outcome?.summary).toBe('`npm test` exited with 1');
    expect(outcome?.detail).toContain('totals');
    expect(outcome?.detail).toContain('1990 !== 1800');
  });

  it('gives two different wrong values two fingerprints, and the same failure one', () => {
    const judge = (actual: string) => failuresOf(judgeCheck(run({ exitedOk: false, how: 'exited with 1', report: report(failing('totals', actual)) }), null, POLICY));
    expect(attemptFingerprint(judge('1990'))).not.toBe(attemptFingerprint(judge('1900')));
    expect(attemptFingerprint(judge('1990'))).toBe(attemptFingerprint(judge('1990')));
  });

  it('fails a check whose command exits 0 while its report has a failing test', () => {
    const [outcome] = judgeCheck(run({ exitedOk: true, report: report(failing('totals', '1990'), ...PASSING) }), null, POLICY);
    expect(outcome).toMatchObject({ passed: false, summary: '`npm test` exited with 0 but 1 test failed' });
  });

  it('does not blame the attempt for tests that already failed on the base, unless the policy blocks them', () => {
    const known = failing('legacy rounding', '3');
    const now = run({ exitedOk: false, how: 'exited with 1', report: report(known, ...PASSING) });
    const base = baseline({ exitedOk: false, how: 'exited with 1', report: report(known, ...PASSING) });
    expect(judgeCheck(now, base, POLICY)[0]).toMatchObject({ passed: true });
    expect(judgeCheck(now, base, POLICY)[0]?.summary).toContain('fails as it did before the task (1 test already failing the same way)');
    expect(judgeCheck(now, base, { ...POLICY, preexisting: 'block' })[0]?.passed).toBe(false);
  });

  it('never excuses a task verify command that failed on the base: it says what the task is', () => {
    const output = 'expected hello, got nothing\n';
    const base = baseline({ checkId: 'verify:1', exitedOk: false, how: 'exited with 1', signature: judgeSignature(output) });
    expect(judgeCheck(run({ checkId: 'verify:1', kind: 'verify', requiredByTask: true, exitedOk: false, how: 'exited with 1', output }), base, POLICY)[0]?.passed).toBe(false);
  });

  it('holds a test whose failure changed, or that the task is about, against the attempt', () => {
    const base = baseline({ exitedOk: false, how: 'exited with 1', report: report(failing('SAVE10 takes 10 percent off', '200', '180'), ...PASSING) });
    const changed = run({ exitedOk: false, how: 'exited with 1', report: report(failing('SAVE10 takes 10 percent off', '190', '180'), ...PASSING) });
    expect(judgeCheck(changed, base, POLICY)[0]?.passed).toBe(false);
    expect(judgeCheck(changed, base, POLICY)[0]?.detail).toContain('190 !== 180');
    const same = run({ exitedOk: false, how: 'exited with 1', report: report(failing('SAVE10 takes 10 percent off', '200', '180'), ...PASSING) });
    expect(judgeCheck(same, base, POLICY)[0]?.passed).toBe(true);
    expect(judgeCheck(same, base, { ...POLICY, concernsTask: (test) => test.name.includes('SAVE10') })[0]?.passed).toBe(false);
  });

  it('names only the new failure when the base already had another', () => {
    const known = failing('legacy rounding', '3', '4');
    const now = run({ exitedOk: false, how: 'exited with 1', report: report(known, failing('totals', '1990'), ...PASSING) });
    const [outcome] = judgeCheck(now, baseline({ exitedOk: false, report: report(known, ...PASSING) }), POLICY);
    expect(outcome?.passed).toBe(false);
    expect(outcome?.detail).toContain('1990 !== 1800');
    expect(outcome?.detail).not.toContain('legacy rounding');
  });

  it('takes the same failing output as the base for the base failure where no tests can be read', () => {
    const output = 'Error: cannot find module ./legacy\n';
    const base = baseline({ exitedOk: false, how: 'exited with 1', signature: judgeSignature(output) });
    expect(judgeCheck(run({ exitedOk: false, how: 'exited with 1', output }), base, POLICY)[0]?.passed).toBe(true);
    expect(judgeCheck(run({ exitedOk: false, how: 'exited with 1', output: 'TypeError: x is not a function\n' }), base, POLICY)[0]?.passed).toBe(false);
    // Silence on the base and silence after says nothing about who caused the failure.
    const silent = baseline({ exitedOk: false, how: 'exited with 1', signature: '' });
    expect(judgeCheck(run({ exitedOk: false, how: 'exited with 1', output: '' }), silent, POLICY)[0]?.passed).toBe(false);
  });

  it('fails an attempt that removed, skipped or todo-ed a test that ran at the base, naming each', () => {
    const now = run({ report: report(test('adds items', 'skipped'), test('applies tax', 'todo')) });
    const outcomes = judgeCheck(now, baseline({ report: report(...PASSING) }), POLICY);
    const integrity = outcomes.find((outcome) => outcome.checkId === 'tests:command:test');
    expect(integrity?.passed).toBe(false);
    expect(integrity?.summary).toContain('3 existing tests');
    for (const name of ['adds items', 'rounds totals', 'applies tax']) expect(integrity?.detail).toContain(name);
  });

  it('lets a task remove a test it declared', () => {
    const now = run({ report: report(test('adds items', 'passed'), test('applies tax', 'passed')) });
    const allowed = judgeCheck(now, baseline({ report: report(...PASSING) }), { ...POLICY, mayRemove: (t) => t.name === 'rounds totals' });
    expect(allowed.every((outcome) => outcome.passed)).toBe(true);
  });

  it('fails a check that no longer reports its tests when it did at the base', () => {
    const outcomes = judgeCheck(run({ report: null, output: 'all good\n' }), baseline({ report: report(...PASSING) }), POLICY);
    expect(outcomes.find((outcome) => outcome.checkId === 'tests:command:test')).toMatchObject({ passed: false });
  });
});

describe('knownFailuresOf', () => {
  it('lists the checks that failed on the base with their failing tests', () => {
    const baselines = new Map([
      ['command:test', baseline({ exitedOk: false, how: 'exited with 1', report: report(failing('legacy', '3'), ...PASSING) })],
      ['command:lint', baseline({ checkId: 'command:lint', run: 'npm run lint' })],
    ]);
    expect(knownFailuresOf(baselines, () => false)).toEqual([{ checkId: 'command:test', run: 'npm test', how: 'exited with 1', tests: ['test/cart.test.js > legacy'], mustPass: false }]);
    expect(knownFailuresOf(baselines, (id) => id === 'command:test')[0]?.mustPass).toBe(true);
  });
});

function judgeSignature(output: string): string {
  // The baseline keeps the signature of its output; a run with the same output has the same one.
  const [outcome] = judgeCheck(run({ exitedOk: false, how: 'exited with 1', output }), null, { ...POLICY, preexisting: 'block' });
  return outcome?.signature ?? '';
}
