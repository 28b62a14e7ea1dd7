import type { RunProgressNote } from '../../app/run-task.js';
import { stderrTail, STDERR_TAIL_MAX_LINES } from '../../core/agent-stream/stderr-tail.js';
import type { AttemptSummary, RunRecord, RunUsage } from '../../core/run/run-record.js';
import type { Paint } from '../output.js';

/** One line of live progress, or null for notes not worth a line. */
export function progressLine(note: RunProgressNote, p: Paint): string | null {
  switch (note.kind) {
    case 'started': {
      const { record } = note;
      const how = note.resumed ? 'resuming from its last checkpoint' : `from ${record.baseBranch}`;
      const quarantined = record.quarantined ? `\nwork left uncommitted by an earlier run was saved on ${record.quarantined.ref} (${record.quarantined.commit.slice(0, 10)}) before the worktree was reset` : '';
      return `run ${record.run} of task #${record.taskId} with ${record.agent}${record.model ? ` (${record.model})` : ''}: worktree ${record.worktree}, branch ${record.branch}, ${how}\ncontainment: ${note.containment}${quarantined}`;
    }
    case 'setup':
      return `setup: \`${note.command}\` ${note.passed ? p.green('passed') : p.red('failed')} (${seconds(note.durationMs)})`;
    case 'baseline': {
      const parts = [listed('ran', note.ran), listed('cached', note.cached), listed('no baseline for', note.missing)].filter((part) => part !== null);
      const failing = note.knownFailures.length > 0 ? p.yellow(`; already failing on the base: ${note.knownFailures.map((failure) => failure.checkId).join(', ')}`) : '';
      return parts.length === 0 && failing === '' ? null : `baseline: ${parts.join('; ')} (${seconds(note.durationMs)})${failing}`;
    }
    case 'attempt_started':
      return p.dim(`attempt ${note.counted}/${note.maxAttempts}${note.resumedSession ? ', continuing the session' : ''}...`);
    case 'attempt_finished':
      return attemptLine(note.summary, p);
    case 'waiting':
      return p.yellow(`waiting ${seconds(note.ms)} before trying again: ${note.reason}`);
    case 'finished':
      return null;
  }
}

/** One attempt as a line: how the agent ended, what it cost, what the checks said. */
export function attemptLine(summary: AttemptSummary, p: Paint): string {
  const agent = `agent ${summary.outcome} in ${seconds(summary.durationMs)}${usageText(summary.usage)}`;
  return `attempt ${summary.attempt}: ${agent} -> ${verdictText(summary, p)}`;
}

function verdictText(summary: AttemptSummary, p: Paint): string {
  const first = summary.failures[0]?.summary;
  const more = summary.failures.length > 1 ? ` (+${summary.failures.length - 1} more)` : '';
  switch (summary.verdict) {
    case 'passed':
      return p.green('checks passed');
    case 'checks_failed':
      return `${p.red('checks failed')}: ${first ?? ''}${more}`;
    case 'diverged':
      return `${p.red('diverged, reverted')}: ${first ?? ''}${more}`;
    case 'agent_failed':
      return p.red(summary.outcomeReason);
    case 'rate_limited':
      return p.yellow(`rate limited (not counted): ${summary.outcomeReason}`);
    case 'needs_human':
      return p.red(`needs a human: ${summary.outcomeReason}`);
  }
}

function listed(label: string, names: readonly string[]): string | null {
  return names.length === 0 ? null : `${label} ${names.join(', ')}`;
}

/**
 * The end of an attempt's `stderr.log` as a `run-log` section: where a crashed agent said why.
 * Null when it printed nothing there but blank lines.
 */
export function stderrSection(stderr: string, p: Paint): string | null {
  const tail = stderrTail(stderr);
  if (tail === '') return null;
  const cut = stderr.split('\n').filter((line) => line.trim() !== '').length > tail.split('\n').length;
  return `${p.bold(`--- stderr.log${cut ? ` (the end: at most ${STDERR_TAIL_MAX_LINES} lines)` : ''}`)}\n${tail}`;
}

/** The closing summary of `baton run`. */
export function runSummaryText(record: RunRecord, runDir: string, p: Paint): string {
  const counted = record.attempts.filter((attempt) => attempt.verdict !== 'rate_limited').length;
  const spent = `${counted} attempt${counted === 1 ? '' : 's'}, ${seconds(elapsedMs(record))}${usageText(record.usage)}`;
  const lines =
    record.status === 'succeeded'
      ? [p.green(`run ${record.run} succeeded`) + ` (${spent}): commit ${(record.commit ?? '').slice(0, 10)} on ${record.branch}; task #${record.taskId} is in review`]
      : [p.red(`run ${record.run} ${record.status.replace('_', ' ')}`) + ` (${spent}): ${record.reason ?? ''}`, `worktree kept: ${record.worktree} (branch ${record.branch})`];
  lines.push(`evidence: ${runDir}  (baton run-log ${record.taskId} --run ${record.run})`);
  return lines.join('\n');
}

export function usageText(usage: RunUsage): string {
  const tokens = usage.inputTokens + usage.outputTokens;
  const parts = [tokens > 0 ? `${tokens.toLocaleString('en-US')} tokens` : null, usage.costUsd > 0 ? `$${usage.costUsd.toFixed(4)}` : null].filter(Boolean);
  return parts.length > 0 ? `, ${parts.join(', ')}` : '';
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

export function elapsedMs(record: RunRecord): number {
  if (record.endedAt === null) return record.attempts.reduce((sum, attempt) => sum + attempt.durationMs, 0);
  return new Date(record.endedAt).getTime() - new Date(record.startedAt).getTime();
}
