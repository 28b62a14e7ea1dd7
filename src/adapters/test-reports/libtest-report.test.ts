import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { structuredFeedback } from '../../core/run/failure-feedback.js';
import { reportSignature } from '../../core/run/fingerprint.js';
import { integrityViolations } from '../../core/run/test-integrity.js';
import type { TestReport } from '../../core/run/test-results.js';
import { detectReportFormat } from './detect-format.js';
import { readLibtestReport } from './libtest-report.js';
import { readTestReport } from './read-test-report.js';

/**
 * Rust's libtest as `cargo test` prints it, on real output (test/fixtures/test-reports/README.md
 * says how each file was made): stdout and cargo's stderr together, as a check captures them.
 */
const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/test-reports/${name}`, import.meta.url), 'utf8');
const ROOTS: Record<string, string> = { a: '/tmp/baton-fx-1y5Io5', 'a-again': '/tmp/baton-fx-VNXMaQ', b: '/tmp/baton-fx-C0auXy', cheat: '/tmp/baton-fx-sMLgoZ' };
const read = (run: string): TestReport => {
  const report = readTestReport(fixture(`cargo-test-${run}.txt`), { root: `${ROOTS[run]}/cargo` });
  if (report === null) throw new Error(`cargo-test-${run}.txt was not read`);
  return report;
};

describe('the libtest reader', () => {
  it('is what cargo test output is detected as, and nothing else is', () => {
    expect(detectReportFormat(fixture('cargo-test-a.txt'))).toBe('libtest');
    for (const other of ['node-tap-a.tap', 'vitest-default-a.txt', 'pytest-plain-a.txt', 'node-spec-a.txt']) expect(readLibtestReport(fixture(other))).toBeNull();
  });

  it('reads every test of every binary with its file and status; a doc test without its line number', () => {
    const report = read('a');
    expect(report.format).toBe('libtest');
    // In the order of the output, which libtest's threads decide.
    expect(report.tests.map((test) => `${test.file}::${test.name} ${test.status}`)).toEqual([
      'src/lib.rs::tests::adds_tax passed',
      'src/lib.rs::tests::refuses_empty passed',
      'src/lib.rs::tests::checks_flag failed',
      'src/lib.rs::tests::slow_rounding skipped',
      'src/lib.rs::tests::totals_items failed',
      'tests/api.rs::api_tax passed',
      'tests/api.rs::api_total failed',
      'src/lib.rs::src/lib.rs - with_tax passed',
    ]);
  });

  it("takes a failure's message, place and assert_eq! values from its block, without the backtrace", () => {
    const tests = read('a').tests;
    const totals = tests.find((test) => test.name === 'tests::totals_items');
    expect(totals).toMatchObject({ message: 'assertion `left == right` failed\n  left: 1801\n right: 1800', actual: '1801', expected: '1800', location: 'src/lib.rs:25:9' });
    expect(totals?.block).not.toMatch(/rust_begin_unwind|at \/rustc\//);
    const flag = tests.find((test) => test.name === 'tests::checks_flag');
    expect(flag).toMatchObject({ message: 'an empty cart costs nothing, got 1', location: 'src/lib.rs:42:9' });
    expect(tests.find((test) => test.name === 'api_total')).toMatchObject({ actual: '6', expected: '5', location: 'tests/api.rs:3:5' });
  });

  it('feeds back every failure with its values and the counts', () => {
    const feedback = structuredFeedback(read('a'), { budgetChars: 4_000 });
    expect(feedback).toContain('✗ tests::totals_items  (src/lib.rs)\n  at src/lib.rs:25:9');
    expect(feedback).toContain('left: 1801');
    expect(feedback).toContain('✗ api_total  (tests/api.rs)');
    expect(feedback.split('\n').at(-1)).toBe('Tests: 3 failed, 4 passed, 1 skipped');
  });

  it('signs the same failure alike across directories and thread ids, and a different value differently', () => {
    const [first, again, other] = ['a', 'a-again', 'b'].map((run) => reportSignature(read(run)));
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(first).toContain('1801');
    expect(other).toContain('1802');
  });

  it('finds the test an attempt ignored and the one it deleted', () => {
    const violations = integrityViolations(read('a'), read('cheat'), { mayRemove: () => false });
    expect(violations.map(({ key, was, now }) => `${key}: ${was} → ${now}`)).toEqual(['src/lib.rs::tests::totals_items: failed → skipped', 'tests/api.rs::api_total: failed → missing']);
    expect(integrityViolations(read('a'), read('b'), { mayRemove: () => false })).toEqual([]);
  });

  it("gives each binary's tests their file when cargo's lines arrive out of place, as two pipes may deliver them", () => {
    const lines = fixture('cargo-test-a.txt').split('\n');
    const cargoLines = lines.filter((line) => /^\s+(?:Running|Doc-tests) /.test(line));
    // Every one of them after the tests, still in their order.
    const shuffled = [...lines.filter((line) => !cargoLines.includes(line)), ...cargoLines].join('\n');
    const files = (text: string) => readLibtestReport(text)?.tests.map((test) => `${test.file}::${test.name}`);
    expect(files(shuffled)).toEqual(files(fixture('cargo-test-a.txt')));
  });

  it('tells two doc tests of one item apart, and reads output without cargo\'s lines (no file then)', () => {
    const text = ['running 2 tests', 'test src/lib.rs - add (line 3) ... ok', 'test src/lib.rs - add (line 9) ... FAILED', '', 'failures:', '', '---- src/lib.rs - add (line 9) stdout ----', 'Test executable failed (exit status: 101).', '', 'failures:', '    src/lib.rs - add (line 9)', '', 'test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s', 'running 1 test', 'test it_works ... ok', 'test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s'].join('\n');
    const tests = readLibtestReport(text)?.tests ?? [];
    expect(tests.map((test) => `${test.file}::${test.name} ${test.status}`)).toEqual(['src/lib.rs::src/lib.rs - add passed', 'src/lib.rs::src/lib.rs - add #2 failed', 'null::it_works passed']);
    expect(tests[1]?.message).toBe('Test executable failed (exit status: 101).');
  });
});
