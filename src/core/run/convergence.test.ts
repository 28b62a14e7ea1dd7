import { describe, expect, it } from 'vitest';
import type { CheckFailure } from './check-failure.js';
import { budgetLeft, crashSignature, decideAfterAttempt, formatMs, statusAfterRun, type AttemptVerdict, type RunProgress } from './convergence.js';
import { DEFAULT_BUDGETS, type Budgets } from './project-config.js';

const BUDGETS: Budgets = { ...DEFAULT_BUDGETS, maxAttempts: 5, stalledAfter: 2, maxDivergences: 2, maxRateLimitRetries: 2, rateLimitWaitMs: 30_000 };

const TEST_FAILS: CheckFailure = { checkId: 'command:test', kind: 'command', summary: '`npm test` exited with 1', detail: '' };
const failed = (fingerprint: string): AttemptVerdict => ({ kind: 'checks_failed', failures: [TEST_FAILS], fingerprint });
const PASSED: AttemptVerdict = { kind: 'passed' };
const DIVERGED: AttemptVerdict = { kind: 'diverged', failures: [] };
const RATE_LIMITED: AttemptVerdict = { kind: 'rate_limited', outcome: { kind: 'rate_limited', reason: 'rate limited: 429 Too Many Requests' } };
const HUNG: AttemptVerdict = { kind: 'agent_failed', outcome: { kind: 'hung', reason: 'the agent printed nothing for the idle timeout and was killed' } };
const crashed = (reason: string, detail?: string): AttemptVerdict => ({ kind: 'agent_failed', outcome: { kind: 'crashed', reason, ...(detail === undefined ? {} : { detail }) } });
const NO_REPO = crashed('the agent exited with 1 without reporting how its session ended: Not inside a trusted directory', 'WARNING: no helper binaries under "/tmp/a1b2"\nNot inside a trusted directory');
const AUTH: AttemptVerdict = { kind: 'needs_human', outcome: { kind: 'auth_error', reason: 'refused credentials: Invalid API key.' } };

const progress = (verdicts: AttemptVerdict[], spent: Partial<Omit<RunProgress, 'verdicts'>> = {}): RunProgress => ({ verdicts, elapsedMs: 60_000, tokens: 0, costUsd: 0, ...spent });

describe('decideAfterAttempt', () => {
  it('stops as succeeded when the checks passed, whatever came before', () => {
    expect(decideAfterAttempt(progress([failed('a'), RATE_LIMITED, PASSED]), BUDGETS)).toEqual({
      kind: 'stop',
      outcome: 'succeeded',
      reason: "baton's checks passed on attempt 2.",
    });
    // Even on the last attempt allowed and past the time budget: the work is done.
    expect(decideAfterAttempt(progress([failed('a'), failed('b'), PASSED], { elapsedMs: 1e9 }), { ...BUDGETS, maxAttempts: 3 })).toMatchObject({ outcome: 'succeeded' });
  });

  it('stops for a person when the agent cannot authenticate or is refused', () => {
    expect(decideAfterAttempt(progress([AUTH]), BUDGETS)).toEqual({
      kind: 'stop',
      outcome: 'needs_human',
      reason: 'the agent cannot go on without a person: refused credentials: Invalid API key.',
    });
  });

  it('goes on after a failed attempt while budget is left', () => {
    expect(decideAfterAttempt(progress([failed('a')]), BUDGETS)).toEqual({ kind: 'continue', waitMs: 0 });
    expect(decideAfterAttempt(progress([HUNG]), BUDGETS)).toEqual({ kind: 'continue', waitMs: 0 });
    expect(decideAfterAttempt(progress([]), BUDGETS)).toEqual({ kind: 'continue', waitMs: 0 });
  });

  it('waits after a rate limit, without counting it as an attempt', () => {
    const budgets = { ...BUDGETS, maxAttempts: 1 };
    expect(decideAfterAttempt(progress([RATE_LIMITED]), budgets)).toEqual({ kind: 'continue', waitMs: 30_000 });
    expect(decideAfterAttempt(progress([RATE_LIMITED, RATE_LIMITED]), budgets)).toEqual({ kind: 'continue', waitMs: 30_000 });
  });

  it('stops as rate limited after more rate limits than retries allowed', () => {
    const decision = decideAfterAttempt(progress([RATE_LIMITED, failed('a'), RATE_LIMITED, RATE_LIMITED]), BUDGETS);
    expect(decision).toEqual({
      kind: 'stop',
      outcome: 'rate_limited',
      reason: 'the agent was rate limited 3 times, more than the 2 retries allowed (last: rate limited: 429 Too Many Requests); try again later.',
    });
  });

  it('does not wait for a rate limit when the wait would end past the time budget', () => {
    const decision = decideAfterAttempt(progress([RATE_LIMITED], { elapsedMs: BUDGETS.timeoutMs - 10_000 }), BUDGETS);
    expect(decision).toMatchObject({ kind: 'stop', outcome: 'budget_exceeded' });
    expect(decision.kind === 'stop' && decision.reason).toBe('waiting 30 s for the rate limit would leave no budget: the run has taken 30 min, reaching its time budget of 30 min.');
  });

  it('stops as stalled when the last attempts failed with the same fingerprint', () => {
    const decision = decideAfterAttempt(progress([failed('x'), failed('a'), failed('a')]), BUDGETS);
    expect(decision).toEqual({
      kind: 'stop',
      outcome: 'stalled',
      reason: "the last 2 attempts failed baton's checks the same way (command:test); another attempt would likely repeat it.",
    });
  });

  it('looks past rate limits when comparing the last attempts', () => {
    expect(decideAfterAttempt(progress([failed('a'), RATE_LIMITED, failed('a')]), BUDGETS)).toMatchObject({ outcome: 'stalled' });
  });

  it('does not call a run stalled while its failures change or something else happened between them', () => {
    expect(decideAfterAttempt(progress([failed('a'), failed('b')]), BUDGETS)).toEqual({ kind: 'continue', waitMs: 0 });
    expect(decideAfterAttempt(progress([failed('a'), HUNG, failed('a')]), BUDGETS)).toEqual({ kind: 'continue', waitMs: 0 });
    expect(decideAfterAttempt(progress([failed('a'), failed('a')]), { ...BUDGETS, stalledAfter: 3 })).toEqual({ kind: 'continue', waitMs: 0 });
    expect(decideAfterAttempt(progress([failed('a'), failed('a'), failed('a')]), { ...BUDGETS, stalledAfter: 3 })).toMatchObject({ outcome: 'stalled' });
  });

  it('stops as stalled after two crashes alike, rather than spending the attempts left', () => {
    expect(decideAfterAttempt(progress([NO_REPO]), BUDGETS)).toEqual({ kind: 'continue', waitMs: 0 });
    expect(decideAfterAttempt(progress([NO_REPO, failed('a'), NO_REPO]), BUDGETS)).toEqual({ kind: 'continue', waitMs: 0 });
    expect(decideAfterAttempt(progress([NO_REPO, failed('a'), NO_REPO, RATE_LIMITED, NO_REPO]), BUDGETS)).toEqual({
      kind: 'stop',
      outcome: 'stalled',
      reason: 'the agent crashed the same way on the last 2 attempts (the agent exited with 1 without reporting how its session ended: Not inside a trusted directory); another attempt would likely repeat it.',
    });
    // Run-to-run noise (temporary paths, ids, numbers) does not make two crashes different.
    const again = crashed('the agent exited with 1 without reporting how its session ended: Not inside a trusted directory', 'WARNING: no helper binaries under "/tmp/x9y8"\nNot inside a trusted directory');
    expect(decideAfterAttempt(progress([NO_REPO, again]), BUDGETS)).toMatchObject({ outcome: 'stalled' });
  });

  it('goes on after crashes that differ, or a hang between them', () => {
    expect(decideAfterAttempt(progress([NO_REPO, crashed('the agent was killed by SIGSEGV before it finished')]), BUDGETS)).toEqual({ kind: 'continue', waitMs: 0 });
    expect(decideAfterAttempt(progress([NO_REPO, HUNG, NO_REPO]), BUDGETS)).toEqual({ kind: 'continue', waitMs: 0 });
    expect(decideAfterAttempt(progress([HUNG, HUNG]), BUDGETS)).toEqual({ kind: 'continue', waitMs: 0 });
    expect(decideAfterAttempt(progress([NO_REPO, failed('a')]), BUDGETS)).toEqual({ kind: 'continue', waitMs: 0 });
  });

  it('stops for a person after two crashes alike whose words say a person must act', () => {
    const root = crashed('the agent reported success but exited with 1', 'Error: EACCES: permission denied, open \'/srv/app/.claude.json\'');
    expect(decideAfterAttempt(progress([root, root]), BUDGETS)).toEqual({
      kind: 'stop',
      outcome: 'needs_human',
      reason:
        "the agent crashed the same way 2 times in a row and cannot go on without a person: the agent was denied access to a file or folder: Error: EACCES: permission denied, open '/srv/app/.claude.json'; give the user baton runs as access to it.",
    });
  });

  it('stops as diverged after too many attempts left the scope, consecutive or not', () => {
    expect(decideAfterAttempt(progress([DIVERGED]), BUDGETS)).toEqual({ kind: 'continue', waitMs: 0 });
    expect(decideAfterAttempt(progress([DIVERGED, failed('a'), DIVERGED]), BUDGETS)).toEqual({
      kind: 'stop',
      outcome: 'diverged',
      reason: "2 attempts changed files outside the task's scope and were reverted (the limit is 2).",
    });
  });

  it('checks stalling before divergence and divergence before the budgets', () => {
    expect(decideAfterAttempt(progress([DIVERGED, failed('a'), failed('a')]), { ...BUDGETS, maxDivergences: 1, maxAttempts: 3 })).toMatchObject({ outcome: 'stalled' });
    expect(decideAfterAttempt(progress([failed('a'), DIVERGED]), { ...BUDGETS, maxDivergences: 1, maxAttempts: 2 })).toMatchObject({ outcome: 'diverged' });
  });

  it('stops as budget exceeded when the attempts are used up', () => {
    expect(decideAfterAttempt(progress([failed('a'), RATE_LIMITED, HUNG, failed('b')]), { ...BUDGETS, maxAttempts: 3 })).toEqual({
      kind: 'stop',
      outcome: 'budget_exceeded',
      reason: "all 3 attempts were used without passing baton's checks.",
    });
    expect(decideAfterAttempt(progress([HUNG]), { ...BUDGETS, maxAttempts: 1 })).toMatchObject({ reason: "the one attempt allowed was used without passing baton's checks." });
  });

  it('names the budget that ran out and the numbers', () => {
    const reasonOf = (spent: Partial<RunProgress>, budgets: Partial<Budgets>): string => {
      const decision = decideAfterAttempt(progress([failed('a')], spent), { ...BUDGETS, ...budgets });
      return decision.kind === 'stop' ? decision.reason : 'continue';
    };
    expect(reasonOf({ elapsedMs: 31 * 60_000 }, {})).toBe('the run has taken 31 min, reaching its time budget of 30 min.');
    expect(reasonOf({ tokens: 120_500 }, { maxTokens: 100_000 })).toBe('the run has used 120,500 tokens, reaching its budget of 100,000.');
    expect(reasonOf({ costUsd: 1.234 }, { maxUsd: 1 })).toBe('the run has cost $1.23, reaching its budget of $1.00.');
    expect(reasonOf({ tokens: 99_999, costUsd: 0.99 }, { maxTokens: 100_000, maxUsd: 1 })).toBe('continue');
    expect(reasonOf({ tokens: 1e9, costUsd: 1e6 }, { maxTokens: null, maxUsd: null })).toBe('continue');
  });
});

describe('crashSignature', () => {
  it('blanks out what differs from run to run, and keeps what the agent said', () => {
    const signature = (detail: string): string => crashSignature({ kind: 'crashed', reason: 'the agent exited with 1', detail });
    expect(signature('session 1b4dced9-90b8-4416-9681-35b861f348be at /tmp/baton-AbC/x.json, pid 4242, commit 058ea06')).toBe(
      signature('session 3a0e06c3-8cc9-4abd-aa66-bf49c1ce377c at /tmp/baton-XyZ/x.json, pid 17, commit 45924a5'),
    );
    expect(signature('cannot open /home/dev/a.json')).not.toBe(signature('cannot open /home/dev/b.json'));
  });
});

describe('budgetLeft', () => {
  it('allows an attempt while every budget has something left', () => {
    expect(budgetLeft(progress([]), BUDGETS)).toEqual({ ok: true });
    expect(budgetLeft(progress([failed('a'), RATE_LIMITED, RATE_LIMITED]), { ...BUDGETS, maxAttempts: 2 })).toEqual({ ok: true });
  });

  it('refuses one when attempts, time, tokens or dollars are spent', () => {
    expect(budgetLeft(progress([failed('a'), failed('b')]), { ...BUDGETS, maxAttempts: 2 })).toMatchObject({ ok: false, reason: expect.stringContaining('all 2 attempts') });
    expect(budgetLeft(progress([], { elapsedMs: BUDGETS.timeoutMs }), BUDGETS)).toMatchObject({ ok: false, reason: expect.stringContaining('time budget') });
    expect(budgetLeft(progress([], { tokens: 10 }), { ...BUDGETS, maxTokens: 10 })).toMatchObject({ ok: false, reason: expect.stringContaining('10 tokens') });
    expect(budgetLeft(progress([], { costUsd: 2 }), { ...BUDGETS, maxUsd: 2 })).toMatchObject({ ok: false, reason: expect.stringContaining('$2.00') });
  });
});

describe('statusAfterRun', () => {
  it('sends a success to review, a need for a person to blocked, and the rest to failed', () => {
    expect(statusAfterRun('succeeded')).toBe('review');
    expect(statusAfterRun('needs_human')).toBe('blocked');
    expect(statusAfterRun('rate_limited')).toBe('open');
    for (const outcome of ['stalled', 'diverged', 'budget_exceeded'] as const) expect(statusAfterRun(outcome)).toBe('failed');
  });
});

describe('formatMs', () => {
  it('reads as seconds, minutes, or hours and minutes', () => {
    expect(formatMs(45_000)).toBe('45 s');
    expect(formatMs(119_000)).toBe('119 s');
    expect(formatMs(30 * 60_000)).toBe('30 min');
    expect(formatMs(125 * 60_000)).toBe('2 h 5 min');
  });
});
