/* eslint-disable no-restricted-imports -- the recorded outputs are files beside the tests; the feedback never reads files */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { structuredFeedback, testEntry, unstructuredFeedback } from './failure-feedback.js';
import type { TestCaseResult, TestReport, TestStatus } from './test-results.js';

/** Real outputs of node 20, vitest 4 and pytest 9 with no report format; test/fixtures/test-reports/README.md says how each was made. */
const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/test-reports/${name}`, import.meta.url), 'utf8');

const passing = (name: string, status: TestStatus = 'passed'): TestCaseResult => ({ file: null, name, status, message: null, expected: null, actual: null, location: null, block: '' });

/** What the TAP reader makes of node's output for a failing assertion, as in node-tap-a.tap. */
const ADDS_TAX: TestCaseResult = {
  file: null,
  name: 'cart > totals > adds tax',
  status: 'failed',
  message: 'Expected values to be strictly equal:\n\n1990 !== 1800',
  expected: '1800',
  actual: '1990',
  location: 'test/cart.test.js:8:14',
  block: "not ok 1 - adds tax\n  ---\n  error: |-\n    Expected values to be strictly equal:\n  expected: 1800\n  actual: 1990\n  ...",
};

/** A failing test followed by eleven passing ones: the blind tail of such output holds only `ok` lines. */
const TAP_LIKE: TestReport = {
  format: 'tap',
  tests: [ADDS_TAX, ...Array.from({ length: 11 }, (_, index) => passing(`passing check ${index + 1}`)), passing('cart > keeps order', 'skipped')],
};

const failing = (index: number, message: string): TestCaseResult => ({
  ...ADDS_TAX,
  name: `suite > case ${index}`,
  file: `test/case-${index}.test.js`,
  message,
  expected: String(index),
  actual: String(index + 1),
  location: `test/case-${index}.test.js:${index}:3`,
});

describe('structuredFeedback', () => {
  it('shows the failing test with its message and values, not the passing ones after it', () => {
    const feedback = structuredFeedback(TAP_LIKE, { budgetChars: 4_000 });
    expect(feedback).toBe(
      [
        '✗ cart > totals > adds tax',
        '  at test/cart.test.js:8:14',
        '  Expected values to be strictly equal:',
        '',
        '  1990 !== 1800',
        '  expected: 1800',
        '  actual:   1990',
        '',
        'Tests: 1 failed, 11 passed, 1 skipped',
      ].join('\n'),
    );
  });

  it('names the file when the report gives one', () => {
    expect(testEntry({ ...ADDS_TAX, file: 'test/cart.test.js' }).split('\n')[0]).toBe('✗ cart > totals > adds tax  (test/cart.test.js)');
  });

  it('shows the block without frames of dependencies or the runtime when there is no message', () => {
    const block = 'Error: boom\n    at x (/repo/node_modules/lib/a.js:1:1)\n    at Test.run (node:internal/test_runner/test:796:25)\n    at y (/repo/src/a.js:2:2)';
    const entry = testEntry({ ...ADDS_TAX, message: null, expected: null, actual: null, block });
    expect(entry).toContain('  Error: boom\n      at y (/repo/src/a.js:2:2)');
    expect(entry).not.toContain('node_modules');
    expect(entry).not.toContain('node:internal');
  });

  it('shows every failing test that fits, then says how many more there are, and always the counts', () => {
    const tests = Array.from({ length: 30 }, (_, index) => failing(index + 1, `assertion ${index + 1} failed`));
    const feedback = structuredFeedback({ format: 'junit', tests: [...tests, passing('ok')] }, { budgetChars: 1_000 });
    expect(feedback.length).toBeLessThanOrEqual(1_000);
    expect(feedback).toContain('✗ suite > case 1  (test/case-1.test.js)\n  at test/case-1.test.js:1:3\n  assertion 1 failed\n  expected: 1\n  actual:   2');
    const shown = feedback.split('\n').filter((line) => line.startsWith('✗ ')).length;
    expect(shown).toBeGreaterThan(3);
    expect(feedback).toContain(`[… ${30 - shown} more failing tests not shown …]`);
    expect(feedback.split('\n').at(-1)).toBe('Tests: 30 failed, 1 passed');
  });

  it('keeps to any budget, cutting the first test\'s message before its values', () => {
    const long = failing(1, Array.from({ length: 40 }, (_, index) => `diff line ${index}`).join('\n'));
    const report: TestReport = { format: 'tap', tests: [long, failing(2, 'second')] };
    for (const budgetChars of [0, 10, 40, 80, 150, 200, 300, 500, 800, 5_000]) {
      expect(structuredFeedback(report, { budgetChars }).length).toBeLessThanOrEqual(budgetChars);
    }
    const cut = structuredFeedback(report, { budgetChars: 300 });
    expect(cut).toContain('  expected: 1\n  actual:   2');
    expect(cut).toMatch(/ {2}\[… \d+ lines …\]\n {2}expected: 1/);
    expect(cut.split('\n').at(-1)).toBe('Tests: 2 failed, 0 passed');
    expect(structuredFeedback(report, { budgetChars: 40 })).toBe('Tests: 2 failed, 0 passed');
  });

  it('caps a very long message', () => {
    const entry = testEntry(failing(1, Array.from({ length: 100 }, (_, index) => `line ${index}`).join('\n')));
    expect(entry).toContain('  line 24\n  [… 75 lines …]');
    expect(entry).not.toContain('line 25\n');
  });

  it('says only the counts when no test failed', () => {
    expect(structuredFeedback({ format: 'tap', tests: [passing('a'), passing('b', 'todo')] }, { budgetChars: 500 })).toBe('Tests: 0 failed, 1 passed, 1 todo');
  });
});

describe('unstructuredFeedback', () => {
  /** 500 lines of build chatter with one failure in the middle. */
  const chatter = (index: number): string => `[build] compiled module ${index} of 500 without problems`;
  const lines = Array.from({ length: 500 }, (_, index) => chatter(index + 1));
  lines.splice(249, 6, 'FAIL src/cart.test.ts > adds tax', 'AssertionError: expected 1990 to be 1800', '- Expected', '+ Received', '- 1800', '+ 1990');
  const output = lines.join('\n');

  it('finds a failure in the middle of long output, with its values, the start and the end', () => {
    const feedback = unstructuredFeedback(output, { budgetChars: 2_000 });
    expect(feedback.length).toBeLessThanOrEqual(2_000);
    expect(feedback).toContain('FAIL src/cart.test.ts > adds tax\nAssertionError: expected 1990 to be 1800\n- Expected\n+ Received\n- 1800\n+ 1990');
    expect(feedback).toContain(chatter(500));
    expect(feedback).toContain(chatter(1));
    expect(feedback).toContain(`${chatter(247)}\n${chatter(248)}\n${chatter(249)}\nFAIL`);
  });

  it('marks each gap with the number of lines left out, so every line is accounted for', () => {
    const feedback = unstructuredFeedback(output, { budgetChars: 2_000 });
    const shown = feedback.split('\n');
    const gaps = shown.map((line) => /^\[… (\d+) lines? …\]$/.exec(line)).filter((match) => match !== null);
    expect(gaps.length).toBeGreaterThanOrEqual(2);
    const leftOut = gaps.reduce((sum, match) => sum + Number(match[1]), 0);
    expect(shown.length - gaps.length + leftOut).toBe(500);
  });

  it('returns short output whole, without terminal codes', () => {
    expect(unstructuredFeedback('\u001b[31mError: boom\u001b[39m\r\nat line 2\n\n', { budgetChars: 100 })).toBe('Error: boom\nat line 2');
  });

  it('keeps to the budget, dropping windows before cutting lines', () => {
    for (const budgetChars of [50, 200, 700, 1_500]) {
      expect(unstructuredFeedback(output, { budgetChars }).length).toBeLessThanOrEqual(budgetChars);
    }
    expect(unstructuredFeedback(output, { budgetChars: 700 })).toContain('AssertionError: expected 1990 to be 1800');
  });

  it('shows the first failures of real runner output within a small budget', () => {
    const node = unstructuredFeedback(fixture('node-spec-a.txt'), { budgetChars: 1_500 });
    expect(node).toContain('1990 !== 1800');
    const pytest = unstructuredFeedback(fixture('pytest-plain-a.txt'), { budgetChars: 1_500 });
    expect(pytest).toContain('E       assert 1990 == 1800');
    expect(pytest).toContain('2 failed, 12 passed, 1 skipped, 1 xfailed');
    const vitest = unstructuredFeedback(fixture('vitest-default-a.txt'), { budgetChars: 1_500 });
    expect(vitest).toContain('AssertionError: expected 1990 to be 1800 // Object.is equality');
    expect(vitest).toContain('Tests  3 failed | 14 passed | 1 skipped | 1 todo (19)');
  });

  it('stays fast on very long output full of errors', () => {
    const huge = Array.from({ length: 100_000 }, (_, index) => (index % 7 === 0 ? `error ${index}: something failed` : `line ${index}`)).join('\n');
    const started = performance.now();
    const feedback = unstructuredFeedback(huge, { budgetChars: 4_000 });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(feedback.length).toBeLessThanOrEqual(4_000);
    expect(feedback).toContain('error 0: something failed');
  });
});
