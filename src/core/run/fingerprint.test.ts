/* eslint-disable no-restricted-imports -- the recorded outputs are files beside the tests; the signatures never read files */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CheckFailure } from './check-failure.js';
import { attemptFingerprint, errorSignature, fnv1a64, reportSignature } from './fingerprint.js';
import type { TestCaseResult, TestReport } from './test-results.js';

/** Real outputs of node 20, vitest 4 and pytest 9; test/fixtures/test-reports/README.md says how each was made. */
const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/test-reports/${name}`, import.meta.url), 'utf8');

/** A vitest failure as a check's output tail shows it, with what differs from run to run filled in. */
function vitestOutput(run: { time: string; ms: number; tmp: string; port: number; expected: string }): string {
  return [
    '\u001b[1m\u001b[46m RUN \u001b[49m\u001b[22m \u001b[36mv4.1.12\u001b[39m /work/repo',
    '',
    ` \u001b[31m❯\u001b[39m src/login.test.ts (3 tests | 1 failed) ${run.ms}ms`,
    `   \u001b[31m×\u001b[39m rejects a wrong password ${run.ms - 3}ms`,
    '',
    ' FAIL  src/login.test.ts > rejects a wrong password',
    `AssertionError: expected 200 to be ${run.expected} // Object.is equality`,
    ` ❯ src/login.test.ts:14:25`,
    `   server listening on http://127.0.0.1:${run.port} (pid ${run.port + 7})`,
    `   wrote ${run.tmp}/session.json`,
    '',
    ' Test Files  1 failed (1)',
    '      Tests  1 failed | 2 passed (3)',
    `   Start at  ${run.time}`,
    `   Duration  ${(run.ms / 1000).toFixed(2)}s (transform 12ms, setup 0ms, tests ${run.ms}ms)`,
  ].join('\n');
}

const FIRST = { time: '16:25:38', ms: 347, tmp: '/tmp/vitest-a8Bq2x', port: 53123, expected: '401' };
const SECOND = { time: '16:27:02', ms: 1291, tmp: '/tmp/vitest-Zk09pp', port: 40811, expected: '401' };

describe('errorSignature', () => {
  it('is the same for two runs that fail the same way', () => {
    expect(errorSignature(vitestOutput(FIRST))).toBe(errorSignature(vitestOutput(SECOND)));
  });

  it('differs when the failure differs', () => {
    expect(errorSignature(vitestOutput(FIRST))).not.toBe(errorSignature(vitestOutput({ ...FIRST, expected: '403' })));
  });

  it('keeps the lines with error words, file names and line numbers, and drops colours', () => {
    const signature = errorSignature(vitestOutput(FIRST));
    expect(signature).toContain('AssertionError: expected 200 to be 401 // Object.is equality');
    expect(signature).toContain('FAIL src/login.test.ts > rejects a wrong password');
    expect(signature).toContain('Tests 1 failed | 2 passed (3)');
    expect(signature).not.toContain('\u001b');
    expect(signature).not.toContain('RUN');
    expect(signature).not.toContain('Duration');
  });

  it('keeps every line when none carries an error word, and replaces the noise in them', () => {
    const signature = errorSignature(
      [
        'built at 2024-05-01T12:00:03.123Z in 1.2s',
        'object 0x7ffd5e8a1c20, commit 3f9c2a1be04d, request 550e8400-e29b-41d4-a716-446655440000',
        'listening on localhost:8080, port 9229, seed=1234567',
        'wrote /private/var/folders/x1/abc123/T/tmp-77/out.txt and /tmp/baton-xyz/b.txt',
        'used 45.2 MB, took 2m 5s, file src/app.ts:12:5',
      ].join('\n'),
    );
    expect(signature.split('\n')).toEqual([
      'built at <time> in <dur>',
      'object 0x<hex>, commit <hex>, request <id>',
      'listening on localhost:<port>, port <n>, seed=<n>',
      'wrote <tmp>/out.txt and <tmp>/b.txt',
      'used <size>, took <dur> <dur>, file src/app.ts:12:5',
    ]);
  });

  it('keeps counts and plain numbers that say what failed', () => {
    expect(errorSignature('3 tests failed')).not.toBe(errorSignature('2 tests failed'));
    expect(errorSignature('error at line 12')).not.toBe(errorSignature('error at line 13'));
    expect(errorSignature('3 suites failed')).toBe('3 suites failed');
  });

  it('collapses whitespace, line endings and repeated lines', () => {
    expect(errorSignature('Error:   boom\r\n\r\n\tError: boom  \r\nError: bang')).toBe('Error: boom\nError: bang');
  });

  it('keeps at most forty lines: the first twenty and the last twenty', () => {
    const text = Array.from({ length: 90 }, (_, index) => `error number ${index + 1}`).join('\n');
    const lines = errorSignature(text).split('\n');
    expect(lines).toHaveLength(40);
    expect(lines[0]).toBe('error number 1');
    expect(lines[19]).toBe('error number 20');
    expect(lines[20]).toBe('error number 71');
    expect(lines[39]).toBe('error number 90');
  });

  it('recognises the error words of other tools', () => {
    const text = 'compiling\nthread main panicked\nok\n✗ login works\nModule not found: x\ncannot find name y\ndone';
    expect(errorSignature(text).split('\n')).toEqual(['thread main panicked', '✗ login works', 'Module not found: x', 'cannot find name y']);
  });

  it('keeps the values after an error line, which carry no error word', () => {
    const strict = (actual: number): string => `AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n\n${actual} !== 1800\n\n    at f (file:///repo/a.js:1:1)`;
    expect(errorSignature(strict(1990))).toContain('1990 !== 1800');
    expect(errorSignature(strict(1990))).not.toBe(errorSignature(strict(1900)));
    const jest = (received: number): string => `expect(received).toBe(expected) // Object.is equality\n\nExpected: 5\nReceived: ${received}`;
    expect(errorSignature(jest(4))).not.toBe(errorSignature(jest(3)));
    const diff = (lines: number): string => `AssertionError: objects differ\n+ actual - expected\n\n  {\n+   lines: ${lines},\n-   lines: 3,\n  }`;
    expect(errorSignature(diff(2))).not.toBe(errorSignature(diff(4)));
    expect(errorSignature(diff(2))).toContain('+ lines: 2,');
  });

  it('does not keep value-like lines far from any error line, or rules of dashes', () => {
    const text = ['Error: boom', ...Array.from({ length: 20 }, (_, index) => `step ${index}`), '+ 1990', '- 1800', 'FAIL x', '---------- section ----------'].join('\n');
    expect(errorSignature(text).split('\n')).toEqual(['Error: boom', 'FAIL x']);
  });

  it('tells two wrong values apart in the real output of node, vitest and pytest, and not two runs of the same failure', () => {
    for (const runner of ['node-spec', 'vitest-default', 'pytest-plain']) {
      const [first, again, other] = ['a', 'a-again', 'b'].map((run) => errorSignature(fixture(`${runner}-${run}.txt`)));
      expect(first, runner).toBe(again);
      expect(first, runner).not.toBe(other);
    }
    expect(errorSignature(fixture('node-spec-a.txt'))).toContain('1990 !== 1800');
    expect(errorSignature(fixture('node-spec-b.txt'))).toContain('1900 !== 1800');
  });

  it('is empty for empty text', () => {
    expect(errorSignature('')).toBe('');
    expect(errorSignature(' \n\u001b[0m\n')).toBe('');
  });
});

describe('attemptFingerprint', () => {
  const test = (detail: string): CheckFailure => ({ checkId: 'command:test', kind: 'command', summary: '`npm test` exited with 1', detail });
  const lint: CheckFailure = { checkId: 'command:lint', kind: 'command', summary: '`npm run lint` exited with 1', detail: 'src/a.ts:3:1 error no-unused-vars' };

  it('is null when nothing failed', () => {
    expect(attemptFingerprint([])).toBeNull();
  });

  it('is sixteen hex digits, the same for the same failures in any order', () => {
    const fingerprint = attemptFingerprint([test(vitestOutput(FIRST)), lint]);
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(attemptFingerprint([lint, test(vitestOutput(SECOND))])).toBe(fingerprint);
  });

  it('changes with the failing checks and with what they say', () => {
    const base = attemptFingerprint([test(vitestOutput(FIRST)), lint]);
    expect(attemptFingerprint([test(vitestOutput(FIRST))])).not.toBe(base);
    expect(attemptFingerprint([test(vitestOutput({ ...FIRST, expected: '403' })), lint])).not.toBe(base);
    expect(attemptFingerprint([{ ...lint, checkId: 'command:lint2' }, test(vitestOutput(FIRST))])).not.toBe(base);
  });

  it('tells a command that timed out from one that failed with the same output', () => {
    const output = vitestOutput(FIRST);
    const timedOut = { ...test(output), summary: '`npm test` timed out after 600 s' };
    expect(attemptFingerprint([timedOut])).not.toBe(attemptFingerprint([test(output)]));
    expect(attemptFingerprint([timedOut])).toBe(attemptFingerprint([{ ...timedOut, summary: '`npm test` timed out after 412 s' }]));
  });

  it('does not mistake the same text under another check for the same failure', () => {
    const a: CheckFailure = { checkId: 'verify:1', kind: 'verify', summary: 'x', detail: 'error' };
    expect(attemptFingerprint([a])).not.toBe(attemptFingerprint([{ ...a, checkId: 'verify:2' }]));
  });
});

const failedTest = (over: Partial<TestCaseResult>): TestCaseResult => ({
  file: 'test/cart.test.js',
  name: 'cart > adds tax',
  status: 'failed',
  message: 'Expected values to be strictly equal:\n\n1990 !== 1800',
  expected: '1800',
  actual: '1990',
  location: 'test/cart.test.js:8:14',
  block: 'not ok 1 - adds tax\n  duration_ms: 2.9',
  ...over,
});
const passedTest = (name: string): TestCaseResult => ({ ...failedTest({ name }), status: 'passed', message: null, expected: null, actual: null, location: null, block: '' });
const junit = (...tests: TestCaseResult[]): TestReport => ({ format: 'junit', tests });

describe('reportSignature', () => {
  it('names each failing test with its message and values', () => {
    expect(reportSignature(junit(failedTest({}), passedTest('cart > counts')))).toBe(
      'test/cart.test.js::cart > adds tax | Expected values to be strictly equal: ⏎ 1990 !== 1800 | expected 1800 | actual 1990',
    );
  });

  it('differs when a value differs, even with the same message', () => {
    const first = reportSignature(junit(failedTest({ message: 'values differ' })));
    expect(reportSignature(junit(failedTest({ message: 'values differ', actual: '1900' })))).not.toBe(first);
    expect(reportSignature(junit(failedTest({ message: 'values differ', expected: '1700' })))).not.toBe(first);
    expect(reportSignature(junit(failedTest({ message: 'values differ', name: 'cart > adds vat' })))).not.toBe(first);
  });

  it('ignores times, ports, temporary paths, locations, blocks, passing tests and order', () => {
    const run = (port: number, tmp: string, ms: number, line: number): TestReport =>
      junit(
        passedTest(`warm-up ${ms}`),
        failedTest({ name: 'printer', message: `not reachable at 127.0.0.1:${port} after ${ms}ms (spool /tmp/${tmp})`, expected: null, actual: null, location: `test/p.test.js:${line}:3` }),
        failedTest({ block: `duration_ms: ${ms}` }),
      );
    const first = run(35017, 'spool-qgNxPv', 12, 20);
    const second = run(44787, 'spool-0mDZgf', 480, 23);
    expect(reportSignature(second)).toBe(reportSignature(first));
    expect(reportSignature(junit(...[...first.tests].reverse()))).toBe(reportSignature(first));
  });

  it('is empty when no test failed', () => {
    expect(reportSignature(junit(passedTest('a')))).toBe('');
  });
});

describe('attemptFingerprint with report signatures', () => {
  const check: CheckFailure = { checkId: 'command:test', kind: 'command', summary: '`npm test` exited with 1', detail: 'ok 1 - a\nok 2 - b\n# fail 1' };

  it('uses a check\'s report signature in place of its detail', () => {
    const wrong = (actual: string): Map<string, string> => new Map([['command:test', reportSignature(junit(failedTest({ actual })))]]);
    expect(attemptFingerprint([check], wrong('1990'))).not.toBe(attemptFingerprint([check], wrong('1900')));
    expect(attemptFingerprint([check], wrong('1990'))).toBe(attemptFingerprint([{ ...check, detail: 'other text' }], wrong('1990')));
  });

  it('falls back to the detail when the signature is empty or missing', () => {
    expect(attemptFingerprint([check], new Map([['command:test', '']]))).toBe(attemptFingerprint([check]));
    expect(attemptFingerprint([check], new Map([['command:lint', 'x']]))).toBe(attemptFingerprint([check]));
  });
});

describe('fnv1a64', () => {
  it('gives the published test vectors', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
  });

  it('hashes the UTF-8 bytes of text outside ASCII', () => {
    expect(fnv1a64('×')).not.toBe(fnv1a64('\u00d7\u0000'));
    expect(fnv1a64('😀')).toMatch(/^[0-9a-f]{16}$/);
    expect(fnv1a64('é')).not.toBe(fnv1a64('e'));
  });
});
