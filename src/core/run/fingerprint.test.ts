import { describe, expect, it } from 'vitest';
import type { CheckFailure } from './check-failure.js';
import { attemptFingerprint, errorSignature, fnv1a64 } from './fingerprint.js';

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

  it('keeps at most twenty lines: the first ten and the last ten', () => {
    const text = Array.from({ length: 50 }, (_, index) => `error number ${index + 1}`).join('\n');
    const lines = errorSignature(text).split('\n');
    expect(lines).toHaveLength(20);
    expect(lines[0]).toBe('error number 1');
    expect(lines[9]).toBe('error number 10');
    expect(lines[10]).toBe('error number 41');
    expect(lines[19]).toBe('error number 50');
  });

  it('recognises the error words of other tools', () => {
    const text = 'compiling\nthread main panicked\nok\n✗ login works\nModule not found: x\ncannot find name y\ndone';
    expect(errorSignature(text).split('\n')).toEqual(['thread main panicked', '✗ login works', 'Module not found: x', 'cannot find name y']);
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
