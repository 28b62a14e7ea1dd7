import { checkCommandPaths, protectedCheckFiles } from '../core/run/check-files.js';
import { knownFailuresOf } from '../core/run/check-verdict.js';
import { editableInlineTests, editableTestPaths } from '../core/run/test-contract.js';
import { MAX_AGENT_NOTES_CHARS, NOTES_PATH, REPORT_PATH, type Budgets } from '../core/run/project-config.js';
import { buildPrompt } from '../core/run/prompt.js';
import { allowedPaths, type ScopeRules } from '../core/run/scope-guard.js';
import type { Task } from '../core/task.js';
import { addNote } from './notes.js';
import type { RunPlan } from './run-plan.js';
import { checkBaselines, type Baselines } from './check-baseline.js';
import { checkSpecs } from './run-checks.js';
import type { Feedback } from './run-report.js';
import type { RunTaskDeps } from './run-task.js';
import type { Running, Stop } from './run-state.js';

/* The steps of a run around its attempts: setup, the baseline, the prompt's inputs, the agent's notes. */

/**
 * The agent's notes for its task (`.baton/notes.md`): written on the board by baton, which the
 * agent inside a run may not write itself, then removed so the next attempt starts afresh.
 */
export async function recordAgentNotes(deps: RunTaskDeps, running: Running, attempt: number): Promise<void> {
  const file = `${running.record.worktree}/${NOTES_PATH}`;
  const text = (await deps.files.readText(file))?.trim() ?? '';
  if (text === '') return;
  const body = text.length > MAX_AGENT_NOTES_CHARS ? `${text.slice(0, MAX_AGENT_NOTES_CHARS)}\n[... cut: ${text.length - MAX_AGENT_NOTES_CHARS} more characters]` : text;
  await addNote(deps.board, running.task.id, `From the agent (run ${running.record.run}, attempt ${attempt}): ${body}`);
  await deps.files.remove(file);
}

/**
 * The checks as they ran on the task's base, before any attempt: taken now when the worktree
 * is still the untouched base and no earlier run on this base took them, else from the cache.
 * The failures found there are the base's, and the agent is told so up front.
 */
export async function baselinesOf(deps: RunTaskDeps, running: Running, timeLeftMs: number): Promise<Baselines> {
  const { record } = running;
  const specs = checkSpecs(deps.config, running.task, timeLeftMs);
  const atBase = record.checkpoint === record.startCommit && (await deps.workspace.head(record.worktree)) === record.startCommit;
  const startedMs = deps.timers.monotonicMs();
  const baselines = await checkBaselines(deps, specs, {
    worktree: record.worktree,
    baseCommit: record.startCommit,
    atBase,
    scratchDir: running.checkScratchDir,
    timeLeftMs,
    wrap: deps.sandbox.wrapFor(deps.repoRoot, record.worktree, { writable: [running.checkScratchDir], commitsNothing: true }),
    useCache: deps.sandbox.active,
    recordedAt: deps.board.clock.now().toISOString(),
    signal: running.signal,
  });
  // What the checks left in the untouched base (a Cargo.lock cargo writes) is not the first attempt's work.
  if (baselines.ran.length > 0 && atBase) await deps.workspace.resetTo(record.worktree, record.startCommit);
  const required = new Set(specs.filter((spec) => spec.requiredByTask).map((spec) => spec.checkId));
  running.knownFailures = knownFailuresOf(baselines.byCheck, (checkId) => required.has(checkId) || deps.config.baseline.preexisting === 'block');
  deps.onProgress({ kind: 'baseline', ran: baselines.ran, cached: baselines.cached, missing: baselines.missing, knownFailures: running.knownFailures, durationMs: Math.round(deps.timers.monotonicMs() - startedMs) });
  return baselines;
}

/**
 * Setup runs in a new worktree, and again in a kept one whose last run recorded no attempt:
 * its setup failed (the person was told to fix it and run again) or it was stopped before
 * setup could be known to have passed.
 */
export function setupDue(running: Running): boolean {
  return running.created || running.plan.previousRun?.attempts.length === 0;
}

export async function runSetup(deps: RunTaskDeps, running: Running, timeoutMs: number): Promise<Stop | null> {
  const command = deps.config.setup as string;
  const wrap = deps.sandbox.wrapFor(deps.repoRoot, running.record.worktree);
  const result = await deps.commands.run(command, { cwd: running.record.worktree, env: deps.env, timeoutMs, signal: running.signal, ...(wrap ? { wrap } : {}) });
  const evidence = await deps.evidence.attempt(running.record.taskId, running.record.run, 1);
  await evidence.write('setup.log', `$ ${command}\n${result.output}\n[exit ${result.exitCode ?? result.signal} after ${result.durationMs} ms]\n`);
  await evidence.close();
  const passed = result.exitCode === 0 && !result.timedOut;
  deps.onProgress({ kind: 'setup', command, passed, durationMs: result.durationMs });
  if (passed) return null;
  const how = result.timedOut ? 'timed out' : `exited with ${result.exitCode ?? result.signal}`;
  return { kind: 'stop', outcome: 'needs_human', reason: `the setup script \`${command}\` ${how} in the new worktree; fix it, then run the task again` };
}

export async function scopeRulesFor(deps: RunTaskDeps, task: Task, worktree: string): Promise<ScopeRules> {
  const { checks, scope } = deps.config;
  const existing: string[] = [];
  for (const path of checkCommandPaths(checks)) {
    if ((await deps.workspace.fileState(worktree, path).catch(() => 'missing')) !== 'missing') existing.push(path);
  }
  return {
    allowed: allowedPaths(task, scope.allow),
    protected: scope.protect,
    testFiles: scope.testFiles,
    editableTests: editableTestPaths(task, scope.editableTests),
    editableInlineTests: editableInlineTests(task, scope.editableTests),
    checkFiles: protectedCheckFiles(checks, existing, scope.testFiles),
  };
}

export function promptFor(deps: RunTaskDeps, running: Running, counted: number, budgets: Budgets, rules: ScopeRules, feedback: Feedback | null, instructions: { file: string; text: string } | null): string {
  const { detail } = running.plan;
  return buildPrompt({
    task: running.task,
    notes: detail.notes,
    findings: detail.findings,
    instructions,
    attempt: counted,
    maxAttempts: budgets.maxAttempts,
    checks: [...deps.config.checks.map((check) => ({ id: check.id, run: check.run })), ...running.task.verify.map((run, index) => ({ id: `verify-${index + 1}`, run }))],
    allowedPaths: rules.allowed,
    protectedPaths: rules.protected,
    reportPath: REPORT_PATH,
    previousFailures: feedback?.failures ?? null,
    reverted: feedback?.reverted ?? false,
    knownFailures: running.knownFailures,
  });
}

/**
 * A resumed run starts with what the run before it last failed on; a task that review or the
 * merge queue sent back, with why.
 */
export function previousRunFeedback(plan: RunPlan): Feedback | null {
  if (plan.sentBack !== null && plan.sentBack.failures.length > 0) return { failures: plan.sentBack.failures, reverted: false };
  const last = plan.previousRun?.attempts.findLast((attempt) => attempt.failures.length > 0);
  return last ? { failures: last.failures, reverted: last.verdict === 'diverged' } : null;
}

export const INSTRUCTION_FILES = ['AGENTS.md', 'CLAUDE.md'];

export async function instructionsIn(deps: RunTaskDeps, worktree: string): Promise<{ file: string; text: string } | null> {
  for (const file of INSTRUCTION_FILES) {
    const text = await deps.files.readText(`${worktree}/${file}`);
    if (text !== null && text.trim() !== '') return { file, text };
  }
  return null;
}
