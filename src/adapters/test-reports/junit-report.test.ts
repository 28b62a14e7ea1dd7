import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countTests, type TestCaseResult } from '../../core/run/test-results.js';
import { readJunitReport } from './junit-report.js';

/** Real reports of node 20, vitest 4 and pytest 9, and two written by hand; test/fixtures/test-reports/README.md says how each was made. */
const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/test-reports/${name}`, import.meta.url), 'utf8');
const ROOT_A = '/tmp/baton-fx-7rk2CO';

const named = (tests: readonly TestCaseResult[] | undefined, name: string): TestCaseResult => {
  const test = tests?.find((candidate) => candidate.name === name);
  if (!test) throw new Error(`no test named ${name} among ${tests?.map((candidate) => candidate.name).join(', ')}`);
  return test;
};

describe('readJunitReport over node --test-reporter=junit', () => {
  const tests = readJunitReport(fixture('node-junit-a.xml'), { root: `${ROOT_A}/node` })?.tests;

  it('names each case by its nested suites, in the order written', () => {
    expect(tests?.slice(0, 5).map((test) => test.name)).toEqual([
      'cart > totals > adds tax',
      'cart > totals > is zero for an empty cart',
      'cart > counts items',
      'cart > keeps the order of lines',
      'cart > applies discounts',
    ]);
    expect(tests?.at(-1)?.name).toBe('prints to the printer');
    expect(countTests(tests ?? [])).toEqual({ total: 19, passed: 14, failed: 3, skipped: 1, todo: 1 });
  });

  it('tells a todo from a skip by the skipped element\'s type', () => {
    expect(named(tests, 'cart > keeps the order of lines').status).toBe('skipped');
    expect(named(tests, 'cart > applies discounts').status).toBe('todo');
  });

  it('gives the message its line breaks back and reads the values from the assertion\'s cause', () => {
    expect(named(tests, 'cart > totals > adds tax')).toMatchObject({
      file: null,
      message: 'Expected values to be strictly equal:\n\n1990 !== 1800',
      expected: '1800',
      actual: '1990',
      location: 'test/cart.test.js:8:14',
    });
    const receipt = named(tests, 'formats a receipt');
    expect(receipt.message).toContain('{\n+   lines: 2,\n-   lines: 3,');
    expect(receipt).toMatchObject({ expected: "{ lines: 3, total: '12.34' }", actual: "{ lines: 2, total: '12.34' }", location: 'test/receipt.test.js:13:10' });
    expect(receipt.block).toContain("code: 'ERR_ASSERTION'");
  });
});

describe('readJunitReport over vitest --reporter=junit', () => {
  const tests = readJunitReport(fixture('vitest-junit-a.xml'), { root: `${ROOT_A}/vitest` })?.tests;

  it('takes the file from the classname and the suite path from the name', () => {
    expect(named(tests, 'cart > totals > adds tax')).toMatchObject({
      file: 'test/cart.test.js',
      status: 'failed',
      message: 'expected 1990 to be 1800 // Object.is equality',
      expected: '1800',
      actual: '1990',
      location: 'test/cart.test.js:7:58',
    });
    expect(named(tests, 'passing check 4')).toMatchObject({ file: 'test/cart.test.js', status: 'passed' });
    expect(countTests(tests ?? [])).toEqual({ total: 19, passed: 14, failed: 3, skipped: 2, todo: 0 });
  });

  it('reads object values, and keeps what the test printed in its block', () => {
    expect(named(tests, 'formats a receipt')).toMatchObject({ expected: "{ lines: 3, total: '12.34' }", actual: "{ lines: 2, total: '12.34' }" });
    const printer = named(tests, 'prints to the printer');
    expect(printer.block).toMatch(/\[output\]\nspooling to \/tmp\/spool-\w+/);
    expect(printer.location).toBe('test/receipt.test.js:22:9');
  });
});

describe('readJunitReport over pytest --junitxml', () => {
  const tests = readJunitReport(fixture('pytest-junit-a.xml'), { root: `${ROOT_A}/pytest` })?.tests;

  it('turns the dotted classname into a file and a class', () => {
    expect(named(tests, 'TestTotals > test_adds_tax')).toMatchObject({
      file: 'tests/test_cart.py',
      status: 'failed',
      message: 'assert 1990 == 1800\n +  where 1990 = total([(1500, 1)], 0.2)',
      expected: '1800',
      actual: '1990',
      location: 'tests/test_cart.py:11',
    });
    expect(named(tests, 'test_passing_check[7]').file).toBe('tests/test_cart.py');
  });

  it('reads skip and xfail as skipped', () => {
    expect(named(tests, 'test_keeps_the_order_of_lines').status).toBe('skipped');
    expect(named(tests, 'test_applies_discounts').status).toBe('skipped');
    expect(countTests(tests ?? [])).toEqual({ total: 16, passed: 12, failed: 2, skipped: 2, todo: 0 });
  });

  it('reads an exception with no values', () => {
    expect(named(tests, 'test_prints_to_the_printer')).toMatchObject({ expected: null, actual: null, location: 'tests/test_cart.py:38' });
    expect(named(tests, 'test_prints_to_the_printer').message).toMatch(/^ConnectionError: printer not reachable/);
  });
});

describe('readJunitReport over jest-junit and mocha-junit-reporter shapes (written by hand)', () => {
  it('jest-junit: full titles, file attribute, a failure with a body only', () => {
    const tests = readJunitReport(fixture('jest-junit-handmade.xml'), { root: '/home/dev/shop' })?.tests;
    expect(tests?.map((test) => [test.file, test.name, test.status])).toEqual([
      ['src/cart.test.js', 'cart totals adds tax', 'failed'],
      ['src/cart.test.js', 'cart totals is zero for an empty cart', 'passed'],
      ['src/cart.test.js', 'cart counts items', 'passed'],
      ['src/cart.test.js', 'cart keeps the order of lines', 'skipped'],
      ['src/receipt.test.js', 'formats a price', 'passed'],
    ]);
    expect(tests?.[0]).toMatchObject({
      message: 'Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 1800\nReceived: 1990',
      expected: '1800',
      actual: '1990',
      location: 'src/cart.test.js:8:52',
    });
  });

  it('mocha-junit-reporter: flat suites with a file, names that repeat them', () => {
    const tests = readJunitReport(fixture('mocha-junit-handmade.xml'), { root: '/home/dev/shop' })?.tests;
    expect(named(tests, 'cart totals adds tax')).toMatchObject({ file: 'test/cart.test.js', message: 'expected 1990 to equal 1800', expected: '1800', actual: '1990', location: 'test/cart.test.js:8:52' });
    expect(tests?.map((test) => test.name)).toContain('receipt formats a price');
    expect(countTests(tests ?? [])).toMatchObject({ total: 5, failed: 1, skipped: 1 });
  });
});

describe('readJunitReport on other input', () => {
  it('reads a lone testsuite, an error element, and a report after other output', () => {
    const xml = 'npm run test\n<testsuite name="unit"><testcase classname="pkg.CartTest" name="adds"><error message="boom" type="IllegalStateException"/></testcase><testcase classname="pkg.CartTest" name="keeps"/></testsuite>\ndone';
    const tests = readJunitReport(xml)?.tests;
    expect(tests?.map((test) => [test.file, test.name, test.status, test.message])).toEqual([
      [null, 'unit > pkg.CartTest > adds', 'failed', 'boom'],
      [null, 'unit > pkg.CartTest > keeps', 'passed', null],
    ]);
  });

  it('is null for what is not a JUnit report, and never throws', () => {
    expect(readJunitReport('')).toBeNull();
    expect(readJunitReport('<html><body>hi</body></html>')).toBeNull();
    expect(readJunitReport(fixture('node-tap-a.tap'))).toBeNull();
    expect(readJunitReport('<testsuites><testsuite name="a"><testcase name="x">')).toBeNull();
    expect(() => readJunitReport('<testsuites><testsuite name="a"><testcase name="x"></testsuite></testsuites>')).not.toThrow();
    expect(() => readJunitReport('<testsuites>\u0000<<>>&&&;</testsuites>')).not.toThrow();
  });
});
