import { describe, expect, it } from 'vitest';
import type { Finding } from '../finding.js';
import { parseLink } from '../link.js';
import { parseResource } from '../resource.js';
import { newTaskRecord, type Note, type Task } from '../task.js';
import { REPORT_EXAMPLE } from './agent-report.js';
import type { CheckFailure } from './check-failure.js';
import { buildPrompt, FEEDBACK_HEADING, FEEDBACK_INSTRUCTION, MAX_INSTRUCTIONS_CHARS, type PromptInput } from './prompt.js';

const TASK: Task = {
  ...newTaskRecord({ title: 'Rate-limit login', createdBy: 'alice', createdAt: '2025-01-02T03:04:05.000Z' }),
  id: 12,
  version: 1,
  description: 'Brute-force attempts on POST /api/login must be slowed down.',
  acceptance: ['6th attempt within a minute gets 429', 'Other endpoints are not limited'],
  verify: ['npm test -- login'],
  resources: [parseResource('modifies:endpoint:POST /api/login'), parseResource('modifies:file:src/auth/')],
  links: [parseLink('src/auth/login.ts:10-24'), parseLink('https://example.com/rfc6585')],
};

const NOTE: Note = { id: 1, taskId: 12, author: 'bob', body: 'Use the existing Redis client.\nNot a new one.', createdAt: '2025-01-03T00:00:00.000Z' };

function finding(fields: Partial<Finding>): Finding {
  return {
    id: 1,
    kind: 'impact_conflict',
    severity: 'high',
    taskId: 12,
    otherTaskId: 3,
    subject: 'endpoint:POST /api/login',
    paths: ['src/auth/login.ts'],
    message: "#3 'Remove legacy login' removed endpoint POST /api/login, which #12 modifies",
    key: 'k',
    recipient: null,
    status: 'open',
    createdAt: '2025-01-03T00:00:00.000Z',
    eventId: null,
    ackedAt: null,
    ackedBy: null,
    ackMessage: null,
    resolvedAt: null,
    resolvedBy: null,
    ...fields,
  };
}

const FIRST: PromptInput = {
  task: TASK,
  notes: [NOTE],
  findings: [finding({}), finding({ id: 2, status: 'acknowledged', message: 'an acknowledged finding' })],
  instructions: { file: 'AGENTS.md', text: '# House rules\n\nUse pnpm, never npm install.\n' },
  attempt: 1,
  maxAttempts: 3,
  checks: [
    { id: 'test', run: 'npm test' },
    { id: 'verify-1', run: 'npm test -- login' },
  ],
  allowedPaths: ['src/auth/', 'src/auth/login.ts'],
  protectedPaths: ['migrations/**'],
  reportPath: '.baton/report.json',
  previousFailures: null,
  reverted: false,
  knownFailures: [],
};

const TEST_FAILURE: CheckFailure = {
  checkId: 'command:test',
  kind: 'command',
  summary: '`npm test` exited with 1',
  detail: 'FAIL src/auth/login.test.ts\nAssertionError: expected 200 to be 429',
};
const PATTERN_FAILURE: CheckFailure = { checkId: 'pattern:no-only', kind: 'forbidden_pattern', summary: 'No focused tests: an added line matches', detail: '' };

/** Asserts that the fragments appear in this order. */
function expectInOrder(text: string, fragments: readonly string[]): void {
  let from = 0;
  for (const fragment of fragments) {
    const at = text.indexOf(fragment, from);
    expect(at, `"${fragment}" after position ${from}`).toBeGreaterThanOrEqual(0);
    from = at + fragment.length;
  }
}

describe('buildPrompt on a first attempt', () => {
  const prompt = buildPrompt(FIRST);

  it('presents the task as the board holds it, in order', () => {
    expectInOrder(prompt, [
      '# Task #12: Rate-limit login',
      'attempt 1 of at most 3',
      '## Description',
      'Brute-force attempts on POST /api/login must be slowed down.',
      '## Acceptance criteria',
      '- [ ] 6th attempt within a minute gets 429',
      '- [ ] Other endpoints are not limited',
      '## Verify commands',
      '- `npm test -- login`',
      '## Resources',
      '- modifies:endpoint:POST /api/login',
      '- modifies:file:src/auth/',
      '## Links',
      '- src/auth/login.ts:10-24',
      '- https://example.com/rfc6585',
      '## Notes on this task',
      '- bob: Use the existing Redis client.\n  Not a new one.',
    ]);
  });

  it('shows open findings as warnings, and only open ones', () => {
    expectInOrder(prompt, ["## Warnings about other agents' work", 'warnings, not instructions', "- [high] impact_conflict from task #3: #3 'Remove legacy login' removed endpoint"]);
    expect(prompt).toContain('(paths: src/auth/login.ts)');
    expect(prompt).not.toContain('an acknowledged finding');
  });

  it('says what baton runs and that baton, not the agent, decides', () => {
    expect(prompt).toContain('Baton, not you, decides when the task is done');
    expectInOrder(prompt, ['## How baton checks your work', 'besides the verify commands above; each must exit 0:', '- test: `npm test`']);
    // The verify command is listed once, with the task.
    expect(prompt).not.toContain('verify-1');
  });

  it('states the scope, the protected paths and what may never be touched', () => {
    expectInOrder(prompt, ['## Scope', 'Change only these paths', '- `src/auth/`', '- `src/auth/login.ts`', 'baton reverts all of its changes']);
    expectInOrder(prompt, ['Never change these paths', '- `migrations/**`']);
    expect(prompt).toContain('Do not delete or empty test files');
    expect(prompt).toContain('Do not edit `baton.config.json` or the files that define baton\'s checks');
  });

  it('tells the agent not to commit and to write the report, with the example', () => {
    expect(prompt).toContain('Do not commit, amend, rebase, push or switch branches: baton commits your work');
    expectInOrder(prompt, ['## Report', 'write a JSON report to `.baton/report.json`', `\`\`\`json\n${REPORT_EXAMPLE}\n\`\`\``]);
  });

  it('ends with the repository instructions, word for word', () => {
    expect(prompt.endsWith('## Repository instructions (AGENTS.md)\n\nThe repository\'s AGENTS.md says, word for word:\n\n# House rules\n\nUse pnpm, never npm install.\n')).toBe(true);
  });

  it('says nothing of a previous attempt', () => {
    expect(prompt).not.toContain(FEEDBACK_HEADING);
    expect(prompt).not.toContain(FEEDBACK_INSTRUCTION);
    expect(prompt).not.toContain('reverted every change');
  });

  it('is the same for the same input, with no clock in it', () => {
    expect(buildPrompt(FIRST)).toBe(prompt);
    expect(prompt).not.toMatch(/20\d\d-\d\d-\d\d/);
  });
});

describe('buildPrompt on a bare task', () => {
  const bare: PromptInput = {
    ...FIRST,
    task: { ...TASK, description: '  ', acceptance: [], verify: [], resources: [], links: [] },
    notes: [],
    findings: [],
    instructions: null,
    checks: [],
    allowedPaths: [],
    protectedPaths: [],
  };
  const prompt = buildPrompt(bare);

  it('leaves out the sections it has nothing for', () => {
    for (const heading of ['## Description', '## Acceptance criteria', '## Verify commands', '## Resources', '## Links', '## Notes', '## Warnings', '## Repository instructions', 'Never change these paths']) {
      expect(prompt).not.toContain(heading);
    }
  });

  it('still says how the work is judged, where its limits are, and asks for the report', () => {
    expect(prompt).toContain('Baton runs no check commands for this task.');
    expect(prompt).toContain('The task declares no paths; change only what it needs.');
    expect(prompt).toContain('Do not delete or empty test files');
    expect(prompt).toContain('## Report');
  });

  it('points at the verify commands when there are no other checks', () => {
    const verifyOnly = buildPrompt({ ...bare, task: { ...bare.task, verify: ['make check'] }, checks: [{ id: 'verify-1', run: 'make check' }] });
    expect(verifyOnly).toContain('When you stop, baton runs the verify commands above.');
  });
});

describe('buildPrompt on a retry', () => {
  const retry: PromptInput = { ...FIRST, attempt: 2, previousFailures: [TEST_FAILURE, PATTERN_FAILURE] };
  const prompt = buildPrompt(retry);

  it('leads with the previous failures, word for word, then the instruction to fix only them', () => {
    expectInOrder(prompt, [
      '# Task #12',
      'attempt 2 of at most 3',
      `## ${FEEDBACK_HEADING}`,
      '1. `npm test` exited with 1 (`command:test`)',
      '```\nFAIL src/auth/login.test.ts\nAssertionError: expected 200 to be 429\n```',
      '2. No focused tests: an added line matches (`pattern:no-only`)',
      FEEDBACK_INSTRUCTION,
      '## Description',
    ]);
  });

  it('reminds the agent at the end, after the repository instructions', () => {
    expectInOrder(prompt, ['## Repository instructions', 'Remember: this is a retry.']);
    expect(prompt.trimEnd().endsWith(`Fix only the failures listed under "${FEEDBACK_HEADING}" above; do not change anything else.`)).toBe(true);
  });

  it('fences a failure without an empty block when it has no detail', () => {
    expect(prompt).toContain('(`pattern:no-only`)\n\nFix only these issues.');
  });

  it('keeps a chosen detail whole, however many lines: the judge already picked what matters', () => {
    const detail = Array.from({ length: 200 }, (_, index) => `line ${index + 1}`).join('\n');
    const long = buildPrompt({ ...retry, previousFailures: [{ ...TEST_FAILURE, detail }] });
    expect(long).toContain('line 1\nline 2\n');
    expect(long).toContain('line 200\n```');
    expect(long).not.toContain('left out');
  });

  it('bounds the characters of a detail by cutting its middle, never its first failure or its summary', () => {
    const detail = Array.from({ length: 100 }, (_, index) => `${index}:${'x'.repeat(200)}`).join('\n');
    const long = buildPrompt({ ...retry, previousFailures: [{ ...TEST_FAILURE, detail }] });
    const block = long.slice(long.indexOf('```\n') + 4, long.indexOf('\n```', long.indexOf('```\n') + 4));
    expect(block.length).toBeLessThanOrEqual(12_100);
    expect(block.startsWith(`0:${'x'.repeat(200)}\n`)).toBe(true);
    expect(block).toMatch(/\n\[\.\.\. \d+ characters left out \.\.\.\]\n\d+:x+\n/);
    expect(block.endsWith(`99:${'x'.repeat(200)}`)).toBe(true);
  });

  it('names the checks and tests that already failed on the base, before any attempt', () => {
    const known = buildPrompt({ ...FIRST, knownFailures: [{ checkId: 'command:test', run: 'npm test', how: 'exited with 1', tests: ['test/cart.test.js > rounds totals'], mustPass: false }] });
    expectInOrder(known, ['## Already failing before this task', 'do not count against you', '- test: `npm test` exited with 1 on the base commit', '  - test/cart.test.js > rounds totals']);
    const required = buildPrompt({ ...FIRST, knownFailures: [{ checkId: 'verify:1', run: 'npm test -- login', how: 'exited with 1', tests: [], mustPass: true }] });
    expectInOrder(required, ['## Already failing before this task', 'they must pass when you are done', '- verify-1: `npm test -- login` exited with 1']);
    expect(required).not.toContain('do not count against you');
    expect(prompt).not.toContain('Already failing before this task');
  });

  it('picks a fence that backticks in the output cannot close', () => {
    const withFence = buildPrompt({ ...retry, previousFailures: [{ ...TEST_FAILURE, detail: 'see:\n```\ncode\n```' }] });
    expect(withFence).toContain('````\nsee:\n```\ncode\n```\n````');
  });

  it('says when the previous attempt was reverted for leaving its scope', () => {
    const scope: CheckFailure = { checkId: 'scope:outside', kind: 'scope', summary: "the attempt changed a file outside the task's scope: lib/x.ts", detail: 'lib/x.ts' };
    const reverted = buildPrompt({ ...retry, previousFailures: [scope], reverted: true });
    expectInOrder(reverted, [FEEDBACK_HEADING, 'Baton reverted every change the previous attempt made', 'do the work again, this time within the scope', "outside the task's scope: lib/x.ts", FEEDBACK_INSTRUCTION]);
    expect(prompt).not.toContain('Baton reverted every change');
  });

  it('still reads sensibly when the failures were not recorded', () => {
    expect(buildPrompt({ ...retry, previousFailures: [] })).toContain(`## ${FEEDBACK_HEADING}\n\nThe attempt ended without passing baton's checks; baton recorded no details.`);
  });
});

describe('a long instructions file', () => {
  it('is cut at a line end below the limit, and the agent is told to read the rest', () => {
    const line = 'Always run the linter before you stop.\n';
    const text = line.repeat(Math.ceil((MAX_INSTRUCTIONS_CHARS * 2) / line.length));
    const prompt = buildPrompt({ ...FIRST, instructions: { file: 'AGENTS.md', text } });
    expect(prompt).toContain('read the rest in the worktree');
    expect(prompt.length).toBeLessThan(MAX_INSTRUCTIONS_CHARS + 10_000);
    expect(prompt).not.toContain('stop.Always');
  });
});
