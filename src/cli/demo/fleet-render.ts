import type { Paint } from '../output.js';
import { TEST_COMMAND } from './fleet-project.js';
import type { FleetFacts } from './fleet-report.js';
import { momentText } from './fleet-timeline.js';

type Ran = Extract<FleetFacts, { kind: 'ran' }>;

/** The report's section on the fleet part: its tasks, the timeline, what came back, the base branch, the totals and the checks. */
export function renderFleet(facts: FleetFacts, p: Paint): string[] {
  if (facts.kind === 'skipped') return [p.bold('fleet'), `  ${facts.reason}`];
  return [
    `${p.bold(`fleet: \`${facts.command}\` over ${facts.tasks.length} tasks, Claude Code and Codex against a scripted model`)}`,
    ...(facts.fallback === null ? [] : [`  ${p.yellow('note')}: ${facts.fallback}`]),
    ...taskTable(facts),
    '',
    `  ${p.bold('timeline')} ${p.dim('(seconds since the supervisor started; from the board\'s events and the supervisor\'s output)')}`,
    ...timelineLines(facts),
    ...feedbackLines(facts),
    '',
    `  $ git log --format='%h %s' ${facts.baseBranch}`,
    ...facts.baseCommits.map((commit) => `    ${commit.commit} ${commit.subject}`),
    `  $ ${TEST_COMMAND.join(' ')}   ${p.dim(`(in a fresh checkout of ${facts.baseBranch})`)}`,
    ...indent(facts.testsOnBase.output, 4),
    '',
    `  ${totalsText(facts)}`,
    '',
    `  ${p.bold('checks')} ${p.dim("(the demo's own, on what the board, the run records and git hold)")}`,
    ...facts.checks.map((check) => `    ${check.ok ? p.green('ok  ') : p.red('FAIL')} ${check.detail}`),
    ...(facts.ok ? [p.dim('  in your own repository: commit a baton.config.json with your checks, add tasks, then `baton run --ready --parallel 3`')] : []),
  ];
}

function taskTable(facts: Ran): string[] {
  const rows = facts.tasks.map((task) => {
    const runs = facts.runs.filter((run) => run.taskId === task.id);
    const landed = facts.baseCommits.find((commit) => commit.taskIds.includes(task.id));
    return [`#${task.id} ${task.title}`, runs[0]?.agent ?? '-', String(runs.length), task.status, landed?.commit ?? '-'];
  });
  const table = [['task', 'agent', 'runs', 'status', `on ${facts.baseBranch}`], ...rows];
  const widths = (table[0] as string[]).map((_, column) => Math.max(...table.map((row) => (row[column] as string).length)));
  return table.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column] as number)).join('  ').trimEnd()}`);
}

function timelineLines(facts: Ran): string[] {
  const titles = new Map(facts.tasks.map((task) => [task.id, task.title]));
  return facts.timeline.map((entry) => `  ${(Math.max(entry.atMs, 0) / 1000).toFixed(1).padStart(6)}  ${momentText(entry, titles)}`);
}

/** What the task sent back for a conflict read first in its next run, verbatim. */
function feedbackLines(facts: Ran): string[] {
  if (facts.conflictFeedback === '') return [];
  const returned = facts.timeline.find((entry) => entry.kind === 'returned' && entry.conflicts.length > 0);
  const next = facts.runs.filter((run) => run.taskId === returned?.taskId).at(-1);
  const where = next === undefined ? '' : ` (baton run-log ${next.taskId} --run ${next.run} --attempt 1)`;
  return ['', `  what #${returned?.taskId ?? '?'}'s next run read first${where}:`, ...indent(facts.conflictFeedback, 4)];
}

/** What the fleet did and spent, and why that cost nothing: the model was the demo's script. */
export function totalsText(facts: Pick<Ran, 'totals' | 'durationMs'>): string {
  const { totals } = facts;
  return [
    `totals: ${totals.landed} of ${totals.tasks} tasks landed; ${totals.runs} runs, ${totals.attempts} attempts; ${totals.tokens.toLocaleString('en-US')} tokens`,
    `$${totals.costUsd.toFixed(4)} as Claude Code prices its share; the model was scripted by the demo, so nothing was charged; ${(facts.durationMs / 1000).toFixed(1)}s`,
  ].join(', ');
}

/** Non-blank lines of `text`, indented. */
function indent(text: string, width: number): string[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => `${' '.repeat(width)}${line}`);
}
