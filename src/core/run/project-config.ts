import { DEFAULT_FLEET_SETTINGS, type FleetSettings } from '../fleet/fleet-settings.js';
import { DEFAULT_MERGE_SETTINGS, type MergeSettings } from '../merge/merge-settings.js';
/**
 * The committed project config (`baton.config.json` at the repository root) after
 * validation, with every default filled in. The file's schema lives with its loader
 * (adapters/config); the runner reads only this shape.
 */
export interface ProjectConfig {
  /** The file it came from; null when the repository has none and every default applies. */
  source: string | null;
  agent: AgentSettings;
  /** Run once in a new worktree before the first attempt (`npm ci`), through `/bin/sh -c`. */
  setup: string | null;
  checks: CheckCommand[];
  scope: ScopeSettings;
  requiredFiles: string[];
  forbiddenPatterns: ForbiddenPattern[];
  budgets: Budgets;
  /** Whether the agent's report file must be present and valid for the attempt to pass. */
  requireReport: boolean;
  /** Where task worktrees go, relative to the main worktree unless absolute. */
  worktreeRoot: string;
  /** The branch task branches start from; null means the branch checked out in the main worktree. */
  baseBranch: string | null;
  baseline: BaselineSettings;
  /** How much of each stream of an attempt (the agent's stdout, stderr, events) the evidence keeps. */
  evidenceStreamLimitBytes: number;
  /** How the merge queue lands work, and which tasks wait for a person first. */
  merge: MergeSettings;
  /** The supervisor's rules: which agent takes which tasks, how many at once, what a day may cost. */
  fleet: FleetSettings;
}

export interface AgentSettings {
  /** `claude`, `codex`, `acp:<command>` or `cmd:<command>`. */
  name: string;
  model: string | null;
  /** No output from the agent for this long ends the attempt as hung. */
  idleTimeoutMs: number;
  /** Extra arguments appended to the agent's command line. */
  extraArgs: string[];
}

/** A command baton runs in the worktree after every attempt; exit 0 passes. */
export interface CheckCommand {
  /** Names the check in feedback, evidence and fingerprints. */
  id: string;
  run: string;
  timeoutMs: number;
  /** Files that define this check (test config, the script it runs); agents may not edit them. */
  files: string[];
  /** Where its test results can be read; null: found out (pytest's JUnit file, TAP on stdout). */
  report: CheckReportSpec | null;
}

/**
 * How a check's test results are read: `junit` from the file at `path` (in the worktree), `tap`
 * and `libtest` (`cargo test`) from that file or else the output, `none` when the check runs no
 * tests baton should read.
 */
export interface CheckReportSpec {
  format: 'tap' | 'junit' | 'libtest' | 'none';
  path: string | null;
}

/** How failures that were there before the task (on its base commit) are judged. */
export interface BaselineSettings {
  /** `allow`: a check failing as it did on the base does not fail the attempt; `block`: it does. */
  preexisting: 'allow' | 'block';
}

export interface ScopeSettings {
  /** Paths (globs) every task may change, besides the files its resources and links name. */
  allow: string[];
  /** Paths no attempt may touch. */
  protect: string[];
  /**
   * What counts as a test file. Existing tests are a task's contract: an attempt may add tests,
   * not modify, rename, delete or empty one (see test-contract.ts).
   */
  testFiles: string[];
  /** Existing tests (and test support files) every task may change anyway. */
  editableTests: string[];
}

export interface ForbiddenPattern {
  id: string;
  /** A JavaScript regular expression, matched against each added line. */
  pattern: string;
  /** Globs of files it applies to; empty means every file. */
  paths: string[];
  message: string;
}

/** Every run stops at these; each is finite by default. */
export interface Budgets {
  maxAttempts: number;
  /** Wall-clock time for the whole run, setup and checks included. */
  timeoutMs: number;
  /** Input plus output tokens over the run, where the agent reports them; null: no cap. */
  maxTokens: number | null;
  /** Dollars over the run, where the agent reports a cost; null: no cap. */
  maxUsd: number | null;
  /** The same failure fingerprint this many attempts in a row stops the run as stalled. */
  stalledAfter: number;
  /** This many attempts reverted for leaving scope stops the run as diverged. */
  maxDivergences: number;
  /** Rate-limited attempts are retried after a wait, this many times at most. */
  maxRateLimitRetries: number;
  rateLimitWaitMs: number;
}

export const DEFAULT_BUDGETS: Budgets = {
  maxAttempts: 3,
  timeoutMs: 30 * 60_000,
  maxTokens: null,
  maxUsd: null,
  stalledAfter: 2,
  maxDivergences: 2,
  maxRateLimitRetries: 3,
  rateLimitWaitMs: 30_000,
};

export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
/** A few MB of an agent's stream is plenty to see what it did; 200 MB of it helps nobody. */
export const DEFAULT_EVIDENCE_STREAM_LIMIT_MB = 4;
export const DEFAULT_CHECK_TIMEOUT_MS = 10 * 60_000;
export const CONFIG_FILE_NAME = 'baton.config.json';
/** The worktree folder for what the agent leaves for baton (report, notes): baton's own, never committed. */
export const AGENT_FILES_DIR = '.baton';
/** Where the agent writes its report, relative to the worktree (kept out of commits). */
export const REPORT_PATH = '.baton/report.json';
/** Where the agent inside a run leaves notes for its task: baton, not the agent, writes them on the board. */
export const NOTES_PATH = '.baton/notes.md';
/** Notes longer than this are cut: the board is for notes, not for logs. */
export const MAX_AGENT_NOTES_CHARS = 4_000;

/** The config of a repository without a config file. */
export function defaultProjectConfig(): ProjectConfig {
  return {
    source: null,
    agent: { name: 'claude', model: null, idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS, extraArgs: [] },
    setup: null,
    checks: [],
    scope: { allow: [], protect: [], testFiles: DEFAULT_TEST_FILE_GLOBS, editableTests: [] },
    requiredFiles: [],
    forbiddenPatterns: [],
    budgets: { ...DEFAULT_BUDGETS },
    requireReport: false,
    worktreeRoot: '.baton/worktrees',
    baseBranch: null,
    baseline: { preexisting: 'allow' },
    evidenceStreamLimitBytes: DEFAULT_EVIDENCE_STREAM_LIMIT_MB * 1024 * 1024,
    merge: { ...DEFAULT_MERGE_SETTINGS, approval: { paths: [], resources: [], kinds: [], labels: [] } },
    fleet: { ...DEFAULT_FLEET_SETTINGS, maxPerAgent: {}, agents: [] },
  };
}

export const DEFAULT_TEST_FILE_GLOBS: string[] = [
  '**/*.test.*',
  '**/*.spec.*',
  '**/*_test.*',
  '**/test_*.py',
  '**/__tests__/**',
  'test/**',
  'tests/**',
];
