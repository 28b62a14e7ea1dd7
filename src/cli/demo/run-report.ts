import type { RunRecord, RunUsage } from '../../core/run/run-record.js';
import type { Paint } from '../output.js';

/** What the demo's `baton run` part did: skipped (and why), or the run and what it left. */
export type RunPartFacts =
  | { kind: 'skipped'; reason: string }
  | {
      kind: 'ran';
      ok: boolean;
      problems: string[];
      /** The claude CLI that ran, and the command the demo started. */
      claude: string;
      command: string;
      taskId: number;
      exitCode: number;
      /** The run as `baton runs ID --json` reports it; null when the run left no record. */
      run: (Pick<RunRecord, 'run' | 'status' | 'reason' | 'branch' | 'baseBranch' | 'commit' | 'usage'> & { attempts: AttemptFacts[] }) | null;
      taskStatus: string;
      /** What the CLI printed, for the report: `baton runs ID`, `baton list --status review`, and `git log` of the task branch. */
      shown: { runs: string; review: string; branchLog: string };
      /** The section of attempt 2's prompt that fed the failure back; empty when there was none. */
      retryFeedback: string;
      /** The run's evidence folder with --keep; null without (it is removed with the scratch repository). */
      evidence: string | null;
    };

export interface AttemptFacts {
  attempt: number;
  verdict: RunRecord['attempts'][number]['verdict'];
  failures: string[];
}

/** What a run part must show for the demo to pass. */
export interface RunPartEvidence {
  exitCode: number;
  run: Extract<RunPartFacts, { kind: 'ran' }>['run'];
  taskStatus: string;
  retryFeedback: string;
  /** The check's own words for the first attempt's mistake. */
  expectedFailure: string;
}

/**
 * The problems of a run part, none when the story played out: the first attempt failed the
 * check, the second was told why and passed, and the task waits in review with a commit.
 */
export function judgeRunPart(evidence: RunPartEvidence): string[] {
  const { run } = evidence;
  if (run === null) return [`\`baton run\` exited ${evidence.exitCode} and left no run record`];
  const problems: string[] = [];
  if (evidence.exitCode !== 0 || run.status !== 'succeeded') problems.push(`\`baton run\` exited ${evidence.exitCode}; the run ended ${run.status}${run.reason ? `: ${run.reason}` : ''}`);
  const verdicts = run.attempts.map((attempt) => attempt.verdict);
  if (verdicts.join(',') !== 'checks_failed,passed') problems.push(`expected attempt 1 to fail the check and attempt 2 to pass; the verdicts were ${verdicts.join(', ') || 'none'}`);
  if (verdicts.length > 1 && !evidence.retryFeedback.includes(evidence.expectedFailure)) problems.push("attempt 2's prompt did not carry the check's failure");
  if (evidence.taskStatus !== 'review') problems.push(`the task is ${evidence.taskStatus}, not in review`);
  if (run.status === 'succeeded' && run.commit === null) problems.push('the run succeeded without a commit');
  return problems;
}

/** The report's section on the run part: what the CLI and git say about the run, verbatim. */
export function renderRunPart(facts: RunPartFacts, p: Paint): string[] {
  if (facts.kind === 'skipped') return [p.bold('baton run'), `  ${facts.reason}`];
  const id = facts.taskId;
  const lines = [p.bold(`baton run: the real claude CLI on task #${id}, against a scripted model`), `  $ baton runs ${id}`, ...indent(facts.shown.runs)];
  if (facts.run !== null) lines.push(`  ${costText(facts.run.usage)}`);
  if (facts.retryFeedback !== '') lines.push(`  attempt 2's prompt opened with the check's own words (baton run-log ${id} --attempt 2):`, ...indent(facts.retryFeedback, 4));
  lines.push('  $ baton list --status review', ...indent(facts.shown.review));
  if (facts.run !== null && facts.shown.branchLog !== '') {
    lines.push(`  $ git log --stat --format='%h %s' ${facts.run.baseBranch}..${facts.run.branch}`, ...indent(facts.shown.branchLog));
  }
  lines.push(...facts.problems.map((problem) => `  ${p.red('FAIL')} ${problem}`));
  if (facts.ok) lines.push(p.dim('  in your own repository: commit a baton.config.json with your checks, then `baton run ID --agent claude`'));
  return lines;
}

/** What the run cost, and why that cost nothing: the model was the demo's script. */
export function costText(usage: RunUsage): string {
  const tokens = usage.inputTokens + usage.outputTokens;
  return `cost: ${tokens.toLocaleString('en-US')} tokens, $${usage.costUsd.toFixed(4)} as Claude Code prices them; the model was scripted by the demo, so nothing was charged`;
}

/** Non-blank lines of `text`, indented. */
function indent(text: string, width = 2): string[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => `${' '.repeat(width)}${line}`);
}
