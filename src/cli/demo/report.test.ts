import { describe, expect, it } from 'vitest';
import type { BoardEvent } from '../../core/event.js';
import type { Task } from '../../core/task.js';
import { judgeRun, type AgentOutcome, type DemoRun } from './report.js';
import { judgeRunPart, type RunPartEvidence, type RunPartFacts } from './run-report.js';

function task(id: number, assignee: string, status: Task['status'] = 'done'): Task {
  return {
    id, title: `Task ${id}`, description: '', kind: 'task', status, priority: 2, assignee, labels: [], due: null, parentId: null,
    acceptance: [], verify: [], resources: [], links: [], createdBy: 'planner', createdAt: '', updatedAt: '', closedAt: null,
    blockReason: null, completionMessage: null, leaseExpiresAt: null, worktree: null, branch: null, version: 1,
  };
}

let nextId = 1;
function event(type: BoardEvent['type'], taskId: number, actor: string): BoardEvent {
  return { id: nextId++, at: '', actor, taskId, type, payload: {}, recipients: [] };
}

/** A clean run: agent-1 did #1, agent-2 did #2, and the follower printed every event. */
function cleanRun(): DemoRun {
  const boardEvents = [
    event('task_created', 1, 'planner'), event('task_created', 2, 'planner'),
    event('task_claimed', 1, 'agent-1'), event('task_claimed', 2, 'agent-2'),
    event('task_completed', 1, 'agent-1'), event('task_completed', 2, 'agent-2'),
  ];
  const agent = (name: string, id: number): AgentOutcome => ({ name, exitCode: 0, claimed: [id], completed: [id], error: null, collisions: [] });
  return {
    repository: { path: '/tmp/x', kept: false },
    durationMs: 1,
    tasks: [task(1, 'agent-1'), task(2, 'agent-2')],
    boardEvents,
    followerLines: boardEvents.map((e) => JSON.stringify({ schemaVersion: 1, event: e })),
    agents: [agent('agent-1', 1), agent('agent-2', 2)],
    findings: [],
    inboxes: [],
    runPart: { kind: 'skipped', reason: 'skipped (--no-run)' },
  };
}

const failed = (run: DemoRun): string[] => judgeRun(run).checks.filter((check) => !check.ok).map((check) => check.name);

describe('judgeRun', () => {
  it('passes a clean run and says who did what from the events', () => {
    const facts = judgeRun(cleanRun());
    expect(facts.ok).toBe(true);
    expect(facts.agents.map((agent) => [agent.name, agent.completed])).toEqual([['agent-1', [1]], ['agent-2', [2]]]);
    expect(facts.events.follower).toEqual({ total: 6, byType: { task_claimed: 2, task_completed: 2, task_created: 2 } });
  });

  it('fails a task claimed twice, or never', () => {
    const run = cleanRun();
    expect(failed({ ...run, boardEvents: [...run.boardEvents, event('task_claimed', 1, 'agent-2')] })).toContain('claimed_once');
    expect(failed({ ...run, boardEvents: run.boardEvents.filter((e) => !(e.type === 'task_claimed' && e.taskId === 2)) })).toContain('claimed_once');
  });

  it('fails when the follower missed an event or printed something that is not one', () => {
    const run = cleanRun();
    expect(failed({ ...run, followerLines: run.followerLines.slice(1) })).toEqual(['counts_agree']);
    expect(failed({ ...run, followerLines: [...run.followerLines.slice(1), 'garbage'] })).toEqual(['counts_agree']);
  });

  it('fails an unfinished task, a crashed agent, and an agent whose account differs from the events', () => {
    const run = cleanRun();
    expect(failed({ ...run, tasks: [task(1, 'agent-1'), task(2, 'agent-2', 'in_progress')] })).toEqual(['all_done']);
    const crashed: AgentOutcome = { name: 'agent-2', exitCode: 1, claimed: null, completed: null, error: 'boom', collisions: [] };
    expect(judgeRun({ ...run, agents: [run.agents[0] as AgentOutcome, crashed] }).problems).toEqual(['agent-2 exited 1: boom']);
    const boasting: AgentOutcome = { name: 'agent-2', exitCode: 0, claimed: [1, 2], completed: [1, 2], error: null, collisions: [] };
    expect(failed({ ...run, agents: [run.agents[0] as AgentOutcome, boasting] })).toEqual(['agents_agree']);
  });
});

describe('judgeRunPart', () => {
  const failure = 'FAIL slugify("a b"): expected "a-b"';
  const attempts = [
    { attempt: 1, verdict: 'checks_failed' as const, failures: ['`node test.mjs` exited with 1'] },
    { attempt: 2, verdict: 'passed' as const, failures: [] },
  ];
  const converged: RunPartEvidence = {
    exitCode: 0,
    run: { run: 1, status: 'succeeded', reason: null, branch: 'baton/3-x', baseBranch: 'main', commit: 'abc', usage: { inputTokens: 1, outputTokens: 1, cachedTokens: 0, costUsd: 0 }, attempts },
    taskStatus: 'review',
    retryFeedback: `## Previous attempt failed because:\n${failure}`,
    expectedFailure: failure,
  };
  const run = converged.run as NonNullable<RunPartEvidence['run']>;

  it('passes a run that failed the check once, was told why, and converged into review', () => {
    expect(judgeRunPart(converged)).toEqual([]);
  });

  it('names what went wrong otherwise', () => {
    expect(judgeRunPart({ ...converged, run: null, exitCode: 1 })).toEqual(['`baton run` exited 1 and left no run record']);
    expect(judgeRunPart({ ...converged, run: { ...run, attempts: attempts.slice(1) }, retryFeedback: '' })).toEqual([
      'expected attempt 1 to fail the check and attempt 2 to pass; the verdicts were passed',
    ]);
    expect(judgeRunPart({ ...converged, retryFeedback: '## Previous attempt failed because:' })).toEqual(["attempt 2's prompt did not carry the check's failure"]);
    const stalled = judgeRunPart({ ...converged, exitCode: 1, run: { ...run, status: 'stalled', reason: 'same failure twice', commit: null }, taskStatus: 'failed' });
    expect(stalled).toEqual(['`baton run` exited 1; the run ended stalled: same failure twice', 'the task is failed, not in review']);
  });

  it('fails the demo when the run part has problems, and not when it was skipped', () => {
    const base = cleanRun();
    const problems = judgeRunPart({ ...converged, taskStatus: 'failed' });
    const runPart: RunPartFacts = {
      kind: 'ran', ok: false, problems, claude: '/bin/claude', command: 'baton run 3 --agent claude', taskId: 3, exitCode: 0, run,
      taskStatus: 'failed', shown: { runs: '', review: '', branchLog: '' }, retryFeedback: converged.retryFeedback, evidence: null,
    };
    expect(judgeRun({ ...base, runPart })).toMatchObject({ ok: false, problems: ['the task is failed, not in review'] });
    expect(judgeRun(base)).toMatchObject({ ok: true, run: { kind: 'skipped' } });
  });
});
