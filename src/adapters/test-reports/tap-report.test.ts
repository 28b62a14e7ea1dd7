import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countTests, type TestCaseResult } from '../../core/run/test-results.js';
import { readTapReport } from './tap-report.js';

/** Real outputs of node 20's test runner; test/fixtures/test-reports/README.md says how each was made. */
const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/test-reports/${name}`, import.meta.url), 'utf8');
const ROOT_A = '/tmp/baton-fx-7rk2CO/node';
const ROOT_LOAD_ERROR = '/tmp/baton-fx-jUjQEv';

const named = (tests: readonly TestCaseResult[], name: string): TestCaseResult => {
  const test = tests.find((candidate) => candidate.name === name);
  if (!test) throw new Error(`no test named ${name} among ${tests.map((candidate) => candidate.name).join(', ')}`);
  return test;
};

describe('readTapReport over node --test output', () => {
  const report = readTapReport(fixture('node-tap-a.tap'), { root: ROOT_A });

  it('lists every test once, suites left out, with its suite path in its name', () => {
    expect(report?.format).toBe('tap');
    const names = report?.tests.map((test) => test.name) ?? [];
    expect(names.slice(0, 5)).toEqual([
      'cart > totals > adds tax',
      'cart > totals > is zero for an empty cart',
      'cart > counts items',
      'cart > keeps the order of lines',
      'cart > applies discounts',
    ]);
    expect(names).toContain('passing check 11');
    expect(names).not.toContain('cart');
    expect(names).not.toContain('cart > totals');
    expect(countTests(report?.tests ?? [])).toEqual({ total: 19, passed: 14, failed: 3, skipped: 1, todo: 1 });
  });

  it('reads skip and todo directives', () => {
    const tests = report?.tests ?? [];
    expect(named(tests, 'cart > keeps the order of lines').status).toBe('skipped');
    expect(named(tests, 'cart > applies discounts').status).toBe('todo');
    expect(named(tests, 'passing check 3').status).toBe('passed');
  });

  it('takes message, expected and actual from the YAML diagnostics, and the first frame in the repository', () => {
    const test = named(report?.tests ?? [], 'cart > totals > adds tax');
    expect(test).toMatchObject({
      status: 'failed',
      file: null,
      message: 'Expected values to be strictly equal:\n\n1990 !== 1800',
      expected: '1800',
      actual: '1990',
      location: 'test/cart.test.js:8:14',
    });
    expect(test.block.split('\n')[0]).toBe('not ok 1 - adds tax');
    expect(test.block).toContain('operator: \'strictEqual\'');
    expect(test.block.trimEnd().endsWith('...')).toBe(true);
  });

  it('gives objects as JSON and keeps the diff in the message', () => {
    const test = named(report?.tests ?? [], 'formats a receipt');
    expect(test.expected).toBe('{"lines":3,"total":"12.34"}');
    expect(test.actual).toBe('{"lines":2,"total":"12.34"}');
    expect(test.message).toContain('+   lines: 2,\n-   lines: 3,');
    expect(test.location).toBe('test/receipt.test.js:13:10');
  });

  it('has no values for a thrown error, and points at the throw', () => {
    const test = named(report?.tests ?? [], 'prints to the printer');
    expect(test.message).toMatch(/^printer not reachable at 127\.0\.0\.1:\d+ \(spool \/tmp\/spool-\w+\)$/);
    expect(test).toMatchObject({ expected: null, actual: null, location: 'test/receipt.test.js:23:9' });
  });

  it('keeps passing tests short', () => {
    expect(named(report?.tests ?? [], 'passing check 1')).toEqual({
      file: null,
      name: 'passing check 1',
      status: 'passed',
      message: null,
      expected: null,
      actual: null,
      location: null,
      block: '',
    });
  });

  it('gives absolute locations when no root is given', () => {
    const test = named(readTapReport(fixture('node-tap-a.tap'))?.tests ?? [], 'cart > totals > adds tax');
    expect(test.location).toBe('/tmp/baton-fx-7rk2CO/node/test/cart.test.js:8:14');
  });

  it('reads the TAP that follows npm\'s banner', () => {
    const tests = readTapReport(fixture('node-tap-npm-a.txt'), { root: ROOT_A })?.tests ?? [];
    expect(countTests(tests)).toMatchObject({ total: 19, failed: 3 });
    expect(named(tests, 'cart > totals > adds tax').actual).toBe('1990');
  });
});

describe('readTapReport over a file that fails to load', () => {
  const tests = readTapReport(fixture('node-tap-load-error.tap'), { root: ROOT_LOAD_ERROR })?.tests ?? [];

  it('names the test after its file and takes the message from what the file printed', () => {
    expect(tests[0]).toMatchObject({ file: 'test/broken.test.js', name: 'test/broken.test.js', status: 'failed', location: 'test/broken.test.js:1:1' });
    expect(tests[0]?.message).toBe(
      "Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/tmp/baton-fx-jUjQEv/test/does-not-exist.js' imported from /tmp/baton-fx-jUjQEv/test/broken.test.js",
    );
    expect(tests[0]?.block).toContain('# Node.js v20.20.2');
    expect(tests[0]?.block).toContain('not ok 1 - /tmp/baton-fx-jUjQEv/test/broken.test.js');
  });

  it('reads a timeout as a failure of its own', () => {
    expect(named(tests, 'times out')).toMatchObject({ status: 'failed', message: 'test timed out after 50ms', location: 'test/logs.test.js:9:1' });
    expect(named(tests, 'prints while it runs').status).toBe('passed');
  });
});

describe('readTapReport over other shapes', () => {
  it('lends a file-named top-level test\'s file to the tests under it (written by hand in the shape node 18 printed)', () => {
    const text = [
      'TAP version 13',
      '# Subtest: /repo/test/a.test.js',
      '    # Subtest: works',
      '    ok 1 - works',
      '      ---',
      '      duration_ms: 0.5',
      '      ...',
      '    # Subtest: breaks',
      '    not ok 2 - breaks',
      '      ---',
      '      error: \'boom\'',
      '      stack: |-',
      '        TestContext.<anonymous> (file:///repo/src/a.js:3:9)',
      '      ...',
      '    1..2',
      'not ok 1 - /repo/test/a.test.js',
      '  ---',
      '  error: \'1 subtest failed\'',
      '  ...',
      '1..1',
    ].join('\n');
    const tests = readTapReport(text, { root: '/repo' })?.tests;
    expect(tests?.map(({ file, name, status, location }) => ({ file, name, status, location }))).toEqual([
      { file: 'test/a.test.js', name: 'works', status: 'passed', location: null },
      { file: 'test/a.test.js', name: 'breaks', status: 'failed', location: 'src/a.js:3:9' },
    ]);
  });

  it('reads plain TAP without diagnostics, and values from the message', () => {
    const text = 'TAP version 14\n1..3\nok 1 - one\nnot ok 2 - two # TODO later\nnot ok 3 - three\n  ---\n  message: "expected 4 to equal 5"\n  ...\n';
    const tests = readTapReport(text)?.tests;
    expect(tests?.map((test) => test.status)).toEqual(['passed', 'todo', 'failed']);
    expect(tests?.[2]).toMatchObject({ message: 'expected 4 to equal 5', expected: '5', actual: '4', location: null });
  });

  it('keeps a suite that failed for a reason of its own, such as a hook', () => {
    const text = [
      'TAP version 13',
      '# Subtest: db',
      '    # Subtest: reads',
      '    not ok 1 - reads',
      '      ---',
      '      error: \'test did not finish before its parent and was cancelled\'',
      '      ...',
      '    1..1',
      'not ok 1 - db',
      '  ---',
      '  failureType: \'hookFailed\'',
      '  error: \'connect ECONNREFUSED 127.0.0.1:5432\'',
      '  ...',
      '1..1',
    ].join('\n');
    const tests = readTapReport(text)?.tests;
    expect(tests?.map((test) => [test.name, test.status, test.message])).toEqual([
      ['db > reads', 'failed', 'test did not finish before its parent and was cancelled'],
      ['db', 'failed', 'connect ECONNREFUSED 127.0.0.1:5432'],
    ]);
  });

  it('is null for text that is not TAP', () => {
    expect(readTapReport('')).toBeNull();
    expect(readTapReport('all good\n3 tests passed\n')).toBeNull();
    expect(readTapReport(fixture('vitest-default-a.txt'))).toBeNull();
    expect(readTapReport(fixture('vitest-junit-a.xml'))).toBeNull();
    expect(readTapReport('\u0000\u0001 not ok garbage { ] \n\n')).toBeNull();
  });

  it('does not throw on broken TAP', () => {
    const broken = 'TAP version 13\nnot ok 1 - a\n  ---\n  error: [unclosed\n  stack: {{\n1..x\nok 2\n  ...\nBail out! no more';
    const report = readTapReport(broken);
    expect(report?.tests[0]).toMatchObject({ name: 'a', status: 'failed' });
  });
});
