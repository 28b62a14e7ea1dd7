import type { AgentEvent, AgentFamily, TokenCounts } from '../core/agent-stream/agent-event.js';
import type { AgentExit, AttemptOutcome } from '../core/agent-stream/classify-attempt.js';
import type { AddedLine, ChangedFile } from '../core/run/changed-file.js';
import type { RunRecord } from '../core/run/run-record.js';

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
  /** The unified diff since `since`, as of the last `stageAll`. */
  diff(worktree: string, since: string): Promise<string>;
  /** Lines added since `since`, as of the last `stageAll`, for forbidden-pattern checks. */
  addedLines(worktree: string, since: string): Promise<AddedLine[]>;
  /** Commits everything changed (nothing ignored); null when there was nothing to commit. */
  commitAll(worktree: string, message: string): Promise<string | null>;
  /** Puts the worktree back exactly at `commit`: changes and untracked files gone, ignored files kept. */
  resetTo(worktree: string, commit: string): Promise<void>;
  /** Replaces the commits after `onto` by one commit holding the same tree; returns its id. */
  squash(worktree: string, onto: string, message: string): Promise<string>;
  /** Whether a path inside the worktree exists and holds something. */
  fileState(worktree: string, path: string): Promise<'missing' | 'empty' | 'present'>;
}

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
  run(command: string, options: { cwd: string; env: Environment; timeoutMs: number; signal?: AbortSignal }): Promise<CommandResult>;
  /** Whether the first word of `command` names something runnable (a builtin, on PATH, or a file in `cwd`). */
  commandExists(command: string, options: { cwd: string; env: Environment }): Promise<boolean>;
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
  /** The file's text, or null when it does not exist. */
  readText(path: string): Promise<string | null>;
  /** Removes a file if it is there. */
  remove(path: string): Promise<void>;
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
