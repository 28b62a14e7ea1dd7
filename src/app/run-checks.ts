import { checkLogName } from '../core/run/check-failure.js';
import type { CheckRun } from '../core/run/check-verdict.js';
import type { CheckReportSpec, ProjectConfig } from '../core/run/project-config.js';
import type { TestReport } from '../core/run/test-results.js';
import type { Task } from '../core/task.js';
import type { AttemptEvidence, CommandRunner, CommandWrap, Environment, FileAccess, TestReportReader } from './run-ports.js';

/** One command baton runs as a check: a config check or one of the task's verify commands. */
export interface CheckSpec {
  checkId: string;
  kind: CheckRun['kind'];
  run: string;
  timeoutMs: number;
  report: CheckReportSpec | null;
  /** A task verify command (or a config check running the same command): its failures are never excused by the base. */
  requiredByTask: boolean;
}

export interface CheckRunDeps {
  commands: CommandRunner;
  files: FileAccess;
  reports: TestReportReader;
  env: Environment;
}

export interface CheckRunRequest {
  worktree: string;
  /** A folder outside the worktree where checks may write reports baton reads (pytest's JUnit file). */
  scratchDir: string;
  /** No command gets more than this. */
  timeLeftMs: number;
  /** Where each check's output is kept (`checks/<id>.log`); none for a baseline. */
  evidence: AttemptEvidence | null;
  /** How checks are started (the sandbox); null: as they are. */
  wrap: CommandWrap | null;
  signal?: AbortSignal;
}

/** How much of a check's stdout is kept for reading its tests (a TAP stream); the log keeps its tail. */
const STRUCTURED_OUTPUT_LIMIT_CHARS = 16 * 1024 * 1024;
/**
 * cargo's lines that say which test binary runs, on its stderr: kept with stdout, they give
 * libtest's tests their file (`src/lib.rs`, `tests/api.rs`), and no other reader minds them.
 */
const CARGO_BINARY_LINE = /^\s+(?:Running \S|Doc-tests \S)/;

/** The config's checks, then the task's verify commands that the config does not already run. */
export function checkSpecs(config: ProjectConfig, task: Pick<Task, 'verify'>, timeLeftMs: number): CheckSpec[] {
  return [
    ...config.checks.map((check) => ({
      checkId: `command:${check.id}`,
      kind: 'command' as const,
      run: check.run,
      timeoutMs: check.timeoutMs,
      report: check.report,
      // The task's verify command is this very command: it is what "done" means, never excused.
      requiredByTask: task.verify.some((run) => run.trim() === check.run.trim()),
    })),
    ...task.verify
      .map((run, index) => ({ checkId: `verify:${index + 1}`, kind: 'verify' as const, run, timeoutMs: timeLeftMs, report: null, requiredByTask: true }))
      // A verify command the project already checks would only fail twice with the same output.
      .filter((verify) => !config.checks.some((check) => check.run.trim() === verify.run.trim())),
  ];
}

/**
 * Runs each check in the worktree, one after the other, and reads its tests where it can: from
 * the report file the config names, from the JUnit file pytest is asked for through
 * PYTEST_ADDOPTS, or from TAP or `cargo test`'s report on its output. A report the check left before it ran
 * (or an agent planted) is deleted first, so only what the check itself wrote is read.
 */
export async function runChecks(deps: CheckRunDeps, specs: readonly CheckSpec[], request: CheckRunRequest): Promise<CheckRun[]> {
  const runs: CheckRun[] = [];
  for (const spec of specs) runs.push(await runOne(deps, spec, request));
  return runs;
}

async function runOne(deps: CheckRunDeps, spec: CheckSpec, request: CheckRunRequest): Promise<CheckRun> {
  const reportFile = spec.report?.path ? `${request.worktree}/${spec.report.path}` : null;
  const pytestFile = `${request.scratchDir}/${spec.checkId.replace(/[^\w.-]+/g, '_')}.pytest.xml`;
  if (reportFile !== null) await deps.files.remove(reportFile);
  await deps.files.remove(pytestFile);
  const stdout = new BoundedText(STRUCTURED_OUTPUT_LIMIT_CHARS);
  const timeoutMs = Math.max(1_000, Math.min(spec.timeoutMs, request.timeLeftMs));
  const result = await deps.commands.run(spec.run, {
    cwd: request.worktree,
    env: { ...deps.env, PYTEST_ADDOPTS: `${deps.env.PYTEST_ADDOPTS ?? ''} --junitxml=${pytestFile}`.trim() },
    timeoutMs,
    onLine: (line, stream) => {
      if (stream === 'stdout' || CARGO_BINARY_LINE.test(line)) stdout.push(line);
    },
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.wrap ? { wrap: request.wrap } : {}),
  });
  const exitedOk = result.exitCode === 0 && !result.timedOut;
  const how = result.timedOut ? `timed out after ${Math.round(timeoutMs / 1000)} s` : result.exitCode === null ? `was killed by ${result.signal}` : `exited with ${result.exitCode}`;
  await request.evidence?.write(checkLogName(spec.checkId), `$ ${spec.run}\n${result.output}\n[exit ${result.exitCode ?? result.signal}${result.timedOut ? ', timed out' : ''} after ${result.durationMs} ms]\n`);
  const report = await readReport(deps, spec, { reportFile, pytestFile, stdout: stdout.text(), root: request.worktree });
  if (reportFile !== null) await deps.files.remove(reportFile);
  return { checkId: spec.checkId, kind: spec.kind, run: spec.run, requiredByTask: spec.requiredByTask, exitedOk, how, output: result.output, durationMs: result.durationMs, report };
}

async function readReport(deps: CheckRunDeps, spec: CheckSpec, sources: { reportFile: string | null; pytestFile: string; stdout: string; root: string }): Promise<TestReport | null> {
  const named = spec.report?.format;
  if (sources.reportFile !== null) {
    const text = await deps.files.readText(sources.reportFile);
    return text === null || named === 'none' || named === undefined ? null : deps.reports.read(named, text, sources.root);
  }
  if (named === 'tap' || named === 'libtest') return deps.reports.read(named, sources.stdout, sources.root);
  if (named === 'none') return null;
  const pytest = await deps.files.readText(sources.pytestFile);
  if (pytest !== null) return deps.reports.read('junit', pytest, sources.root);
  const detected = deps.reports.detect(sources.stdout);
  return detected === null ? null : deps.reports.read(detected, sources.stdout, sources.root);
}

/** Lines up to a size, then nothing: a report cut at its end is read as far as it goes. */
class BoundedText {
  private readonly lines: string[] = [];
  private chars = 0;

  constructor(private readonly limitChars: number) {}

  push(line: string): void {
    if (this.chars + line.length + 1 > this.limitChars) return;
    this.lines.push(line);
    this.chars += line.length + 1;
  }

  text(): string {
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }
}
