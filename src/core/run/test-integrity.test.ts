import { describe, expect, it } from 'vitest';
import { integrityFailureText, integrityViolations } from './test-integrity.js';
import type { TestCaseResult, TestReport, TestStatus } from './test-results.js';

const test = (name: string, status: TestStatus, file: string | null = 'test/cart.test.js'): TestCaseResult => ({
  file,
  name,
  status,
  message: status === 'failed' ? 'boom' : null,
  expected: null,
  actual: null,
  location: null,
  block: status === 'failed' ? 'not ok 1 - boom' : '',
});
const report = (...tests: TestCaseResult[]): TestReport => ({ format: 'tap', tests });
const strict = { mayRemove: () => false };

const BASELINE = report(test('cart > adds tax', 'failed'), test('cart > counts items', 'passed'), test('cart > keeps order', 'skipped'), test('cart > discounts', 'todo'));

describe('integrityViolations', () => {
  it('finds nothing when every test that ran still runs, passing or failing', () => {
    const current = report(test('cart > counts items', 'failed'), test('cart > adds tax', 'passed'), test('cart > keeps order', 'skipped'), test('cart > discounts', 'todo'));
    expect(integrityViolations(BASELINE, current, strict)).toEqual([]);
  });

  it('reports a removed test as missing', () => {
    const current = report(test('cart > counts items', 'passed'));
    expect(integrityViolations(BASELINE, current, strict)).toEqual([
      { key: 'test/cart.test.js::cart > adds tax', file: 'test/cart.test.js', name: 'cart > adds tax', was: 'failed', now: 'missing' },
    ]);
  });

  it('reports a renamed test as missing, even though the count is the same', () => {
    const current = report(test('cart > adds the tax', 'passed'), test('cart > counts items', 'passed'));
    expect(integrityViolations(BASELINE, current, strict).map((violation) => [violation.name, violation.now])).toEqual([['cart > adds tax', 'missing']]);
  });

  it('reports a test moved to another file as missing from its file', () => {
    const current = report(test('cart > adds tax', 'passed', 'test/other.test.js'), test('cart > counts items', 'passed'));
    expect(integrityViolations(BASELINE, current, strict).map((violation) => violation.key)).toEqual(['test/cart.test.js::cart > adds tax']);
  });

  it('reports tests that were skipped or marked todo', () => {
    const current = report(test('cart > adds tax', 'skipped'), test('cart > counts items', 'todo'));
    expect(integrityViolations(BASELINE, current, strict).map(({ name, was, now }) => ({ name, was, now }))).toEqual([
      { name: 'cart > adds tax', was: 'failed', now: 'skipped' },
      { name: 'cart > counts items', was: 'passed', now: 'todo' },
    ]);
  });

  it('lets tests already skipped or todo at the baseline stay so, or go', () => {
    const current = report(test('cart > adds tax', 'passed'), test('cart > counts items', 'passed'));
    expect(integrityViolations(BASELINE, current, strict)).toEqual([]);
  });

  it('is content with new tests', () => {
    const current = report(...BASELINE.tests, test('cart > new behaviour', 'passed'), test('new file test', 'failed', 'test/new.test.js'));
    expect(integrityViolations(BASELINE, current, strict)).toEqual([]);
  });

  it('lets the task remove what mayRemove allows, and only that', () => {
    const current = report(test('cart > keeps order', 'skipped'));
    const violations = integrityViolations(BASELINE, current, { mayRemove: (removed) => removed.name === 'cart > adds tax' });
    expect(violations.map((violation) => violation.name)).toEqual(['cart > counts items']);
  });

  it('counts tests that share a key one by one', () => {
    const twice = report(test('retries', 'passed', null), test('retries', 'passed', null));
    expect(integrityViolations(twice, report(test('retries', 'passed', null)), strict)).toEqual([
      { key: 'retries', file: null, name: 'retries', was: 'passed', now: 'missing' },
    ]);
    expect(integrityViolations(twice, report(test('retries', 'skipped', null), test('retries', 'failed', null)), strict).map((violation) => violation.now)).toEqual(['skipped']);
  });

  it('reports every test when the current report has none', () => {
    expect(integrityViolations(BASELINE, report(), strict).map((violation) => violation.name)).toEqual(['cart > adds tax', 'cart > counts items']);
  });
});

describe('integrityFailureText', () => {
  it('names each test, how it was and what became of it, and what to do', () => {
    const current = report(test('cart > adds tax', 'todo'));
    const text = integrityFailureText(integrityViolations(BASELINE, current, strict));
    expect(text.split('\n')).toEqual([
      '2 tests that ran before this task no longer run:',
      '- test/cart.test.js: cart > adds tax (failed before, now marked todo)',
      '- test/cart.test.js: cart > counts items (passed before, now missing: removed or renamed)',
      'Restore them and make them pass: a test may not be removed, renamed, skipped or marked todo to make the checks pass.',
    ]);
  });

  it('is empty without violations, and singular for one', () => {
    expect(integrityFailureText([])).toBe('');
    const one = integrityFailureText([{ key: 'a', file: null, name: 'a', was: 'passed', now: 'skipped' }]);
    expect(one.split('\n').slice(0, 2)).toEqual(['1 test that ran before this task no longer runs:', '- a (passed before, now skipped)']);
  });
});
