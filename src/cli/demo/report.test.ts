import { describe, expect, it } from 'vitest';
import type { BoardEvent } from '../../core/event.js';
import type { Task } from '../../core/task.js';
import { judgeFleet } from './fleet-report.js';
import { judgeRun, type AgentOutcome, type DemoRun } from './report.js';

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
    fleet: { kind: 'skipped', reason: 'skipped (--no-run)' },
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


describe('judgeRun with the fleet part', () => {
  it('fails the demo with the fleet part\'s problems, and not when the part was skipped', () => {
    const base = cleanRun();
    const fleet = judgeFleet(
      { parallel: 1, fallback: 'no containment', supervisorExit: 1, person: 'person', tasks: [], runs: [], timeline: [], baseBranch: 'main', baseCommits: [], testsOnBase: { exitCode: 0, output: '2 of 2 cases pass' }, conflictFeedback: '' },
      'baton run --ready --parallel 1',
      1,
    );
    expect(fleet.problems).toEqual([
      "the board holds none of the fleet's tasks",
      'at most 0 runs went on at once (--parallel 1)',
      'expected runs by claude and codex; the agents were none',
      'the task the approval policy holds is not on the board',
      'the supervisor exited 1',
    ]);
    expect(judgeRun({ ...base, fleet })).toMatchObject({ ok: false, problems: fleet.problems });
    expect(judgeRun(base)).toMatchObject({ ok: true, fleet: { kind: 'skipped' } });
  });
});
