import { needsHuman, type AttemptOutcome } from '../core/agent-stream/classify-attempt.js';
import { failuresOf, type CheckFailure } from '../core/run/check-failure.js';
import { checkpointMessage, uncheckedCheckpointMessage } from '../core/run/commit-message.js';
import type { AgentReport } from '../core/run/agent-report.js';
import type { CheckBaseline } from '../core/run/check-verdict.js';
import { definitionSnapshot, type CheckDefinition } from '../core/run/check-definitions.js';
import type { AttemptVerdict } from '../core/run/convergence.js';
import { attemptFingerprint } from '../core/run/fingerprint.js';
import { AGENT_FILES_DIR, REPORT_PATH } from '../core/run/project-config.js';
import { NO_USAGE, type AttemptSummary, type RunUsage } from '../core/run/run-record.js';
import type { ScopeRules } from '../core/run/scope-guard.js';
import type { Task } from '../core/task.js';
import { inspectChanges, judgeAttempt, worktreeReader, type JudgeDeps, type JudgeRequest } from './judge-attempt.js';
import { feedbackOf } from './run-report.js';
import type { AgentResult, AttemptEvidence, AttemptGuard, EvidenceStore, Executor, GuardFindings, Timers } from './run-ports.js';

export interface AttemptDeps extends JudgeDeps {
  executor: Executor;
  evidence: EvidenceStore;
  timers: Timers;
  guard: AttemptGuard;
}

export interface AttemptRequest {
  task: Task;
  run: number;
  /** Where refs this run keeps as evidence go (`refs/baton/runs/<board>/<task>/<run>`). */
  refBase: string;
  /** The task branch: HEAD must be on it, at `checkpoint`, before and after the attempt. */
  branch: string;
  /** Whether to look for writes into the main checkout and other worktrees (no sandbox keeps the agent out). */
  watchOutside: boolean;
  /** What defines the checks, as collected at the task's base (frozen for every attempt). */
  definitions: readonly CheckDefinition[];
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
  /** A folder outside the worktree where checks write reports baton reads. */
  checkScratchDir: string;
  /** Where the agent's home layer is kept across its attempts (see Sandbox.wrapFor). */
  agentHomeDir: string;
  /** Each check as it ran on the task's base. */
  baselines: ReadonlyMap<string, CheckBaseline>;
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
  /** The tree baton's checks ran on (passing attempts: what the commit for review must hold). */
  tree: string | null;
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
    // Where the agent writes its report and notes; baton's own, never committed (info/exclude).
    await deps.files.makeDir(`${request.worktree}/${AGENT_FILES_DIR}`);
    const mark = await deps.guard.before({ repoRoot: deps.repoRoot, worktree: request.worktree, branch: request.branch, watchOutside: request.watchOutside });
    const definitions = { list: request.definitions, before: await definitionSnapshot(request.definitions, worktreeReader(deps, request.worktree)) };
    const agent = await runAgent(deps, request, evidence);
    // The agent may have put a link where baton's folder was: baton reads and removes in it next.
    await deps.files.makeDir(`${request.worktree}/${AGENT_FILES_DIR}`);
    await evidence.write('usage.json', `${JSON.stringify(agent.usage, null, 2)}\n`);
    const tampering = await afterAgent(deps, request, evidence, mark);
    const settled = await settle(deps, { ...request, definitions }, evidence, agent, tampering);
    const summary: AttemptSummary = {
      attempt: request.attempt,
      startedAt,
      durationMs: Math.round(deps.timers.monotonicMs() - started),
      outcome: agent.outcome.kind,
      outcomeReason: agent.outcome.reason,
      outcomeDetail: agent.outcome.detail ?? null,
      verdict: settled.verdict.kind,
      fingerprint: settled.verdict.kind === 'checks_failed' ? settled.verdict.fingerprint : null,
      // A hung or crashed agent's failure is recorded too: the note, run-log and a later run's feedback name it.
      failures: feedbackOf(settled.verdict)?.failures ?? [],
      usage: { ...NO_USAGE, ...agent.usage, costUsd: agent.usage.costUsd ?? 0 } satisfies RunUsage,
      checkpoint: settled.checkpoint,
      sessionId: agent.resumeSession,
    };
    await evidence.write('verdict.json', `${JSON.stringify({ ...summary, outcomes: settled.outcomes }, null, 2)}\n`);
    return { summary, verdict: settled.verdict, report: settled.report, tree: settled.tree, usageBaseline: agent.usageBaseline, changedPaths: settled.changedPaths };
  } finally {
    await evidence.close();
  }
}

async function runAgent(deps: AttemptDeps, request: AttemptRequest, evidence: AttemptEvidence): Promise<AgentResult> {
  const wrap = deps.sandbox.wrapFor(deps.repoRoot, request.worktree, { keepHomeIn: request.agentHomeDir, branch: request.branch });
  return deps.executor.run({
    cwd: request.worktree,
    prompt: request.prompt,
    model: request.model,
    resumeSession: request.resumeSession,
    usageBaseline: request.usageBaseline,
    scratchDir: request.scratchDir,
    // Tells baton's own CLI, called by the agent, that only the run moves this task (cli/inside-run.ts).
    env: { ...deps.env, ...deps.sandbox.environment, BATON_RUN_TASK: String(request.task.id) },
    ...(wrap ? { wrap } : {}),
    extraArgs: deps.config.agent.extraArgs,
    wallTimeoutMs: Math.max(1_000, request.timeLeftMs),
    idleTimeoutMs: deps.config.agent.idleTimeoutMs,
    ...(request.signal ? { signal: request.signal } : {}),
    onOutput: (line, stream) => evidence.appendLine(stream === 'stdout' ? 'stream.jsonl' : 'stderr.log', line),
    onEvent: (event) => evidence.appendLine('events.jsonl', JSON.stringify(event)),
    onStarted: request.onAgentStarted,
  });
}

/**
 * What the agent did around its worktree, seen to before anything else touches git: git's
 * configuration, hooks and refs put back, the branch brought back to the last checkpoint (what
 * the agent committed stays in the files, to be judged as this attempt's work, and its commits
 * are kept on a ref), writes into other checkouts named. Returns the scope violations found.
 */
async function afterAgent(deps: AttemptDeps, request: AttemptRequest, evidence: AttemptEvidence, mark: unknown): Promise<CheckFailure[]> {
  const attemptRefs = `${request.refBase}/attempt-${request.attempt}`;
  const found = await deps.guard.after(mark, `${attemptRefs}/guard`);
  const branch = await deps.workspace.verifyBranch(request.worktree, { branch: request.branch, checkpoint: request.checkpoint });
  const brought: string[] = [];
  if (!branch.ok) {
    const { kept } = await deps.workspace.restoreBranch(request.worktree, { branch: request.branch, checkpoint: request.checkpoint, evidenceRef: `${attemptRefs}/agent-head` });
    brought.push(`${branch.what}; HEAD was put back on ${request.branch} at the last checkpoint, the agent's work kept in the files${kept.length > 0 ? ` and its commits on ${kept.map((item) => item.ref).join(', ')}` : ''}`);
  }
  if (found.repaired.length + found.outside.length + brought.length > 0) {
    await evidence.write('repairs.json', `${JSON.stringify({ branch: brought, repaired: found.repaired, outside: found.outside }, null, 2)}\n`);
  }
  if (found.ignoredRemoved.length > 0) await reinstallAfterIgnoredWrites(deps, request, evidence, found.ignoredRemoved);
  return tamperingViolations(found);
}

/** The failure of an attempt that replaced or removed stored objects: the run stops for a person. */
export const OBJECT_STORE_TAMPERING = 'scope:git-objects';

/** Folders of installed dependencies: what the project's setup puts there, from the committed manifests. */
const DEPENDENCY_FOLDERS = new Set(['node_modules', '.venv', 'venv', 'vendor', '.bundle', 'site-packages']);
/** Caches inside those folders, which tools write as they run: removing them needs no reinstall. */
const CACHES_IN_DEPENDENCIES = new Set(['.cache', '.vite', '.vitest', '__pycache__']);

/**
 * The attempt wrote files git ignores, which the guard removed (a commit would not hold them,
 * so the checks must not see them). Where some were installed dependencies, the project's setup
 * runs again, so the checks find what the committed manifests install — a dependency the agent
 * added to package.json included — and nothing the agent planted there.
 */
async function reinstallAfterIgnoredWrites(deps: AttemptDeps, request: AttemptRequest, evidence: AttemptEvidence, removed: readonly string[]): Promise<void> {
  const inDependencies = removed.filter((path) => {
    const parts = path.split('/');
    return parts.some((part) => DEPENDENCY_FOLDERS.has(part)) && !parts.some((part) => CACHES_IN_DEPENDENCIES.has(part));
  });
  const setup = deps.config.setup;
  let reinstall: string | null = null;
  if (inDependencies.length > 0 && setup) {
    const wrap = deps.sandbox.wrapFor(deps.repoRoot, request.worktree);
    const result = await deps.commands.run(setup, { cwd: request.worktree, env: deps.env, timeoutMs: Math.max(1_000, request.timeLeftMs), ...(request.signal ? { signal: request.signal } : {}), ...(wrap ? { wrap } : {}) });
    reinstall = `$ ${setup}\n${result.output}\n[exit ${result.exitCode ?? result.signal} after ${result.durationMs} ms]`;
    await deps.guard.ignoredSettled(request.worktree);
  }
  await evidence.write('ignored-removed.json', `${JSON.stringify({ removed, reinstall }, null, 2)}\n`);
}

function tamperingViolations(found: GuardFindings): CheckFailure[] {
  const violations: CheckFailure[] = [];
  if (found.objectsTampered.length > 0) {
    violations.push({
      checkId: OBJECT_STORE_TAMPERING,
      kind: 'scope',
      summary: `the attempt replaced or removed objects in git's object store: ${found.objectsTampered.slice(0, 3).join('; ')}${found.objectsTampered.length > 3 ? ` and ${found.objectsTampered.length - 3} more` : ''}`,
      detail: [...found.objectsTampered, '', "Commits the repository holds may no longer be what was committed; run `git fsck` in the main checkout. Git's object store is not the attempt's to change."].join('\n'),
    });
  }
  if (found.repaired.length > 0) {
    violations.push({
      checkId: 'scope:git-internals',
      kind: 'scope',
      summary: `the attempt changed git's own configuration, hooks or branches (baton put them back): ${found.repaired.slice(0, 3).join('; ')}${found.repaired.length > 3 ? ` and ${found.repaired.length - 3} more` : ''}`,
      detail: [...found.repaired, '', "Git's configuration, hooks and other branches are not the attempt's to change."].join('\n'),
    });
  }
  const outside = found.outside.flatMap((write) => write.paths.length > 0 ? write.paths : [write.worktree]);
  if (found.outside.length > 0) {
    violations.push({
      checkId: 'scope:outside-worktree',
      kind: 'scope',
      summary: `the attempt wrote outside its worktree: ${outside.slice(0, 5).join(', ')}${outside.length > 5 ? ` and ${outside.length - 5} more` : ''} (baton did not undo this; the person should look)`,
      detail: [...found.outside.map((write) => `${write.worktree}: ${write.what}${write.paths.length > 0 ? `\n  ${write.paths.join('\n  ')}` : ''}`), '', 'Work only inside the task\'s worktree.'].join('\n'),
    });
  }
  return violations;
}

/** The attempt's request with the check definitions as they stood before the agent ran. */
type JudgedRequest = Omit<AttemptRequest, 'definitions'> & { definitions: JudgeRequest['definitions'] };

interface Settled {
  verdict: AttemptVerdict;
  checkpoint: string;
  /** The tree the checks ran on, for the commit of a passing attempt. */
  tree: string | null;
  report: AgentReport | null;
  outcomes: unknown[];
  changedPaths: string[];
}

async function settle(deps: AttemptDeps, request: JudgedRequest, evidence: AttemptEvidence, agent: AgentResult, tampering: CheckFailure[]): Promise<Settled> {
  const base = { checkpoint: request.checkpoint, report: null, outcomes: [], changedPaths: [], tree: null };
  const { outcome } = agent;
  const unchecked = uncheckedVerdict(outcome);
  if (unchecked !== null) return { ...base, ...(await keepUnchecked(deps, request, evidence, outcome.reason, tampering)), verdict: unchecked };

  const judgement = await judgeAttempt(deps, {
    task: request.task,
    worktree: request.worktree,
    checkpoint: request.checkpoint,
    forkCommit: request.forkCommit,
    rules: request.rules,
    evidence,
    baselines: request.baselines,
    scratchDir: request.checkScratchDir,
    timeLeftMs: request.timeLeftMs,
    tampering,
    definitions: request.definitions,
    ...(request.signal ? { signal: request.signal } : {}),
  });
  if (judgement.kind === 'diverged') {
    await revertKeeping(deps, request, evidence, judgement.failures);
    return { ...base, verdict: { kind: 'diverged', failures: judgement.failures }, changedPaths: judgement.changedPaths };
  }
  const report = judgement.report.kind === 'valid' ? judgement.report.report : null;
  const failures = withAgentFailure(failuresOf(judgement.outcomes), outcome);
  if (failures.length === 0) return { ...base, verdict: { kind: 'passed' }, report, outcomes: judgement.outcomes, changedPaths: judgement.changedPaths, tree: judgement.tree };
  const commit = await commitTreeOn(deps, request, judgement.tree, checkpointMessage(request.task, request.attempt, failures));
  // What the checks left in the files (a Cargo.lock, a coverage file) is neither in the checkpoint
  // nor the agent's work: the next attempt starts from the checkpoint as committed.
  await deps.workspace.resetTo(request.worktree, commit);
  const fingerprint = attemptFingerprint(failures) ?? 'none';
  return {
    verdict: { kind: 'checks_failed', failures, fingerprint },
    tree: judgement.tree,
    checkpoint: commit,
    report,
    outcomes: judgement.outcomes,
    changedPaths: judgement.changedPaths,
  };
}

/** The verdict of an attempt whose work is not worth checking, or null when it is. */
function uncheckedVerdict(outcome: AttemptOutcome): AttemptVerdict | null {
  if (outcome.kind === 'rate_limited') return { kind: 'rate_limited', outcome };
  if (needsHuman(outcome)) return { kind: 'needs_human', outcome };
  if (outcome.kind === 'hung' || outcome.kind === 'crashed') return { kind: 'agent_failed', outcome };
  return null;
}

/**
 * Keeps the work of an attempt the checks will not judge — a hung or crashed agent, a budget
 * or a rate limit hit mid-way, a run stopped — so nothing later resets it away: within scope
 * it becomes a checkpoint on the task branch (the next attempt builds on it, as it would have
 * on the files); out of scope it is saved on a ref named in the evidence and reverted.
 */
async function keepUnchecked(deps: AttemptDeps, request: JudgedRequest, evidence: AttemptEvidence, why: string, tampering: readonly CheckFailure[]): Promise<{ checkpoint: string; changedPaths: string[] }> {
  const { changes, violations, tree } = await inspectChanges(deps, { ...request, evidence });
  const changedPaths = changes.map((change) => change.path);
  if (violations.length + tampering.length > 0) {
    await revertKeeping(deps, request, evidence, [...tampering, ...violations]);
    return { checkpoint: request.checkpoint, changedPaths };
  }
  if (changes.length === 0) return { checkpoint: request.checkpoint, changedPaths };
  return { checkpoint: await commitTreeOn(deps, request, tree, uncheckedCheckpointMessage(request.task, request.attempt, why)), changedPaths };
}

/**
 * Commits `tree` — exactly what was staged before the checks ran, not what they may have left
 * in the files — on the task branch after the last checkpoint; the checkpoint itself when the
 * tree is the same.
 */
export async function commitTreeOn(deps: Pick<AttemptDeps, 'workspace'>, request: Pick<AttemptRequest, 'worktree' | 'checkpoint' | 'branch'>, tree: string, message: string): Promise<string> {
  if ((await deps.workspace.treeOf(request.worktree, request.checkpoint)) === tree) return request.checkpoint;
  return deps.workspace.commitTree(request.worktree, { tree, parent: request.checkpoint, message, branch: request.branch });
}

/**
 * Puts the worktree back at the last checkpoint, after saving what the attempt left on a ref
 * of its own (`quarantine.json` in the evidence names it): reverted work is out of the task,
 * never out of reach.
 */
async function revertKeeping(deps: AttemptDeps, request: Pick<AttemptRequest, 'refBase' | 'attempt' | 'worktree' | 'checkpoint'>, evidence: AttemptEvidence, violations: readonly CheckFailure[]): Promise<void> {
  const ref = `${request.refBase}/attempt-${request.attempt}/reverted`;
  const commit = await deps.workspace.quarantine(request.worktree, ref);
  if (commit !== null) await evidence.write('quarantine.json', `${JSON.stringify({ ref, commit, why: violations.map((violation) => violation.summary) }, null, 2)}\n`);
  await deps.workspace.resetTo(request.worktree, request.checkpoint);
}

/**
 * An agent that gave up (turn limit, its own error) is told so when the checks fail too; when
 * the checks pass, its work stands on its own.
 */
function withAgentFailure(failures: CheckFailure[], outcome: AttemptOutcome): CheckFailure[] {
  if (failures.length === 0 || outcome.kind === 'succeeded') return failures;
  return [...failures, { checkId: `agent:${outcome.kind}`, kind: 'agent', summary: outcome.reason, detail: outcome.detail ?? '' }];
}

