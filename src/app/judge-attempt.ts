import type { AddedLine, ChangedFile } from '../core/run/changed-file.js';
import type { CheckFailure, CheckKind, CheckOutcome } from '../core/run/check-failure.js';
import { judgeCheck, type CheckBaseline } from '../core/run/check-verdict.js';
import { checkDefinitionEdits, type CheckDefinition, type DefinitionSnapshot, type ReadFiles } from '../core/run/check-definitions.js';
import type { TestCaseResult } from '../core/run/test-results.js';
import { forbiddenPatternFailures } from '../core/run/forbidden-patterns.js';
import { inlineTestEdits, mayHoldInlineTests, type InlineTestEdit } from '../core/run/inline-tests.js';
import { globMatcher } from '../core/run/path-glob.js';
import { pythonTestHooks } from '../core/run/python-test-hooks.js';
import { testContractMatcher } from '../core/run/test-contract.js';
import { readAgentReport, type ReportReading } from '../core/run/agent-report.js';
import { REPORT_PATH, type ProjectConfig } from '../core/run/project-config.js';
import { scopeViolations, type ScopeRules } from '../core/run/scope-guard.js';
import type { Task } from '../core/task.js';
import { changedWhileCheckedFailure, filesChecksStandOn, heldInPlace } from './check-protection.js';
import { checkSpecs, runChecks, type CheckRunDeps } from './run-checks.js';
import type { AttemptEvidence, Sandbox, Workspace } from './run-ports.js';

/** What baton's checks made of one attempt's worktree. */
export type Judgement =
  /** The attempt left its scope: nothing else was checked, the caller reverts it. */
  | { kind: 'diverged'; failures: CheckFailure[]; changedPaths: string[] }
  /** `tree`: what was staged and checked, the one tree a commit of this attempt may hold. */
  | { kind: 'checked'; outcomes: CheckOutcome[]; report: ReportReading; changedPaths: string[]; tree: string };

export interface JudgeDeps extends CheckRunDeps {
  workspace: Workspace;
  config: ProjectConfig;
  /** What keeps checks in the worktree. */
  sandbox: Sandbox;
  /** The main worktree's top level. */
  repoRoot: string;
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
  /** Each check as it ran on the task's base, by check id (none where unknown). */
  baselines: ReadonlyMap<string, CheckBaseline>;
  /** A folder outside the worktree for reports checks write (see run-checks.ts). */
  scratchDir: string;
  /** What the attempt did around its worktree (git internals, other checkouts): each diverges it. */
  tampering: readonly CheckFailure[];
  /** What defines the checks (frozen at the base), and how those files stood before the attempt. */
  definitions: { list: readonly CheckDefinition[]; before: DefinitionSnapshot };
  signal?: AbortSignal;
}

/** How much one failing check tells the next attempt: every failing test's own block, up to this. */
const FEEDBACK_CHARS_PER_CHECK = 8_000;

/**
 * Runs every check on the worktree as the attempt left it: the scope guard first (an attempt
 * out of scope is not worth testing), then required files, forbidden patterns, the report,
 * and the check and verify commands — all of them, so the feedback names every failure at once.
 */
export async function judgeAttempt(deps: JudgeDeps, request: JudgeRequest): Promise<Judgement> {
  const { changes, taskChanges, violations, tree, added, staged } = await inspectChanges(deps, request);
  const changedPaths = changes.map((change) => change.path);
  if (violations.length + request.tampering.length > 0) return { kind: 'diverged', failures: [...request.tampering, ...violations], changedPaths };

  const outcomes: CheckOutcome[] = [];
  if (taskChanges.length === 0) {
    outcomes.push(failed('agent:no-changes', 'agent', 'the task branch has no changes yet: nothing was implemented', ''));
  }
  outcomes.push(...(await requiredFileOutcomes(deps, request)));
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
  outcomes.push(...(await commandOutcomes(deps, request, staged)));
  return { kind: 'checked', outcomes, report, changedPaths, tree };
}

/**
 * What the attempt changed since the last checkpoint (staged, and kept as `diff.patch`), and
 * the scope rules it broke. Every attempt goes through it, judged or not: no work becomes a
 * checkpoint without it.
 */
export async function inspectChanges(
  deps: JudgeDeps,
  request: Pick<JudgeRequest, 'worktree' | 'checkpoint' | 'forkCommit' | 'rules' | 'evidence' | 'definitions'>,
): Promise<{ changes: ChangedFile[]; taskChanges: ChangedFile[]; violations: CheckFailure[]; tree: string; added: AddedLine[]; staged: string[] }> {
  const { workspace } = deps;
  const { worktree, checkpoint } = request;
  const tree = await workspace.snapshotTree(worktree);
  // Each reads what was just staged, and none writes: asked side by side, one git process each.
  const [changes, diff, changesSinceFork, nested, added, staged] = await Promise.all([
    workspace.changes(worktree, checkpoint),
    workspace.diff(worktree, checkpoint),
    checkpoint === request.forkCommit ? null : workspace.changes(worktree, request.forkCommit),
    workspace.nestedRepositories(worktree),
    // What the task added since it started, and everything staged: read once, for the scope and the checks.
    workspace.addedLines(worktree, request.forkCommit),
    workspace.stagedFiles(worktree),
  ]);
  await request.evidence.write('diff.patch', diff);
  const taskChanges = changesSinceFork ?? changes;
  const definitionEdits = await checkDefinitionEdits(request.definitions.list, changes, {
    base: (paths) => workspace.readFilesAt(worktree, checkpoint, paths),
    now: (paths) => workspace.readStagedFiles(worktree, paths),
    worktree: { before: request.definitions.before, now: worktreeReader(deps, worktree) },
  });
  const inlineEdits = await inlineTestEditsOf(deps, request, taskChanges);
  const mayEdit = globMatcher(request.rules.editableTests ?? []);
  const pythonHooks = pythonTestHooks(added, taskChanges, testContractMatcher(request.rules.testFiles), staged).filter((edit) => !mayEdit(edit.path));
  const violations = scopeViolations(changes, request.rules, { taskChanges, definitionEdits, inlineTestEdits: [...inlineEdits, ...pythonHooks] });
  if (nested.length > 0) {
    violations.push({
      checkId: 'scope:nested-repository',
      kind: 'scope',
      summary: `the attempt made a git repository inside the worktree: ${nested.join(', ')}`,
      detail: `${nested.join('\n')}\n\nThe checks would run its files, but a commit would hold only a link to its commit. Put the files in the task's own repository (no .git inside the worktree).`,
    });
  }
  return { changes, taskChanges, violations, tree, added, staged };
}

/**
 * The tests inside source files (Rust's test modules and doc tests) the task changed since it
 * started, and assertion macros it redefined: every such file it touched, as it was at its fork
 * commit and as staged now.
 */
async function inlineTestEditsOf(deps: JudgeDeps, request: Pick<JudgeRequest, 'worktree' | 'forkCommit' | 'rules'>, taskChanges: readonly ChangedFile[]): Promise<InlineTestEdit[]> {
  const touched = taskChanges.map((change) => ({
    before: change.change === 'added' ? null : (change.fromPath ?? change.path),
    now: change.change === 'deleted' ? null : change.path,
  }));
  const candidates = touched.filter((change) => mayHoldInlineTests(change.before ?? change.now ?? ''));
  if (candidates.length === 0) return [];
  const read = async (paths: (string | null)[], reader: (present: string[]) => Promise<(string | null)[]>): Promise<(string | null)[]> => {
    const present = paths.filter((path): path is string => path !== null);
    const texts = new Map((await reader(present)).map((text, index) => [present[index], text]));
    return paths.map((path) => (path === null ? null : (texts.get(path) ?? null)));
  };
  const before = await read(candidates.map((change) => change.before), (paths) => deps.workspace.readFilesAt(request.worktree, request.forkCommit, paths));
  const now = await read(candidates.map((change) => change.now), (paths) => deps.workspace.readStagedFiles(request.worktree, paths));
  const editable = globMatcher(request.rules.editableInlineTests ?? []);
  const names = new Set(request.rules.editableInlineTests ?? []);
  const files = candidates.map((change, index) => ({ path: change.before ?? change.now ?? '', before: before[index] ?? null, now: now[index] ?? null }));
  return inlineTestEdits(files, (name) => names.has(name) || editable(name));
}

/** Files straight from the worktree, ignored ones included (an `.npmrc` git does not see still counts). */
export function worktreeReader(deps: Pick<JudgeDeps, 'files'>, worktree: string): ReadFiles {
  return (paths) => Promise.all(paths.map((path) => deps.files.readText(`${worktree}/${path}`)));
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

async function commandOutcomes(deps: JudgeDeps, request: JudgeRequest, staged: readonly string[]): Promise<CheckOutcome[]> {
  const specs = checkSpecs(deps.config, request.task, request.timeLeftMs);
  const standOn = filesChecksStandOn(staged, request);
  const runs = await runChecks(deps, specs, {
    worktree: request.worktree,
    scratchDir: request.scratchDir,
    timeLeftMs: request.timeLeftMs,
    evidence: request.evidence,
    // The checks commit nothing: no guard looks after them as after the agent, so git's data is out of their reach.
    wrap: deps.sandbox.wrapFor(deps.repoRoot, request.worktree, { writable: [request.scratchDir], ...heldInPlace(request.worktree, standOn), commitsNothing: true }),
    ...(request.signal ? { signal: request.signal } : {}),
  });
  const policy = { preexisting: deps.config.baseline.preexisting, mayRemove: removableTests(request.task), concernsTask: testsOfTask(request.task), feedbackChars: FEEDBACK_CHARS_PER_CHECK };
  const outcomes = runs.flatMap((run) => judgeCheck(run, request.baselines.get(run.checkId) ?? null, policy));
  // Whatever way it found (without containment, any), a check that changed what the checks stand on judged something else.
  const changed = await deps.workspace.changedFromIndex(request.worktree, standOn);
  if (changed.length > 0) outcomes.push({ ...changedWhileCheckedFailure(changed), passed: false, durationMs: 0 });
  return outcomes;
}

/**
 * Tests the task is about: its text names them (title, description, acceptance criteria), or
 * their file is one it declares. A failure of one of those is the task's to fix, base or not.
 */
function testsOfTask(task: Task): (test: TestCaseResult) => boolean {
  const text = [task.title, task.description, ...task.acceptance].join('\n').toLowerCase();
  const files = new Set([...task.resources.filter((resource) => resource.kind === 'file').map((resource) => resource.name), ...task.links.flatMap((link) => (link.kind === 'file' ? [link.path] : []))]);
  return (test) => {
    const name = test.name.split(' > ').at(-1)?.trim().toLowerCase() ?? '';
    return (name.length >= 4 && text.includes(name)) || (test.file !== null && files.has(test.file));
  };
}

/** Tests the task declares it removes (`removes:test:NAME`): by full name, or by the name's last part. */
function removableTests(task: Task): (test: TestCaseResult) => boolean {
  const names = new Set(task.resources.filter((resource) => resource.kind === 'test' && resource.mode === 'removes').map((resource) => resource.name));
  return (test) => names.has(test.name) || names.has(test.name.split(' > ').at(-1) ?? '');
}

function failed(checkId: string, kind: CheckKind, summary: string, detail: string): CheckOutcome {
  return { checkId, kind, passed: false, summary, detail, durationMs: 0 };
}
