import { describe, expect, it } from 'vitest';
import type { AgentReport } from './agent-report.js';
import type { CheckFailure } from './check-failure.js';
import { checkpointMessage, commitMessage } from './commit-message.js';

const TASK = { id: 12, title: 'Rate-limit login' };
const REPORT: AgentReport = {
  summary: 'Added a sliding-window limiter to POST /api/login.',
  changes: ['src/auth/rate-limit.ts: new limiter', 'src/auth/login.ts: 429 over the limit'],
  tests: ['src/auth/rate-limit.test.ts'],
  notes: null,
};

describe('commitMessage', () => {
  it('puts the title and id in the subject, the report in the body and the trailers last', () => {
    expect(commitMessage(TASK, REPORT, { runNumber: 2, attempts: 3 })).toBe(
      [
        'Rate-limit login (#12)',
        '',
        'Added a sliding-window limiter to POST /api/login.',
        '',
        'Changes:',
        '- src/auth/rate-limit.ts: new limiter',
        '- src/auth/login.ts: 429 over the limit',
        '',
        'Tests:',
        '- src/auth/rate-limit.test.ts',
        '',
        'Baton-Task: 12',
        'Baton-Run: 2',
        'Baton-Attempts: 3',
        '',
      ].join('\n'),
    );
  });

  it('says the checks passed when the agent left no report', () => {
    const message = commitMessage(TASK, null, { runNumber: 1, attempts: 1 });
    expect(message.split('\n\n')).toEqual(['Rate-limit login (#12)', "baton's checks passed after 1 attempt; the agent left no report.", 'Baton-Task: 12\nBaton-Run: 1\nBaton-Attempts: 1\n']);
  });

  it('keeps the subject within 72 characters without losing the id', () => {
    const title = 'Make the login endpoint reject brute-force attempts with a sliding window limiter per address';
    const [subject] = commitMessage({ id: 1234, title }, null, { runNumber: 1, attempts: 1 }).split('\n');
    expect(subject?.length).toBeLessThanOrEqual(72);
    expect(subject).toMatch(/^Make the login endpoint reject .*\.\.\. \(#1234\)$/);
    expect(subject).not.toMatch(/ \.\.\./);
  });

  it('keeps the subject on one line and the notes in the body', () => {
    const message = commitMessage({ id: 3, title: 'Fix\nthe   thing' }, { ...REPORT, changes: [], tests: [], notes: 'Follow up on\nthe cache.' }, { runNumber: 1, attempts: 2 });
    expect(message.startsWith('Fix the thing (#3)\n\n')).toBe(true);
    expect(message).toContain('\n\nNotes: Follow up on\nthe cache.\n\n');
    expect(message).not.toContain('Changes:');
  });

  it('keeps lines starting with # that git would strip as comments', () => {
    const message = commitMessage(TASK, { ...REPORT, summary: '# Heading\nbody' }, { runNumber: 1, attempts: 1 });
    expect(message).toContain('\n\n # Heading\nbody\n\n');
    expect(message.split('\n').some((line) => line.startsWith('#'))).toBe(false);
  });

  it('shortens long change lists', () => {
    const changes = Array.from({ length: 40 }, (_, index) => `file${index}.ts`);
    const message = commitMessage(TASK, { ...REPORT, changes }, { runNumber: 1, attempts: 1 });
    expect(message).toContain('- file29.ts\n- ... and 10 more');
    expect(message).not.toContain('file30.ts');
  });
});

describe('checkpointMessage', () => {
  const failures: CheckFailure[] = [
    { checkId: 'command:test', kind: 'command', summary: '`npm test` exited with 1', detail: 'lots of output' },
    { checkId: 'pattern:no-only', kind: 'forbidden_pattern', summary: 'No focused tests:\n1 added line', detail: '' },
  ];

  it('names the attempt and each failed check, without their output', () => {
    expect(checkpointMessage(TASK, 2, failures)).toBe(
      [
        'Checkpoint: Rate-limit login (#12, attempt 2, 2 checks failed)',
        '',
        "Baton's checks failed on attempt 2:",
        '- command:test: `npm test` exited with 1',
        '- pattern:no-only: No focused tests: 1 added line',
        '',
        'Baton-Task: 12',
        'Baton-Attempt: 2',
        '',
      ].join('\n'),
    );
  });

  it('keeps its subject within 72 characters too', () => {
    const [subject] = checkpointMessage({ id: 7, title: 'x'.repeat(100) }, 1, failures.slice(0, 1)).split('\n');
    expect(subject?.length).toBeLessThanOrEqual(72);
    expect(subject?.endsWith('(#7, attempt 1, 1 check failed)')).toBe(true);
  });
});
