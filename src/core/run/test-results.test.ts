import { describe, expect, it } from 'vitest';
import { countsSummary, countTests, failedTests, ran, testKey, type TestCaseResult, type TestStatus } from './test-results.js';

const test = (name: string, status: TestStatus, file: string | null = null): TestCaseResult => ({ file, name, status, message: null, expected: null, actual: null, location: null, block: '' });

describe('testKey', () => {
  it('is the file and the full name, and the name alone without a file', () => {
    expect(testKey(test('cart > adds tax', 'passed', 'test/cart.test.js'))).toBe('test/cart.test.js::cart > adds tax');
    expect(testKey(test('cart > adds tax', 'passed'))).toBe('cart > adds tax');
  });

  it('does not change with the status', () => {
    expect(testKey(test('a', 'passed', 'f'))).toBe(testKey(test('a', 'skipped', 'f')));
    expect(testKey(test('a', 'passed', 'f'))).not.toBe(testKey(test('a', 'passed', 'g')));
  });
});

describe('counts', () => {
  const tests = [test('a', 'failed'), test('b', 'passed'), test('c', 'passed'), test('d', 'skipped'), test('e', 'todo'), test('f', 'failed')];

  it('counts each status', () => {
    expect(countTests(tests)).toEqual({ total: 6, passed: 2, failed: 2, skipped: 1, todo: 1 });
    expect(countTests([])).toEqual({ total: 0, passed: 0, failed: 0, skipped: 0, todo: 0 });
  });

  it('says failed and passed always, skipped and todo when there are some', () => {
    expect(countsSummary(countTests(tests))).toBe('2 failed, 2 passed, 1 skipped, 1 todo');
    expect(countsSummary(countTests([test('a', 'passed')]))).toBe('0 failed, 1 passed');
  });

  it('picks the failed tests in order, and knows which ran', () => {
    expect(failedTests({ format: 'junit', tests }).map((failed) => failed.name)).toEqual(['a', 'f']);
    expect(tests.filter(ran).map((one) => one.name)).toEqual(['a', 'b', 'c', 'f']);
  });
});
