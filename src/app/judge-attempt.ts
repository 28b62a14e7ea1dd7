import { checkLogName, type CheckFailure, type CheckKind, type CheckOutcome } from '../core/run/check-failure.js';
import { forbiddenPatternFailures } from '../core/run/forbidden-patterns.js';
import { readAgentReport, type ReportReading } from '../core/run/agent-report.js';
import { REPORT_PATH, type ProjectConfig } from '../core/run/project-config.js';
import { scopeViolations, type ScopeRules } from '../core/run/scope-guard.js';
import type { Task } from '../core/task.js';
import type { AttemptEvidence, CommandRunner, Environment, FileAccess, Workspace } from './run-ports.js';

/** What baton's checks made of one attempt's worktree. */
export type Judgement =
  /** The attempt left its scope: nothing else was checked, the caller reverts it. */
  | { kind: 'diverged'; failures: CheckFailure[]; changedPaths: string[] }
  | { kind: 'checked'; outcomes: CheckOutcome[]; report: ReportReading; changedPaths: string[] };

export interface JudgeDeps {
  workspace: Workspace;
  commands: CommandRunner;
  files: FileAccess;
  config: ProjectConfig;
  env: Environment;
}

export interface JudgeRequest {
  task: Task;
  worktree: string;
  /** The last checkpoint: this attempt's changes are what differs from it. */
  checkpoint: string;
  /** The commit the task branch started from: what the task as a whole changed. */
  forkCommit: string;
  rules: ScopeRules;
  evidence: AttemptEvidence;
  /** Check commands get no more than this (what is left of the run's time). */
  timeLeftMs: number;
  signal?: AbortSignal;
}

/** Lines of a failing command's output fed back to the agent. */
const OUTPUT_TAIL_LINES = 60;
const OUTPUT_TAIL_CHARS = 4_000;

/**
 * Runs every check on the worktree as the attempt left it: the scope guard first (an attempt
 * out of scope is not worth testing), then required files, forbidden patterns, the report,
 * and the check and verify commands — all of them, so the feedback names every failure at once.
 */
export async function judgeAttempt(deps: JudgeDeps, request: JudgeRequest): Promise<Judgement> {
  const { workspace } = deps;
  await workspace.stageAll(request.worktree);
  const changes = await workspace.changes(request.worktree, request.checkpoint);
  const changedPaths = changes.map((change) => change.path);
  await request.evidence.write('diff.patch', await workspace.diff(request.worktree, request.checkpoint));
  const violations = scopeViolations(changes, request.rules);
  if (violations.length > 0) return { kind: 'diverged', failures: violations, changedPaths };

  const outcomes: CheckOutcome[] = [];
  const taskChanges = request.checkpoint === request.forkCommit ? changes : await workspace.changes(request.worktree, request.forkCommit);
  if (taskChanges.length === 0) {
    outcomes.push(failed('agent:no-changes', 'agent', 'the task branch has no changes yet: nothing was implemented', ''));
  }
  outcomes.push(...(await requiredFileOutcomes(deps, request)));
  const added = await workspace.addedLines(request.worktree, request.forkCommit);
  const patternFailures = forbiddenPatternFailures(added, deps.config.forbiddenPatterns);
  outcomes.push(...patternFailures.map((failure) => ({ ...failure, passed: false, durationMs: 0 })));
  const reportText = await deps.files.readText(`${request.worktree}/${REPORT_PATH}`);
  // Kept as written, valid or not: the commit shows only a valid report, the reviewer may want the rest.
  if (reportText !== null) await request.evidence.write('report.json', reportText);
  const report = readAgentReport(reportText);
  if (report.kind === 'invalid' || (report.kind === 'missing' && deps.config.requireReport)) {
    const why = report.kind === 'invalid' ? `is not valid: ${report.errors.join('; ')}` : 'is missing';
    outcomes.push(failed('report:invalid', 'report', `the report file ${REPORT_PATH} ${why}`, ''));
  }
  outcomes.push(...(await commandOutcomes(deps, request)));
  return { kind: 'checked', outcomes, report, changedPaths };
}

async function requiredFileOutcomes(deps: JudgeDeps, request: JudgeRequest): Promise<CheckOutcome[]> {
  const declared = request.task.resources.filter((resource) => resource.kind === 'file' && resource.mode === 'adds' && !/[*?]/.test(resource.name));
  const paths = [...new Set([...deps.config.requiredFiles, ...declared.map((resource) => resource.name)])];
  const outcomes: CheckOutcome[] = [];
  for (const path of paths) {
    const state = await deps.workspace.fileState(request.worktree, path);
    outcomes.push(
      state === 'present'
        ? { checkId: `file:${path}`, kind: 'required_file', passed: true, summary: `${path} is present`, detail: '', durationMs: 0 }
        : failed(`file:${path}`, 'required_file', `required file ${path} is ${state === 'missing' ? 'missing' : 'empty'}`, ''),
    );
  }
  return outcomes;
}

async function commandOutcomes(deps: JudgeDeps, request: JudgeRequest): Promise<CheckOutcome[]> {
  const commands = [
    ...deps.config.checks.map((check) => ({ checkId: `command:${check.id}`, kind: 'command' as const, run: check.run, timeoutMs: check.timeoutMs })),
    ...request.task.verify
      .map((run, index) => ({ checkId: `verify:${index + 1}`, kind: 'verify' as const, run, timeoutMs: request.timeLeftMs }))
      // A verify command the project already checks would only fail twice with the same output.
      .filter((verify) => !deps.config.checks.some((check) => check.run.trim() === verify.run.trim())),
  ];
  const outcomes: CheckOutcome[] = [];
  for (const command of commands) {
    const timeoutMs = Math.max(1_000, Math.min(command.timeoutMs, request.timeLeftMs));
    const result = await deps.commands.run(command.run, {
      cwd: request.worktree,
      env: deps.env,
      timeoutMs,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    await request.evidence.write(checkLogName(command.checkId), `$ ${command.run}\n${result.output}\n[exit ${result.exitCode ?? result.signal}${result.timedOut ? ', timed out' : ''} after ${result.durationMs} ms]\n`);
    const passed = result.exitCode === 0 && !result.timedOut;
    const how = result.timedOut ? `timed out after ${Math.round(timeoutMs / 1000)} s` : result.exitCode === null ? `was killed by ${result.signal}` : `exited with ${result.exitCode}`;
    outcomes.push({
      checkId: command.checkId,
      kind: command.kind,
      passed,
      summary: passed ? `\`${command.run}\` passed` : `\`${command.run}\` ${how}`,
      detail: passed ? '' : outputTail(result.output),
      durationMs: result.durationMs,
    });
  }
  return outcomes;
}

function failed(checkId: string, kind: CheckKind, summary: string, detail: string): CheckOutcome {
  return { checkId, kind, passed: false, summary, detail, durationMs: 0 };
}

/** The end of a command's output, where test runners print what failed. */
export function outputTail(output: string): string {
  const lines = output.trimEnd().split('\n');
  const tail = lines.slice(-OUTPUT_TAIL_LINES).join('\n');
  if (tail.length <= OUTPUT_TAIL_CHARS) return tail;
  // Cut at a line start: a partial first line would differ between identical failures.
  const cut = tail.slice(-OUTPUT_TAIL_CHARS);
  const newline = cut.indexOf('\n');
  return newline < 0 ? cut : cut.slice(newline + 1);
}
