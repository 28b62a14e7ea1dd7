/**
 * The runner's acceptance scenarios, end to end: the real `baton run` binary drives the real
 * Claude Code and Codex CLIs (node_modules/.bin) against the scripted model server, in real
 * git repositories. Each scenario asserts what a person would check afterwards: the exit
 * code, the task's status, the run record, the evidence files, the task branch, the feed,
 * and what the model was sent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hang, runShell, type ConversationView, type Turn } from '../src/adapters/scripted-model/script.js';
import type { RunRecord } from '../src/core/run/run-record.js';
import { git, json } from './helpers/baton.js';
import {
  AGENTS,
  attemptOpenings,
  attempts,
  BRANCH,
  explain,
  fresh,
  HALLO_FAILURE,
  isRetry,
  processesIn,
  RETRY,
  setUpScenario,
  TASK_TITLE,
  write,
  type AgentName,
  type Scenario,
} from './helpers/agent-scenario.js';
import { groupLeft } from './model-server/agent-cli.js';

const SCENARIO_TIMEOUT_MS = 90_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * The repository of `setUpScenario` (greeting.txt, the greeting check, task #1), with `budgets`
 * in its config and a model server playing `script`; Codex keeps its own sandbox, as baton runs it.
 */
function setUp(agent: AgentName, script: Parameters<typeof setUpScenario>[1], budgets: Record<string, unknown> = {}): Promise<Scenario> {
  return setUpScenario(agent, script, { budgets, defer: (cleanup) => void cleanups.push(cleanup) });
}

function eventTypes(scenario: Scenario): string[] {
  return scenario.events().map((event) => event.type);
}

describe.each(AGENTS)('baton run --agent %s', (agent) => {
  it('succeeds on the first attempt: one commit for review, events and tokens recorded', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const scenario = await setUp(agent, attempts({ ...runShell(write('hello')), when: fresh }));

    const result = await scenario.run('--max-attempts', '2');

    expect(result.code, explain(result)).toBe(0);
    expect(scenario.taskStatus()).toBe('review');
    const record = scenario.record();
    expect(record).toMatchObject({ status: 'succeeded', agent, branch: BRANCH, worktree: scenario.worktree });
    expect(record.attempts.map((attempt) => [attempt.outcome, attempt.verdict])).toEqual([['succeeded', 'passed']]);
    expect(record.usage.inputTokens).toBeGreaterThan(0);
    expect(record.usage.outputTokens).toBeGreaterThan(0);
    // Exactly one commit on top of the base, holding the change and nothing else.
    expect(git(scenario.dir, ['rev-list', '--count', `main..${BRANCH}`]).trim()).toBe('1');
    expect(git(scenario.dir, ['rev-parse', BRANCH]).trim()).toBe(record.commit);
    expect(git(scenario.dir, ['show', '--name-only', '--format=', BRANCH]).trim()).toBe('greeting.txt');
    expect(git(scenario.dir, ['show', `${BRANCH}:greeting.txt`])).toBe('hello\n');
    expect(readFileSync(join(scenario.dir, 'greeting.txt'), 'utf8')).toBe('nothing\n');
    expect(eventTypes(scenario)).toEqual(expect.arrayContaining(['run_started', 'attempt_finished', 'checks_passed', 'run_succeeded']));
    const finished = scenario.events().find((event) => event.type === 'attempt_finished');
    expect(finished?.payload.tokens).toBeGreaterThan(0);
    // The evidence a reviewer opens.
    expect(scenario.attemptFile(1, 'prompt.md')).toContain(`# Task #1: ${TASK_TITLE}`);
    expect(scenario.attemptFile(1, 'stream.jsonl').trim().split('\n').length).toBeGreaterThan(1);
    expect(scenario.attemptFile(1, 'events.jsonl')).toContain('"tool_call"');
    expect(scenario.attemptFile(1, 'diff.patch')).toContain('+hello');
    expect(scenario.attemptFile(1, 'checks/greeting.log')).toContain('ok');
    expect(JSON.parse(scenario.attemptFile(1, 'verdict.json'))).toMatchObject({ verdict: 'passed' });
    expect(JSON.parse(scenario.attemptFile(1, 'usage.json')).inputTokens).toBeGreaterThan(0);
    expect(scenario.server.conversation().map((request) => request.turn)).toEqual([0, 1]);
    expect(processesIn(scenario.worktree)).toEqual([]);
  });

  it('feeds the check failure back and converges on the second attempt, in the same session', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const scenario = await setUp(
      agent,
      attempts(
        { ...runShell(write('hallo')), when: (view) => fresh(view) && !isRetry(view) },
        { ...runShell(write('hello')), when: (view) => fresh(view) && isRetry(view) },
      ),
    );

    const result = await scenario.run('--max-attempts', '3');

    expect(result.code, explain(result)).toBe(0);
    const record = scenario.record();
    expect(record.attempts.map((attempt) => attempt.verdict)).toEqual(['checks_failed', 'passed']);
    expect(record.attempts[0]?.failures.map((failure) => failure.checkId)).toEqual(['command:greeting']);
    expect(scenario.attemptFile(1, 'checks/greeting.log')).toContain(HALLO_FAILURE);
    // The failure, in the check's own words, reached the second prompt and the model.
    expect(scenario.attemptFile(2, 'prompt.md')).toContain(RETRY);
    expect(scenario.attemptFile(2, 'prompt.md')).toContain(HALLO_FAILURE);
    const [first, second] = attemptOpenings(scenario.server);
    expect(first?.prompt).not.toContain(RETRY);
    expect(second?.prompt).toContain(HALLO_FAILURE);
    // The same session continued: the second attempt's request carries the first one's conversation.
    expect(record.attempts[1]?.sessionId).toBe(record.attempts[0]?.sessionId);
    // Each attempt is charged its own two model turns (120 + 12 tokens each), never the session's running total.
    for (const attempt of record.attempts) expect(attempt.usage).toMatchObject({ inputTokens: 240, outputTokens: 24 });
    expect(record.usage).toMatchObject({ inputTokens: 480, outputTokens: 48 });
    const secondBody = JSON.stringify(second?.body);
    expect(secondBody).toContain('This is attempt 1 of at most 3');
    expect(secondBody).toContain("printf 'hallo");
    // A checkpoint commit for the failed attempt, then the commit for review.
    const subjects = git(scenario.dir, ['log', '--format=%s', `main..${BRANCH}`]).trim().split('\n');
    expect(subjects).toEqual([`${TASK_TITLE} (#1)`, expect.stringMatching(/^Checkpoint: Greet the world \(#1, attempt 1, 1 check failed\)$/)]);
    expect(git(scenario.dir, ['show', `${BRANCH}:greeting.txt`])).toBe('hello\n');
    expect(eventTypes(scenario)).toEqual(expect.arrayContaining(['checks_failed', 'checks_passed', 'run_succeeded']));
    expect(scenario.taskStatus()).toBe('review');
  });

  it('reverts an attempt that edits a file outside the scope, then converges', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const reverted = (view: ConversationView): boolean => view.prompt.includes('Baton reverted every change');
    const scenario = await setUp(
      agent,
      attempts(
        { ...runShell(`${write('hello')} && ${write('vandalised', 'README.md')}`), when: (view) => fresh(view) && !reverted(view) },
        { ...runShell(write('hello')), when: (view) => fresh(view) && reverted(view) },
      ),
    );

    const result = await scenario.run('--max-attempts', '3');

    expect(result.code, explain(result)).toBe(0);
    const record = scenario.record();
    expect(record.attempts.map((attempt) => attempt.verdict)).toEqual(['diverged', 'passed']);
    expect(record.attempts[0]?.failures.map((failure) => failure.checkId)).toEqual(['scope:outside']);
    expect(record.attempts[0]?.checkpoint).toBe(record.startCommit);
    const diverged = scenario.events().find((event) => event.type === 'diverged');
    expect(diverged?.payload).toMatchObject({ attempt: 1, paths: expect.arrayContaining(['README.md']) });
    expect(scenario.attemptFile(1, 'diff.patch')).toContain('+vandalised');
    expect(scenario.attemptFile(2, 'prompt.md')).toContain("changed a file outside the task's scope: README.md");
    // Back to its committed content in the worktree, and nowhere in the commit for review.
    expect(readFileSync(join(scenario.worktree, 'README.md'), 'utf8')).toBe('# Greetings\n');
    expect(git(scenario.dir, ['diff', '--name-only', `main...${BRANCH}`]).trim()).toBe('greeting.txt');
    expect(git(scenario.dir, ['show', `${BRANCH}:README.md`])).toBe('# Greetings\n');
    expect(scenario.taskStatus()).toBe('review');
  });

  it('stops a run that fails the same way twice as stalled', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const scenario = await setUp(agent, attempts({ ...runShell(write('hallo')), when: fresh, times: Infinity }));

    const result = await scenario.run('--max-attempts', '3');

    expect(result.code, explain(result)).toBe(1);
    const record = scenario.record();
    expect(record.status).toBe('stalled');
    expect(record.attempts).toHaveLength(2);
    expect(record.attempts[0]?.fingerprint).not.toBeNull();
    expect(record.attempts[1]?.fingerprint).toBe(record.attempts[0]?.fingerprint);
    expect(record.reason).toMatch(/the last 2 attempts failed baton's checks the same way \(command:greeting\)/);
    expect(scenario.taskStatus()).toBe('failed');
    const stalled = scenario.events().find((event) => event.type === 'stalled');
    expect(stalled?.payload).toMatchObject({ outcome: 'stalled', attempts: 2, branch: BRANCH });
    expect(json<{ runs: RunRecord[] }>(scenario.cli('runs', '1', '--json')).runs.map((run) => run.status)).toEqual(['stalled']);
    expect(attemptOpenings(scenario.server)).toHaveLength(2);
  });

  it('kills an agent that hangs at the idle timeout, leaving no process behind', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    // The agent first leaves a process running in the worktree, in a session of its own (out of
    // the agent's process group, as Claude Code's Bash tool starts every command), then hangs
    // waiting for the model. (Codex's sandbox takes its commands down with it anyway.)
    const scenario = await setUp(agent, [{ ...runShell('setsid sleep 300 > /dev/null 2>&1 &'), when: fresh }, hang()]);
    const runJson = join(scenario.dir, '.git', 'baton', 'runs', '1', '1', 'run.json');
    // The agent's process group, as the run records it while the agent runs.
    const pgids = new Set<number>();
    const watch = setInterval(() => {
      try {
        const pgid = (JSON.parse(readFileSync(runJson, 'utf8')) as RunRecord).agentPgid;
        if (pgid !== null) pgids.add(pgid);
      } catch {
        // not written yet, or being replaced
      }
    }, 50);
    cleanups.push(() => clearInterval(watch));

    const result = await scenario.run('--max-attempts', '1', '--idle-timeout', '3s');
    clearInterval(watch);

    expect(result.code, explain(result)).toBe(1);
    const record = scenario.record();
    expect(record.attempts.map((attempt) => [attempt.outcome, attempt.verdict])).toEqual([['hung', 'agent_failed']]);
    expect(record.attempts[0]?.outcomeReason).toMatch(/idle timeout/);
    // Why it failed is on record for the person who reads the task, not only in the evidence.
    // The detail is the end of the agent's stderr, whatever it said before it went quiet.
    expect(record.attempts[0]?.failures).toEqual([{ checkId: 'agent:hung', kind: 'agent', summary: record.attempts[0]?.outcomeReason, detail: record.attempts[0]?.outcomeDetail ?? '' }]);
    expect(record.reason).toBe("the one attempt allowed was used without passing baton's checks.");
    expect(scenario.notes().at(-1)).toContain(`Last failures:\n- ${record.attempts[0]?.outcomeReason}`);
    expect(record.attempts[0]?.durationMs).toBeLessThan(30_000);
    expect(record.status).toBe('budget_exceeded');
    expect(record.agentPgid).toBeNull();
    expect(scenario.taskStatus()).toBe('failed');
    expect(scenario.server.conversation().at(-1)?.turn).toBe(1);
    const agentEvents = scenario.attemptFile(1, 'events.jsonl');
    expect(agentEvents).toContain('setsid sleep 300');
    expect(agentEvents).toContain('"tool_result"');
    // Nothing of the agent survives: no process in its group, none working in the worktree.
    expect(pgids.size).toBe(1);
    for (const pgid of pgids) expect(await groupLeft(pgid)).toEqual([]);
    expect(processesIn(scenario.worktree)).toEqual([]);
  });

  it('does not count a rate-limited attempt: waits, retries and succeeds within one attempt', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    let firstRequestMs: number | null = null;
    const limitedWindowMs = 1_500;
    const rateLimit: Turn = {
      kind: 'error',
      status: 429,
      message: 'scripted rate limit',
      retryAfterSeconds: 0,
      times: Infinity,
      when: () => {
        firstRequestMs ??= Date.now();
        return Date.now() - firstRequestMs < limitedWindowMs;
      },
    };
    const scenario = await setUp(agent, [rateLimit, ...attempts({ ...runShell(write('hello')), when: fresh })], { rateLimitWait: '3s' });

    const result = await scenario.run('--max-attempts', '1');

    expect(result.code, explain(result)).toBe(0);
    const record = scenario.record();
    expect(record.attempts.map((attempt) => [attempt.outcome, attempt.verdict])).toEqual([
      ['rate_limited', 'rate_limited'],
      ['succeeded', 'passed'],
    ]);
    expect(record.status).toBe('succeeded');
    const limited = scenario.events().find((event) => event.type === 'rate_limited');
    expect(limited?.payload).toMatchObject({ attempt: 1 });
    const succeeded = scenario.events().find((event) => event.type === 'run_succeeded');
    expect(succeeded?.payload).toMatchObject({ attempts: 1 });
    expect(scenario.server.conversation().some((request) => request.turn === 0)).toBe(true);
    expect(scenario.taskStatus()).toBe('review');
    expect(git(scenario.dir, ['show', `${BRANCH}:greeting.txt`])).toBe('hello\n');
  });

  it('stops for a person when the model service refuses the credentials (401): task blocked, worktree kept', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const scenario = await setUp(agent, [{ kind: 'error', status: 401, message: 'invalid x-api-key', times: Infinity }]);

    const result = await scenario.run('--max-attempts', '3');

    expect(result.code, explain(result)).toBe(1);
    const record = scenario.record();
    expect(record.status).toBe('needs_human');
    // One attempt: no other attempt could do better with the same credentials.
    expect(record.attempts.map((attempt) => [attempt.outcome, attempt.verdict])).toEqual([['auth_error', 'needs_human']]);
    expect(record.reason).toMatch(/^the agent cannot go on without a person: .*invalid (x-)?api.key/i);
    expect(record.reason).toContain(record.attempts[0]?.outcomeReason.replace(/\.$/, ''));
    const shown = json<{ task: { status: string; blockReason: string | null } }>(scenario.cli('show', '1', '--json')).task;
    expect(shown).toEqual(expect.objectContaining({ status: 'blocked', blockReason: record.reason }));
    expect(scenario.notes().at(-1)).toMatch(/^Run 1 stopped \(needs_human\): the agent cannot go on without a person: /);
    expect(scenario.events().find((event) => event.type === 'run_failed')?.payload).toMatchObject({ outcome: 'needs_human', attempts: 1 });
    // The model was asked, and refused every request.
    expect(scenario.server.conversation().length).toBeGreaterThan(0);
    // Nothing to review, nothing lost: the worktree and its branch stay, at the base.
    expect(existsSync(scenario.worktree)).toBe(true);
    expect(record.commit).toBeNull();
    expect(git(scenario.dir, ['rev-parse', BRANCH]).trim()).toBe(git(scenario.dir, ['rev-parse', 'main']).trim());
    expect(processesIn(scenario.worktree)).toEqual([]);
  });

  it('stops at the token budget and keeps the worktree and the checkpoint', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const scenario = await setUp(agent, attempts({ ...runShell(write('hallo')), when: fresh, times: Infinity }));

    const result = await scenario.run('--max-attempts', '3', '--max-tokens', '100');

    expect(result.code, explain(result)).toBe(1);
    const record = scenario.record();
    expect(record.status).toBe('budget_exceeded');
    expect(record.reason).toMatch(/^the run has used \d+ tokens, reaching its budget of 100\.$/);
    expect(scenario.notes().at(-1)).toMatch(/^Run 1 stopped \(budget_exceeded\): the run has used \d+ tokens, reaching its budget of 100\. The worktree is kept at /);
    expect(record.attempts).toHaveLength(1);
    expect(record.usage.inputTokens + record.usage.outputTokens).toBeGreaterThanOrEqual(100);
    expect(scenario.taskStatus()).toBe('failed');
    expect(scenario.events().find((event) => event.type === 'budget_exceeded')?.payload).toMatchObject({ outcome: 'budget_exceeded' });
    // The work so far is kept for a person or a later run: the worktree, its branch, the checkpoint.
    expect(existsSync(scenario.worktree)).toBe(true);
    expect(readFileSync(join(scenario.worktree, 'greeting.txt'), 'utf8')).toBe('hallo\n');
    expect(git(scenario.dir, ['rev-parse', BRANCH]).trim()).toBe(record.checkpoint);
    expect(git(scenario.dir, ['log', '-1', '--format=%s', BRANCH])).toMatch(/^Checkpoint: Greet the world/);
  });
});
