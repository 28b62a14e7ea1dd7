import { constants } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, realpath, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import nodeProcess from 'node:process';
import type { FileAccess, TestReportReader, Timers } from '../../app/run-ports.js';
import { FileBaselineStore } from '../../adapters/evidence/file-baseline-store.js';
import { detectReportFormat, readReportAs } from '../../adapters/test-reports/read-test-report.js';
import type { RunTaskDeps, RunProgressNote } from '../../app/run-task.js';
import { resolveExecutor } from '../../adapters/agents/executor-registry.js';
import { loadProjectConfig } from '../../adapters/config/load-project-config.js';
import { FileEvidenceStore } from '../../adapters/evidence/file-evidence-store.js';
import { GitWorkspace } from '../../adapters/git/git-workspace.js';
import { GitAttemptGuard } from '../../adapters/git/attempt-guard.js';
import { procProcessTable } from '../../adapters/process/process-table.js';
import { guardChildren } from '../../adapters/process/watchdog.js';
import { WorktreeSandbox } from '../../adapters/process/worktree-sandbox.js';
import { ShellCommandRunner } from '../../adapters/process/shell-command-runner.js';
import { BatonError } from '../../core/errors.js';
import type { ProjectConfig } from '../../core/run/project-config.js';
import type { CommandContext } from '../context.js';
import { batonPackageRoot } from '../package-root.js';

/** The main worktree's root, wherever in the repository baton was started. */
export function mainWorktreeRoot(ctx: CommandContext): string {
  const repo = ctx.requireRepo();
  if (!repo.linked) return repo.topLevel;
  if (basename(repo.commonDir) !== '.git') {
    throw new BatonError('NOT_IN_REPOSITORY', `${repo.commonDir} is a bare repository; run baton in a repository with a main worktree`);
  }
  return dirname(repo.commonDir);
}

/** Run evidence lives beside the board: `<board dir>/runs`. */
export function evidenceStoreFor(ctx: CommandContext, streamLimitBytes?: number): FileEvidenceStore {
  return new FileEvidenceStore(join(dirname(ctx.boardPath()), 'runs'), streamLimitBytes);
}

/** Wires the runner to the real world: git, the shell, the agent CLI, files, clocks. */
export async function runnerDeps(ctx: CommandContext, config: ProjectConfig, agentName: string, onProgress: (note: RunProgressNote) => void): Promise<RunTaskDeps> {
  const repoRoot = mainWorktreeRoot(ctx);
  const env = ctx.io.env;
  // Nothing the run starts may outlive it. Started first, so that the watchdog's own start-up
  // overlaps the worktree's checkout rather than delaying an attempt.
  guardChildren({ execPath: nodeProcess.execPath });
  const workspace = new GitWorkspace({ env });
  return {
    board: await ctx.deps(),
    executor: resolveExecutor(agentName, {}),
    workspace,
    guard: new GitAttemptGuard(workspace, env),
    // baton's own install stays reachable: an agent inside a run calls baton to read the board.
    sandbox: await WorktreeSandbox.detect(worktreeRootOf(repoRoot, config), env, [batonPackageRoot(), dirname(nodeProcess.execPath)]),
    commands: new ShellCommandRunner(),
    evidence: evidenceStoreFor(ctx, config.evidenceStreamLimitBytes),
    processes: procProcessTable,
    config,
    env,
    repoRoot,
    pid: nodeProcess.pid,
    host: hostname(),
    newToken: randomUUID,
    files: localFiles,
    reports: testReports,
    baselines: new FileBaselineStore(join(dirname(ctx.boardPath()), 'baselines')),
    timers: realTimers,
    onProgress,
  };
}

/** Where task worktrees go, absolute. */
export function worktreeRootOf(repoRoot: string, config: ProjectConfig): string {
  return isAbsolute(config.worktreeRoot) ? config.worktreeRoot : join(repoRoot, config.worktreeRoot);
}

export function projectConfigOf(ctx: CommandContext): ProjectConfig {
  return loadProjectConfig(mainWorktreeRoot(ctx));
}

export const testReports: TestReportReader = {
  read: (format, text, root) => readReportAs(format, text, { root }),
  detect: (output) => {
    const format = detectReportFormat(output);
    return format === 'junit' ? null : format;
  },
};

export const localFiles: FileAccess = {
  async readText(path) {
    // Opened without blocking: a FIFO an agent left where baton reads (its report, a check's
    // report, a check's config) would otherwise hold the open, and baton, forever.
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR' || error.code === 'EISDIR' || error.code === 'ENXIO') return null;
      throw error;
    });
    if (handle === null) return null;
    try {
      // Only a regular file holds text: a folder, FIFO or device in its place counts as no file.
      return (await handle.stat()).isFile() ? await handle.readFile('utf8') : null;
    } finally {
      await handle.close();
    }
  },
  async remove(path) {
    await rm(path, { force: true }).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ERR_FS_EISDIR') throw error;
      // A folder an agent made where baton expects a file goes too, unless a link on the way
      // (a `.baton` pointing elsewhere) could aim the removal outside the worktree.
      if ((await realpath(dirname(path))) === resolve(dirname(path))) await rm(path, { force: true, recursive: true });
    });
  },
  async exists(path) {
    return (await lstat(path).catch(() => null)) !== null;
  },
  async makeDir(path) {
    // A link (or a file) an agent put in the folder's place goes, never what it points at: what
    // baton later reads and removes in the folder must be in the worktree.
    const info = await lstat(path).catch(() => null);
    if (info !== null && !info.isDirectory()) await rm(path, { force: true });
    await mkdir(path, { recursive: true });
  },
  async makeTempDir(prefix) {
    return mkdtemp(join(tmpdir(), prefix));
  },
  async removeDir(path) {
    await rm(path, { recursive: true, force: true });
  },
};

const realTimers: Timers = {
  monotonicMs: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
  every: (ms, task) => {
    const timer = setInterval(task, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};
