/**
 * `baton run` with a real ACP agent CLI: the built baton binary drives Qwen Code as
 * `--agent 'acp:qwen --acp --auth-type openai --openai-base-url http://127.0.0.1:PORT/v1 ...'`
 * against the scripted model server, in a real git repository, until baton's check passes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runShell } from '../src/adapters/scripted-model/script.js';
import { git } from './helpers/baton.js';
import { attemptOpenings, attempts, BRANCH, explain, fresh, HALLO_FAILURE, isRetry, RETRY, setUpScenario, watchAgentGroups, expectNothingLeft, write, type Scenario } from './helpers/agent-scenario.js';

const SCENARIO_TIMEOUT_MS = 120_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setUp(script: Parameters<typeof setUpScenario>[1]): Promise<Scenario> {
  return setUpScenario('qwen', script, { defer: (cleanup) => void cleanups.push(cleanup) });
}

describe('baton run --agent acp:qwen --acp', () => {
  it('succeeds on the first attempt: the agent writes the file over ACP, the check passes, one commit for review', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const scenario = await setUp(attempts({ ...runShell(write('hello')), when: fresh }));
    const groups = watchAgentGroups(scenario, (cleanup) => void cleanups.push(cleanup));

    const result = await scenario.run('--max-attempts', '2');
    groups.stop();

    expect(result.code, explain(result)).toBe(0);
    expect(scenario.taskStatus()).toBe('review');
    const record = scenario.record();
    expect(record).toMatchObject({ status: 'succeeded', agent: scenario.agentFlag, branch: BRANCH });
    expect(record.attempts.map((attempt) => [attempt.outcome, attempt.verdict]), JSON.stringify(record.attempts.map((attempt) => [attempt.outcomeReason, attempt.outcomeDetail]))).toEqual([['succeeded', 'passed']]);
    // Two model calls of 120 + 12 tokens, as Qwen reported them in its message chunks.
    expect(record.usage).toMatchObject({ inputTokens: 240, outputTokens: 24 });
    expect(git(scenario.dir, ['show', '--name-only', '--format=', BRANCH]).trim()).toBe('greeting.txt');
    expect(git(scenario.dir, ['show', `${BRANCH}:greeting.txt`])).toBe('hello\n');
    // The raw stream is the ACP conversation; the normalised events name Qwen's shell tool.
    expect(scenario.attemptFile(1, 'stream.jsonl')).toContain('"session/request_permission"');
    expect(scenario.attemptFile(1, 'events.jsonl')).toContain('"run_shell_command"');
    // Every ACP update Qwen sent was understood.
    expect(scenario.attemptFile(1, 'events.jsonl')).not.toContain('"unknown"');
    expect(scenario.attemptFile(1, 'checks/greeting.log')).toContain('ok');
    expect(scenario.server.conversation().map((request) => request.turn)).toEqual([0, 1]);
    await expectNothingLeft(scenario.worktree, groups.pgids);
  });

  it('feeds the check failure back and converges on the second attempt, in the same ACP session', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const scenario = await setUp(
      attempts(
        { ...runShell(write('hallo')), when: (view) => fresh(view) && !isRetry(view) },
        { ...runShell(write('hello')), when: (view) => fresh(view) && isRetry(view) },
      ),
    );

    const result = await scenario.run('--max-attempts', '3');

    expect(result.code, explain(result)).toBe(0);
    const record = scenario.record();
    expect(record.attempts.map((attempt) => attempt.verdict)).toEqual(['checks_failed', 'passed']);
    expect(record.attempts[1]?.sessionId).toBe(record.attempts[0]?.sessionId);
    const [first, second] = attemptOpenings(scenario.server);
    expect(first?.prompt).not.toContain(RETRY);
    expect(second?.prompt).toContain(HALLO_FAILURE);
    // The loaded session carries the first attempt's prompt ahead of the retry.
    expect(JSON.stringify(second?.body)).toContain('This is attempt 1 of at most 3');
    // No "could not continue session" warning: Qwen's unimplemented session/resume fell back on session/load.
    expect(scenario.attemptFile(2, 'events.jsonl')).not.toContain('"warning"');
    for (const attempt of record.attempts) expect(attempt.usage).toMatchObject({ inputTokens: 240, outputTokens: 24 });
    expect(git(scenario.dir, ['show', `${BRANCH}:greeting.txt`])).toBe('hello\n');
    expect(scenario.taskStatus()).toBe('review');
  });
});
