import type { AttemptOutcome } from '../core/agent-stream/classify-attempt.js';
import { failuresOf, type CheckFailure } from '../core/run/check-failure.js';
import { checkpointMessage } from '../core/run/commit-message.js';
import type { AgentReport } from '../core/run/agent-report.js';
import type { AttemptVerdict } from '../core/run/convergence.js';
import { attemptFingerprint } from '../core/run/fingerprint.js';
import { REPORT_PATH } from '../core/run/project-config.js';
import { NO_USAGE, type AttemptSummary, type RunUsage } from '../core/run/run-record.js';
import type { ScopeRules } from '../core/run/scope-guard.js';
import type { Task } from '../core/task.js';
import { judgeAttempt, type JudgeDeps } from './judge-attempt.js';
import { feedbackOf } from './run-report.js';
import type { AgentResult, AttemptEvidence, EvidenceStore, Executor, Timers } from './run-ports.js';

export interface AttemptDeps extends JudgeDeps {
  executor: Executor;
  evidence: EvidenceStore;
  timers: Timers;
}

export interface AttemptRequest {
  task: Task;
  run: number;
  attempt: number;
  prompt: string;
  worktree: string;
  checkpoint: string;
  forkCommit: string;
  rules: ScopeRules;
  model: string | null;
  resumeSession: string | null;
  usageBaseline: AgentResult['usageBaseline'];
  scratchDir: string;
  timeLeftMs: number;
  signal?: AbortSignal;
  onAgentStarted: (pgid: number) => void;
}

/** One attempt, judged and settled: the worktree is checkpointed, reverted or left as it is. */
export interface AttemptResult {
  summary: AttemptSummary;
  verdict: AttemptVerdict;
  /** The agent's report when it wrote a valid one (never taken as proof of anything). */
  report: AgentReport | null;
  /** The session's cumulative counters, for the next attempt of a CLI that counts per session. */
  usageBaseline: AgentResult['usageBaseline'];
  changedPaths: string[];
}

/**
 * Runs the agent once and lets baton's checks decide. A passing attempt is left for the run
 * to commit; a failing one becomes a checkpoint commit so the next attempt builds on it; an
 * attempt that left its scope is reverted to the last checkpoint.
 */
export async function runAttempt(deps: AttemptDeps, request: AttemptRequest): Promise<AttemptResult> {
  const evidence = await deps.evidence.attempt(request.task.id, request.run, request.attempt);
  const startedAt = new Date().toISOString();
  const started = deps.timers.monotonicMs();
  try {
    await evidence.write('prompt.md', request.prompt);
    await deps.files.remove(`${request.worktree}/${REPORT_PATH}`);
    const agent = await runAgent(deps, request, evidence);
    await evidence.write('usage.json', `${JSON.stringify(agent.usage, null, 2)}\n`);
    const settled = await settle(deps, request, evidence, agent);
    const summary: AttemptSummary = {
      attempt: request.attempt,
      startedAt,
      durationMs: Math.round(deps.timers.monotonicMs() - started),
      outcome: agent.outcome.kind,
      outcomeReason: agent.outcome.reason,
      verdict: settled.verdict.kind,
      fingerprint: settled.verdict.kind === 'checks_failed' ? settled.verdict.fingerprint : null,
      // A hung or crashed agent's failure is recorded too: the note, run-log and a later run's feedback name it.
      failures: feedbackOf(settled.verdict)?.failures ?? [],
      usage: { ...NO_USAGE, ...agent.usage, costUsd: agent.usage.costUsd ?? 0 } satisfies RunUsage,
      checkpoint: settled.checkpoint,
      sessionId: agent.resumeSession,
    };
    await evidence.write('verdict.json', `${JSON.stringify({ ...summary, outcomes: settled.outcomes }, null, 2)}\n`);
    return { summary, verdict: settled.verdict, report: settled.report, usageBaseline: agent.usageBaseline, changedPaths: settled.changedPaths };
  } finally {
    await evidence.close();
  }
}

async function runAgent(deps: AttemptDeps, request: AttemptRequest, evidence: AttemptEvidence): Promise<AgentResult> {
  return deps.executor.run({
    cwd: request.worktree,
    prompt: request.prompt,
    model: request.model,
    resumeSession: request.resumeSession,
    usageBaseline: request.usageBaseline,
    scratchDir: request.scratchDir,
    env: deps.env,
    extraArgs: deps.config.agent.extraArgs,
    wallTimeoutMs: Math.max(1_000, request.timeLeftMs),
    idleTimeoutMs: deps.config.agent.idleTimeoutMs,
    ...(request.signal ? { signal: request.signal } : {}),
    onOutput: (line, stream) => evidence.appendLine(stream === 'stdout' ? 'stream.jsonl' : 'stderr.log', line),
    onEvent: (event) => evidence.appendLine('events.jsonl', JSON.stringify(event)),
    onStarted: request.onAgentStarted,
  });
}

interface Settled {
  verdict: AttemptVerdict;
  checkpoint: string;
  report: AgentReport | null;
  outcomes: unknown[];
  changedPaths: string[];
}

async function settle(deps: AttemptDeps, request: AttemptRequest, evidence: AttemptEvidence, agent: AgentResult): Promise<Settled> {
  const base = { checkpoint: request.checkpoint, report: null, outcomes: [], changedPaths: [] };
  const { outcome } = agent;
  if (outcome.kind === 'rate_limited') return { ...base, verdict: { kind: 'rate_limited', outcome } };
  if (outcome.kind === 'auth_error' || outcome.kind === 'permission_denied') return { ...base, verdict: { kind: 'needs_human', outcome } };
  if (outcome.kind === 'hung' || outcome.kind === 'crashed') return { ...base, verdict: { kind: 'agent_failed', outcome } };

  const judgement = await judgeAttempt(deps, {
    task: request.task,
    worktree: request.worktree,
    checkpoint: request.checkpoint,
    forkCommit: request.forkCommit,
    rules: request.rules,
    evidence,
    timeLeftMs: request.timeLeftMs,
    ...(request.signal ? { signal: request.signal } : {}),
  });
  if (judgement.kind === 'diverged') {
    await deps.workspace.resetTo(request.worktree, request.checkpoint);
    return { ...base, verdict: { kind: 'diverged', failures: judgement.failures }, changedPaths: judgement.changedPaths };
  }
  const report = judgement.report.kind === 'valid' ? judgement.report.report : null;
  const failures = withAgentFailure(failuresOf(judgement.outcomes), outcome);
  if (failures.length === 0) return { ...base, verdict: { kind: 'passed' }, report, outcomes: judgement.outcomes, changedPaths: judgement.changedPaths };
  const commit = await deps.workspace.commitAll(request.worktree, checkpointMessage(request.task, request.attempt, failures));
  const fingerprint = attemptFingerprint(failures) ?? 'none';
  return {
    verdict: { kind: 'checks_failed', failures, fingerprint },
    checkpoint: commit ?? request.checkpoint,
    report,
    outcomes: judgement.outcomes,
    changedPaths: judgement.changedPaths,
  };
}

/**
 * An agent that gave up (turn limit, its own error) is told so when the checks fail too; when
 * the checks pass, its work stands on its own.
 */
function withAgentFailure(failures: CheckFailure[], outcome: AttemptOutcome): CheckFailure[] {
  if (failures.length === 0 || outcome.kind === 'succeeded') return failures;
  return [...failures, { checkId: `agent:${outcome.kind}`, kind: 'agent', summary: outcome.reason, detail: '' }];
}

