import { describe, expect, it } from 'vitest';
import { judgeFleet, mostAtOnce, type FleetEvidence, type FleetRunFacts } from './fleet-report.js';
import type { TimelineEntry } from './fleet-timeline.js';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

function run(taskId: number, agent: string, from: number, to: number, number = 1): FleetRunFacts {
  return { taskId, run: number, agent, status: 'succeeded', startedAt: at(from), endedAt: at(to), attempts: 1, tokens: 264, costUsd: 0.0018 };
}

const FEEDBACK = '## Previous attempt failed because:\n1. bringing baton/14-add-slugify onto main (at f6756b3d3a67) conflicts in 1 file(s): index.mjs (`merge:conflict`)';

/** The story as it should play out: #13 and #15 declare text.mjs, #14 and #16 both touch index.mjs, #15 needs a person. */
function story(): FleetEvidence {
  const timeline: TimelineEntry[] = [
    { atMs: 300, kind: 'started', taskId: 13, agent: 'claude', dispatch: 1, cameBack: false },
    { atMs: 310, kind: 'deferred', taskId: 15, waitsFor: [13], reason: "#13 'Make truncate end with an ellipsis' is already working on text.mjs" },
    { atMs: 320, kind: 'started', taskId: 14, agent: 'claude', dispatch: 1, cameBack: false },
    { atMs: 330, kind: 'started', taskId: 16, agent: 'codex', dispatch: 1, cameBack: false },
    { atMs: 5_800, kind: 'landed', taskId: 16, commit: '758d9b2' },
    { atMs: 6_300, kind: 'started', taskId: 15, agent: 'codex', dispatch: 1, cameBack: false },
    { atMs: 6_900, kind: 'landed', taskId: 13, commit: 'f6756b3' },
    { atMs: 7_100, kind: 'returned', taskId: 14, reason: 'conflicts in 1 file(s): index.mjs', conflicts: ['index.mjs'] },
    { atMs: 7_400, kind: 'started', taskId: 14, agent: 'claude', dispatch: 2, cameBack: true },
    { atMs: 10_000, kind: 'held', taskId: 15, reason: 'declares removes:export:shout (resources: removes:*)' },
    { atMs: 11_100, kind: 'approved', taskId: 15, by: 'person', message: 'fine' },
    { atMs: 11_700, kind: 'landed', taskId: 15, commit: 'afbbf0f' },
    { atMs: 12_300, kind: 'landed', taskId: 14, commit: 'b6140f8' },
  ];
  return {
    parallel: 3,
    fallback: null,
    supervisorExit: 0,
    person: 'person',
    tasks: [
      { id: 13, role: 'ellipsis', title: 'Make truncate end with an ellipsis', status: 'done' },
      { id: 14, role: 'slugify', title: 'Add slugify', status: 'done' },
      { id: 15, role: 'shout', title: 'Remove the deprecated shout', status: 'done' },
      { id: 16, role: 'wordCount', title: 'Add wordCount', status: 'done' },
    ],
    runs: [run(13, 'claude', 0.7, 5.9), run(16, 'codex', 0.8, 4.4), run(14, 'claude', 1, 6.4), run(15, 'codex', 6.3, 9.9), run(14, 'claude', 7.4, 11.6, 2)],
    timeline,
    baseBranch: 'main',
    baseCommits: [
      { commit: 'b6140f8', subject: 'Add slugify (#14)', taskIds: [14] },
      { commit: 'afbbf0f', subject: 'Remove the deprecated shout (#15)', taskIds: [15] },
      { commit: 'f6756b3', subject: 'Make truncate end with an ellipsis (#13)', taskIds: [13] },
      { commit: '758d9b2', subject: 'Add wordCount (#16)', taskIds: [16] },
      { commit: 'c1985d0', subject: 'textkit', taskIds: [] },
    ],
    testsOnBase: { exitCode: 0, output: '7 of 7 cases pass' },
    conflictFeedback: FEEDBACK,
  };
}

const failing = (evidence: FleetEvidence): string[] => judgeFleet(evidence, 'baton run --ready --parallel 3', 1).checks.filter((check) => !check.ok).map((check) => check.name);
const without = (evidence: FleetEvidence, drop: (entry: TimelineEntry) => boolean): FleetEvidence => ({ ...evidence, timeline: evidence.timeline.filter((entry) => !drop(entry)) });

describe('judgeFleet', () => {
  it('passes the story and totals what the runs did', () => {
    const facts = judgeFleet(story(), 'baton run --ready --parallel 3', 16_000);
    expect(facts.problems).toEqual([]);
    expect(facts.ok).toBe(true);
    expect(facts.totals).toEqual({ landed: 4, tasks: 4, runs: 5, attempts: 5, tokens: 1320, costUsd: expect.closeTo(0.009, 6) as number });
    expect(facts.checks.map((check) => check.detail)).toContain("#14's merge conflicted in index.mjs; its next run was told so, resolved it, and landed");
  });

  it('fails a task not done, a task with no commit or two on the base, and a red test there', () => {
    const evidence = story();
    expect(failing({ ...evidence, tasks: evidence.tasks.map((task) => (task.id === 16 ? { ...task, status: 'review' } : task)) })).toEqual(['all_landed']);
    expect(failing({ ...evidence, baseCommits: evidence.baseCommits.filter((commit) => !commit.taskIds.includes(13)) })).toEqual(['all_landed']);
    expect(failing({ ...evidence, baseCommits: [...evidence.baseCommits, { commit: 'e1', subject: 'again', taskIds: [13] }] })).toEqual(['all_landed']);
    const red = judgeFleet({ ...evidence, testsOnBase: { exitCode: 1, output: 'FAIL slugify\n6 of 7 cases pass' } }, 'c', 1);
    expect(red.problems).toEqual(["the project's test fails on main (exit 1): 6 of 7 cases pass"]);
  });

  it('fails runs that never went three at once, and a fleet of one agent', () => {
    const evidence = story();
    const serial = [run(13, 'claude', 0, 1), run(16, 'codex', 1, 2), run(14, 'claude', 2, 3), run(15, 'codex', 3, 4), run(14, 'claude', 4, 5, 2)];
    expect(failing({ ...evidence, runs: serial })).toEqual(['in_parallel']);
    expect(failing({ ...evidence, runs: evidence.runs.map((entry) => ({ ...entry, agent: 'claude' })) })).toEqual(['both_agents']);
  });

  it('fails a deferral that never happened, or whose task started before the one it waited for ended; not when runs went one at a time', () => {
    const evidence = story();
    expect(failing(without(evidence, (entry) => entry.kind === 'deferred'))).toEqual(['deferred']);
    expect(failing({ ...evidence, runs: evidence.runs.map((entry) => (entry.taskId === 15 ? { ...entry, startedAt: at(5) } : entry)) })).toEqual(['deferred']);
    const serial = [run(13, 'claude', 0, 1), run(14, 'claude', 1, 2), run(15, 'codex', 2, 3), run(16, 'codex', 3, 4)];
    const oneAtATime = { ...without(evidence, (entry) => entry.kind === 'deferred' || entry.kind === 'returned'), parallel: 1, runs: serial, conflictFeedback: '' };
    expect(failing(oneAtATime)).toEqual([]);
  });

  it('fails a conflict that never came, whose feedback never reached the next run, or that never landed after', () => {
    const evidence = story();
    expect(failing(without(evidence, (entry) => entry.kind === 'returned'))).toEqual(['conflict_fixed']);
    expect(failing({ ...evidence, conflictFeedback: '## Previous attempt failed because:\n1. `node test.mjs` exited with 1' })).toEqual(['conflict_fixed']);
    expect(failing(without(evidence, (entry) => entry.kind === 'landed' && entry.taskId === 14))).toEqual(['conflict_fixed']);
  });

  it('fails an approval that is missing, by someone else, or after the task had landed; and a supervisor that exited non-zero', () => {
    const evidence = story();
    expect(failing(without(evidence, (entry) => entry.kind === 'approved'))).toEqual(['approved']);
    expect(failing({ ...evidence, person: 'alice' })).toEqual(['approved']);
    const late = evidence.timeline.map((entry) => (entry.kind === 'approved' ? { ...entry, atMs: 20_000 } : entry));
    expect(failing({ ...evidence, timeline: late })).toEqual(['approved']);
    expect(failing({ ...evidence, supervisorExit: 1 })).toEqual(['supervisor_exit']);
  });
});

describe('mostAtOnce', () => {
  it('counts overlapping runs; one ending as another starts does not overlap it, and a run still going overlaps all after it', () => {
    expect(mostAtOnce([])).toBe(0);
    expect(mostAtOnce([run(1, 'a', 0, 2), run(2, 'a', 2, 4)])).toBe(1);
    expect(mostAtOnce([run(1, 'a', 0, 3), run(2, 'a', 1, 4), run(3, 'a', 2, 5)])).toBe(3);
    expect(mostAtOnce([{ startedAt: at(0), endedAt: null }, run(2, 'a', 5, 6)])).toBe(2);
  });
});
