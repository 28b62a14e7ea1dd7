import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { structuredFeedback } from '../../core/run/failure-feedback.js';
import { reportSignature } from '../../core/run/fingerprint.js';
import { integrityFailureText, integrityViolations } from '../../core/run/test-integrity.js';
import type { TestReport } from '../../core/run/test-results.js';
import { readTestReport } from './read-test-report.js';

/**
 * The readers and the pure decisions together, over real runner output: what the agent is
 * told, whether two attempts failed alike, whether tests were made to stop running.
 * test/fixtures/test-reports/README.md says how each file was made and where it ran.
 */
const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/test-reports/${name}`, import.meta.url), 'utf8');
const ROOTS: Record<string, string> = { a: '/tmp/baton-fx-7rk2CO', 'a-again': '/tmp/baton-fx-M6NI7t', b: '/tmp/baton-fx-jaluNZ', cheat: '/tmp/baton-fx-UumqqN' };
const read = (runner: string, file: string, run: string): TestReport => {
  const report = readTestReport(fixture(file), { root: `${ROOTS[run]}/${runner}` });
  if (report === null) throw new Error(`${file} was not read`);
  return report;
};

describe('feedback from node --test output', () => {
  const text = fixture('node-tap-a.tap');
  const feedback = structuredFeedback(read('node', 'node-tap-a.tap', 'a'), { budgetChars: 4_000 });

  it('holds the first failure, which a tail of the output misses behind the passing tests', () => {
    expect(text.trimEnd().split('\n').slice(-60).join('\n')).not.toContain('1990');
    expect(feedback).toContain('✗ cart > totals > adds tax\n  at test/cart.test.js:8:14\n  Expected values to be strictly equal:\n\n  1990 !== 1800\n  expected: 1800\n  actual:   1990');
  });

  it('holds every failure and the counts, and no passing test', () => {
    expect(feedback).toContain('✗ formats a receipt');
    expect(feedback).toMatch(/✗ prints to the printer\n {2}at test\/receipt\.test\.js:23:9\n {2}printer not reachable/);
    expect(feedback).not.toContain('passing check');
    expect(feedback.split('\n').at(-1)).toBe('Tests: 3 failed, 14 passed, 1 skipped, 1 todo');
  });
});

describe('feedback from JUnit reports', () => {
  it('names the file, the failing line and the values for vitest and pytest', () => {
    const vitest = structuredFeedback(read('vitest', 'vitest-junit-a.xml', 'a'), { budgetChars: 4_000 });
    expect(vitest).toContain('✗ cart > totals > adds tax  (test/cart.test.js)\n  at test/cart.test.js:7:58\n  expected 1990 to be 1800 // Object.is equality\n  expected: 1800\n  actual:   1990');
    const pytest = structuredFeedback(read('pytest', 'pytest-junit-a.xml', 'a'), { budgetChars: 4_000 });
    expect(pytest).toContain('✗ TestTotals > test_adds_tax  (tests/test_cart.py)\n  at tests/test_cart.py:11\n  assert 1990 == 1800');
    expect(pytest.split('\n').at(-1)).toBe('Tests: 2 failed, 12 passed, 2 skipped');
  });
});

describe('report signatures over real runs', () => {
  const formats = [
    { runner: 'node', file: (run: string) => `node-tap-${run}.tap` },
    { runner: 'node', file: (run: string) => `node-junit-${run}.xml` },
    { runner: 'vitest', file: (run: string) => `vitest-junit-${run}.xml` },
    { runner: 'pytest', file: (run: string) => `pytest-junit-${run}.xml` },
  ];

  for (const { runner, file } of formats) {
    it(`${file('*')}: the same failure in another directory, port and time is the same; 1900 instead of 1990 is not`, () => {
      const [first, again, other] = ['a', 'a-again', 'b'].map((run) => reportSignature(read(runner, file(run), run)));
      expect(first).not.toBe('');
      expect(again).toBe(first);
      expect(other).not.toBe(first);
      expect(first).toContain('1990');
      expect(other).toContain('1900');
    });
  }

  it('does not depend on the root being known', () => {
    const bare = (run: string): string => reportSignature(readTestReport(fixture(`node-tap-${run}.tap`)) as TestReport);
    expect(bare('a')).toBe(bare('a-again'));
    expect(bare('a')).not.toBe(bare('b'));
  });
});

describe('integrity over real runs', () => {
  it('finds the tests a change skipped, removed, renamed or marked todo (node TAP)', () => {
    const violations = integrityViolations(read('node', 'node-tap-a.tap', 'a'), read('node', 'node-tap-cheat.tap', 'cheat'), { mayRemove: () => false });
    expect(violations.map(({ name, was, now }) => `${name}: ${was} → ${now}`)).toEqual([
      'cart > totals > adds tax: failed → skipped',
      'cart > totals > is zero for an empty cart: passed → missing',
      'cart > counts items: passed → missing',
      'passing check 3: passed → todo',
    ]);
  });

  it('finds them by file and name in vitest\'s JUnit, and says so in one text', () => {
    const violations = integrityViolations(read('vitest', 'vitest-junit-a.xml', 'a'), read('vitest', 'vitest-junit-cheat.xml', 'cheat'), { mayRemove: () => false });
    // vitest writes a todo test as skipped.
    expect(violations.map(({ key, now }) => `${key} → ${now}`)).toEqual([
      'test/cart.test.js::cart > totals > adds tax → skipped',
      'test/cart.test.js::cart > totals > is zero for an empty cart → missing',
      'test/cart.test.js::cart > counts items → missing',
      'test/cart.test.js::passing check 3 → skipped',
    ]);
    expect(integrityFailureText(violations)).toContain('- test/cart.test.js: cart > counts items (passed before, now missing: removed or renamed)');
  });

  it('finds nothing between two runs of the same tests', () => {
    expect(integrityViolations(read('node', 'node-tap-a.tap', 'a'), read('node', 'node-tap-b.tap', 'b'), { mayRemove: () => false })).toEqual([]);
    expect(integrityViolations(read('pytest', 'pytest-junit-a.xml', 'a'), read('pytest', 'pytest-junit-b.xml', 'b'), { mayRemove: () => false })).toEqual([]);
  });
});
