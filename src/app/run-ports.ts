import type { AgentEvent, AgentFamily, TokenCounts } from '../core/agent-stream/agent-event.js';
import type { AgentExit, AttemptOutcome } from '../core/agent-stream/classify-attempt.js';
import type { AddedLine, ChangedFile } from '../core/run/changed-file.js';
import type { CheckBaseline } from '../core/run/check-verdict.js';
import type { RunRecord } from '../core/run/run-record.js';
import type { StreamReportFormat, TestReport, TestReportFormat } from '../core/run/test-results.js';

/*
 * The ports the runner drives: an agent CLI (Executor), the task's git worktree (Workspace),
 * the shell that runs check commands (CommandRunner). Adapters implement them; `runTask`
 * only sees these shapes.
 */

/** An environment as `process.env` holds it; the composition root passes it in. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** One agent session to run: a fresh one, or the continuation of an earlier attempt's. */
export interface AgentRequest {
  /** The task's worktree: the agent's working directory. */
  cwd: string;
  prompt: string;
  model: string | null;
  /** The session to continue (`resumeSession` of an earlier result); null starts a fresh one. */
  resumeSession: string | null;
  /** The previous attempt's cumulative usage counters, for CLIs that count per session. */
  usageBaseline: TokenCounts | null;
  /** A directory the executor may use for its own files (a prompt file, a log). */
  scratchDir: string;
  /** The agent's whole environment (baton adds nothing it was not asked to). */
  env: Environment;
  /** Extra command-line arguments from the project config. */
  extraArgs: readonly string[];
  wallTimeoutMs: number;
  idleTimeoutMs: number;
  /** Stops the agent's whole process group, like a timeout. */
  signal?: AbortSignal;
  /** How to start the agent's command (the sandbox); absent: as it is. */
  wrap?: CommandWrap;
  /** Every line the agent printed, as it arrives (the raw stream evidence). */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Every normalised event, as it arrives. */
  onEvent?: (event: AgentEvent) => void;
  /** The agent's process group, once it runs: recorded so a later run can make sure it is gone. */
  onStarted?: (pgid: number) => void;
}

/** How one agent session went. */
export interface AgentResult {
  events: AgentEvent[];
  exit: AgentExit;
  outcome: AttemptOutcome;
  /** What a later attempt passes as `resumeSession`; null when the CLI cannot resume or said no id. */
  resumeSession: string | null;
  /** Tokens (and cost, where reported) this session spent: deltas, never cumulative counters. */
  usage: TokenCounts & { costUsd?: number };
  /** The session's cumulative counters after this run (pass on as the next `usageBaseline`). */
  usageBaseline: TokenCounts | null;
  durationMs: number;
}

/** What an executor can do, so the runner never asks for what a CLI lacks. */
export interface ExecutorCapabilities {
  /** A later attempt can continue the same conversation. */
  resume: boolean;
  /** The stream carries token counts. */
  reportsUsage: boolean;
  /** The stream carries a dollar cost. */
  reportsCost: boolean;
  /** `--model` is passed on to the CLI. */
  selectsModel: boolean;
}

/** One agent CLI behind one interface. */
export interface Executor {
  /** As the user names it: `claude`, `codex`, `acp:gemini --experimental-acp`, `cmd:./agent.sh`. */
  readonly name: string;
  readonly family: AgentFamily | 'command';
  readonly capabilities: ExecutorCapabilities;
  /** Throws a BatonError (AGENT_NOT_INSTALLED) naming what to install when the CLI is missing. */
  ensureInstalled(env: Environment): Promise<void>;
  run(request: AgentRequest): Promise<AgentResult>;
}

/** The task's git worktree, as the runner changes and inspects it. */
export interface Workspace {
  /** The branch checked out in the main worktree (or main/master when detached). */
  defaultBaseBranch(repoRoot: string): Promise<string>;
  /** Tracked files changed but not committed in the main worktree (untracked files do not count). */
  uncommittedChanges(repoRoot: string): Promise<string[]>;
  /**
   * Creates the worktree at `path` on a new `branch` from `base`, or reuses it when `path` is
   * already a worktree of `branch` (a resumed run), or adds `path` for an existing `branch`.
   * Refuses (CONFLICT) when `path` exists as anything else.
   */
  prepareWorktree(repoRoot: string, request: { path: string; branch: string; base: string }): Promise<{ created: boolean; head: string }>;
  /** Refuses (CONFLICT) as `prepareWorktree` would, making nothing. */
  assertWorktreeAvailable(repoRoot: string, request: { path: string; branch: string; base: string }): Promise<void>;
  /** The commit the worktree's HEAD is at. */
  head(worktree: string): Promise<string>;
  /**
   * Takes the worktree as it is now, untracked files included and ignored files not, for the
   * three reads below: they see the worktree as of the last `stageAll`, so that one snapshot
   * serves them all.
   */
  stageAll(worktree: string): Promise<void>;
  /** Everything changed since `since` (a commit), as of the last `stageAll`. */
  changes(worktree: string, since: string): Promise<ChangedFile[]>;
  /** Git repositories made inside the worktree (not ignored): `stageAll` leaves them out, the scope guard refuses them. */
  nestedRepositories(worktree: string): Promise<string[]>;
  /** The unified diff since `since`, as of the last `stageAll`. */
  diff(worktree: string, since: string): Promise<string>;
  /** Lines added since `since`, as of the last `stageAll`, for forbidden-pattern checks. */
  addedLines(worktree: string, since: string): Promise<AddedLine[]>;
  /** Commits everything changed (nothing ignored); null when there was nothing to commit. */
  commitAll(worktree: string, message: string): Promise<string | null>;
  /** Puts the worktree back exactly at `commit`: changes and untracked files gone, ignored files kept. */
  resetTo(worktree: string, commit: string): Promise<void>;
  /**
   * Saves everything uncommitted in the worktree (untracked files too, ignored ones not) as a
   * commit on `ref` whose parent is HEAD, leaving HEAD, the index and the files as they are;
   * null when there was nothing uncommitted.
   */
  quarantine(worktree: string, ref: string): Promise<string | null>;
  /** Whether the repository has this local branch. */
  branchExists(repoRoot: string, branch: string): Promise<boolean>;
  /** Stages everything like `stageAll` and returns the tree id of exactly what was staged. */
  snapshotTree(worktree: string): Promise<string>;
  /**
   * Commits `tree` on `branch` with `parent` as its only parent, running no hook, and moves the
   * branch to it only if it is still at `parent` (CONFLICT otherwise). Files and index untouched.
   */
  commitTree(worktree: string, request: { tree: string; parent: string; message: string; branch: string }): Promise<string>;
  /** The tree id of a commit. */
  treeOf(worktree: string, commit: string): Promise<string>;
  /** Files (repository-relative) as they are at `commit`; null for one that is not there. */
  readFilesAt(worktree: string, commit: string, paths: readonly string[]): Promise<(string | null)[]>;
  /** Files as staged in the worktree's index (as of the last `stageAll`); null for one not staged. */
  readStagedFiles(worktree: string, paths: readonly string[]): Promise<(string | null)[]>;
  /** Every path the index holds, repository-relative. */
  stagedFiles(worktree: string): Promise<string[]>;
  /** Which of `paths` (repository-relative) differ in the worktree from the index. */
  changedFromIndex(worktree: string, paths: readonly string[]): Promise<string[]>;
  /** Whether HEAD is on `branch`, at `checkpoint`; `what` says how not. */
  verifyBranch(worktree: string, expected: { branch: string; checkpoint: string }): Promise<BranchVerdict>;
  /**
   * Puts HEAD back on `branch` at `checkpoint` without touching the files (what the agent
   * committed elsewhere stays in them, uncommitted), keeping the agent's commits under `evidenceRef`.
   */
  restoreBranch(worktree: string, request: { branch: string; checkpoint: string; evidenceRef: string }): Promise<{ kept: { ref: string; commit: string }[] }>;
  /** Replaces the commits after `onto` by one commit holding the same tree; returns its id. */
  squash(worktree: string, onto: string, message: string): Promise<string>;
  /**
   * Merges the current tip of the branch `base` into the task branch checked out in the worktree,
   * committing the result whatever it is (conflicted files with their markers), with no hook run;
   * returns the merge commit, the base commit and the conflicted paths, or null when the branch
   * already holds the base.
   */
  bringIn(worktree: string, request: { branch: string; base: string; message: string }): Promise<{ commit: string; base: string; conflicts: string[] } | null>;
  /** Whether a path inside the worktree exists and holds something. */
  fileState(worktree: string, path: string): Promise<'missing' | 'empty' | 'present'>;
}

/** A command as started: its argv and environment (a sandbox wraps one into another). */
export interface CommandLine {
  argv: readonly string[];
  env?: Environment;
}

export type CommandWrap = (command: CommandLine) => CommandLine;

/** What keeps an attempt's commands inside its worktree, where the system allows it. */
export interface Sandbox {
  /** Whether commands run contained; false: writes outside are looked for after each attempt instead. */
  readonly active: boolean;
  /** What is in force, in one line for the person (`baton run` prints it). */
  readonly description: string;
  /** Variables the agent needs to know it is sandboxed (Claude Code as root: IS_SANDBOX). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * How to start a command so it writes only where a command of this worktree may; null:
   * unchanged. What the command writes to its home is its own and vanishes with it, unless
   * `keepHomeIn` names a folder that keeps it for the next command given the same folder
   * (the agent's home across its attempts, where its sessions live). A commit's log is
   * writable only for `branch` (the task branch, named by the runner, never read from the
   * worktree the command could change). `writable` adds folders of baton's the command writes
   * (where checks leave their reports); `readOnly` files inside the worktree it may read but not
   * change (the tests, while the checks run them), `pinned` folders there it may not rename or
   * remove (those holding them).
   */
  wrapFor(mainCheckout: string, worktree: string, options?: WrapOptions): CommandWrap | null;
}

export interface WrapOptions {
  keepHomeIn?: string;
  branch?: string;
  writable?: readonly string[];
  readOnly?: readonly string[];
  pinned?: readonly string[];
  /** Keep the worktree's HEAD where it is (for checks: code under test that moves it would break the run's commit). */
  holdHead?: boolean;
  /** The command commits nothing (checks, of an attempt or of a merged result): the repository's git data, the worktree's own included, read-only. */
  commitsNothing?: boolean;
}

/** Where an attempt runs, for the guard that watches what it does around its worktree. */
export interface GuardScope {
  repoRoot: string;
  worktree: string;
  branch: string;
  /** Also note the main checkout and the other worktrees (when no sandbox keeps the agent out of them). */
  watchOutside: boolean;
}

/** What an attempt did outside its worktree's files, as the guard found it after the attempt. */
export interface GuardFindings {
  /** Objects in git's store the attempt replaced or removed (object-store.ts): history itself may have changed; nothing puts it back. */
  objectsTampered: string[];
  /** Files git ignores that the attempt created or changed, removed: a commit would not hold them, so the checks must not see them. */
  ignoredRemoved: string[];
  /** Git configuration, hooks or refs the attempt changed, each put back (`text` says what). */
  repaired: string[];
  /** Other checkouts the attempt wrote into: reported, never put back (they may hold a person's work). */
  outside: { worktree: string; paths: string[]; what: string }[];
}

/**
 * Watches the repository around an attempt: `before` it starts, `after` it ends and before
 * baton runs any other git command there (a planted hook, filter or fsmonitor would run in it).
 */
export interface AttemptGuard {
  before(scope: GuardScope): Promise<unknown>;
  /** `evidencePrefix`: where the values of refs it put back are kept. */
  after(mark: unknown, evidencePrefix: string): Promise<GuardFindings>;
  /** The files git ignores in `worktree`, as they are now, are setup's (it just ran again): later attempts are compared with them. */
  ignoredSettled(worktree: string): Promise<void>;
}

/** How the worktree's branch looks after an attempt, against what baton left it at. */
export type BranchVerdict = { ok: true } | { ok: false; what: string; agentHead: string | null };

/** How a check or setup command ended. */
export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Output (stdout and stderr interleaved) as the command printed it, up to a limit. */
  output: string;
  durationMs: number;
}

/** Runs a shell command in a worktree, its whole process group killed at the timeout. */
export interface CommandRunner {
  /** `onLine` sees every line as it arrives, of any length the command printed. */
  run(
    command: string,
    options: { cwd: string; env: Environment; timeoutMs: number; signal?: AbortSignal; onLine?: (line: string, stream: 'stdout' | 'stderr') => void; wrap?: CommandWrap },
  ): Promise<CommandResult>;
  /** Whether the first word of `command` names something runnable (a builtin, on PATH, or a file in `cwd`). */
  commandExists(command: string, options: { cwd: string; env: Environment }): Promise<boolean>;
}

/** Baselines kept between runs, by key (see check-baseline.ts): tasks on the same base share them. */
export interface BaselineStore {
  readBaseline(key: string): Promise<CheckBaseline | null>;
  saveBaseline(key: string, baseline: CheckBaseline): Promise<void>;
}

/** Reads test runners' reports into one shape (adapters/test-reports). */
export interface TestReportReader {
  /** The report, or null when the text is not a report in that format; paths made relative to `root`. */
  read(format: TestReportFormat, text: string, root: string): TestReport | null;
  /** The format a command's output is in, when it is a report. */
  detect(output: string): StreamReportFormat | null;
}

/** Files of one attempt's evidence: `prompt.md`, `stream.jsonl`, `events.jsonl`, `diff.patch`, `checks/<id>.log`... */
export interface AttemptEvidence {
  /** The attempt's directory (shown to people, never parsed). */
  readonly dir: string;
  write(name: string, text: string): Promise<void>;
  /** Appends one line; lines arrive while the agent runs and must survive a crash of baton. */
  appendLine(name: string, line: string): void;
  /** Flushes and closes what `appendLine` opened. */
  close(): Promise<void>;
}

/**
 * Where runs keep their evidence: one directory per run of a task, `run.json` plus one
 * directory per attempt, under the board's data directory.
 */
export interface EvidenceStore {
  /**
   * Moves a task's runs made by another board (a board deleted and made anew numbers its tasks
   * from 1 again) out of the way, kept whole under another name; returns where, or null.
   */
  setAsideOtherBoards(taskId: number, boardId: string): Promise<string | null>;
  /** The next run number of a task (1 for its first run). */
  nextRunNumber(taskId: number): Promise<number>;
  /**
   * Creates the run's directory and first `run.json`; refuses (CONFLICT) when that run number
   * is already taken, so two batons starting the same task at once cannot share a run.
   */
  createRun(record: RunRecord): Promise<void>;
  /** Writes `run.json` whole (atomically: a crash leaves the old or the new record). */
  saveRun(record: RunRecord): Promise<void>;
  readRun(taskId: number, run: number): Promise<RunRecord | null>;
  /** Runs of one task, or of every task, oldest first. */
  listRuns(taskId: number | null): Promise<RunRecord[]>;
  attempt(taskId: number, run: number, attempt: number): Promise<AttemptEvidence>;
  /** A file of an attempt's evidence, or null when there is none. */
  readAttemptFile(taskId: number, run: number, attempt: number, name: string): Promise<string | null>;
  /** One digest of every file of these attempts' evidence (names and contents): it changes when any of them does. */
  fingerprintAttempts(taskId: number, run: number, attempts: readonly number[]): Promise<string>;
  /** The run's directory, for people to open. */
  runDir(taskId: number, run: number): string;
}

/** The operating system's view of processes, for runs that outlived their baton. */
export interface ProcessTable {
  /** Whether a process is running (a zombie is not). */
  isAlive(pid: number): boolean;
}

/** Plain file access inside a worktree, for the agent's report and instructions file. */
export interface FileAccess {
  /** The file's text, or null when there is no regular file at the path (nothing, a folder, a FIFO). */
  readText(path: string): Promise<string | null>;
  /** Removes the file at the path, if any, or a folder put where the file should be. */
  remove(path: string): Promise<void>;
  /** Whether anything (a file, a folder, a link) is at the path. */
  exists(path: string): Promise<boolean>;
  /** Makes a folder (and its parents) if it is not there; a link or file in its place is removed first (never its target). */
  makeDir(path: string): Promise<void>;
  /** A new empty folder in the system's temporary folder, private to this user. */
  makeTempDir(prefix: string): Promise<string>;
  /** Removes a folder and everything in it, if it is there. */
  removeDir(path: string): Promise<void>;
}

/** Time, as the runner needs it: waits that a cancel cuts short, and a repeating timer. */
export interface Timers {
  /** Milliseconds from an arbitrary start, never going backwards. */
  monotonicMs(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `task` every `ms` until the returned function is called. */
  every(ms: number, task: () => void): () => void;
}
