import * as z from 'zod/mini';
import { DEFAULT_BUDGETS, DEFAULT_CHECK_TIMEOUT_MS, DEFAULT_EVIDENCE_STREAM_LIMIT_MB, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_TEST_FILE_GLOBS, REPORT_PATH } from '../../core/run/project-config.js';
import { TASK_KINDS } from '../../core/kind.js';
import { DEFAULT_MERGE_RETRIES, MERGE_STRATEGIES } from '../../core/merge/merge-settings.js';
import { agentName, boolean, branchName, duration, filePaths, globs, id, listWithUniqueIds, nullable, regexSource, strictObject, text, wholeNumber } from './schema-fields.js';

/*
 * The format of `baton.config.json` as users write it: durations as strings ("30m"), budgets in
 * natural units, every field optional. load-project-config.ts maps it to core's ProjectConfig.
 * Each description becomes the text editors show from the published JSON Schema.
 */

const agentSchema = strictObject(
  {
    name: z.optional(agentName('The agent CLI baton drives: "claude" (Claude Code), "codex" (Codex CLI), "acp:<command>" (an Agent Client Protocol agent started by <command>) or "cmd:<command>" (any command that takes the prompt). Default: claude.')),
    model: nullable(text('a model name'), 'The model the agent uses, passed to its CLI; null or absent: the CLI\'s own default.'),
    idleTimeout: z.optional(duration('No output from the agent for this long ends the attempt as hung.', DEFAULT_IDLE_TIMEOUT_MS)),
    args: z.optional(z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of strings' }).check(z.describe('Extra arguments appended to the agent\'s command line.'))),
  },
  'an object such as { "name": "claude" }',
  'Which agent works on the task, and how.',
);

const REPORT_FORMAT_ERROR = 'must be "junit", "tap", "libtest" or "none"';
const reportSchema = strictObject(
  {
    format: z.enum(['junit', 'tap', 'libtest', 'none'], { error: REPORT_FORMAT_ERROR }).check(
      z.describe('How the check\'s test results are written: "junit" (a JUnit XML file at `path`), "tap" (TAP in the file at `path`, else on standard output), "libtest" (`cargo test`\'s text, in the file at `path`, else its output), "none" (read no tests).'),
    ),
    path: z.optional(
      z.string({ error: 'must be a file path such as "reports/junit.xml"' })
        .check(z.minLength(1, { error: 'must be a file path such as "reports/junit.xml"' }), z.regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$)).+$/, { error: 'must be a path inside the repository, such as "reports/junit.xml"' }))
        .check(z.describe('Where the check writes its report, relative to the worktree; baton deletes it before the check runs and reads it after.')),
    ),
  },
  'an object such as { "format": "junit", "path": "reports/junit.xml" }',
  'Where baton reads the check\'s test results, test by test. Absent: pytest\'s are asked for, TAP on standard output is recognised.',
);

const checkSchema = strictObject(
  {
    id: id('Names the check in feedback to the agent, in evidence and in failure fingerprints; unique among checks.'),
    run: text('a command').check(z.describe('The command, run in the task\'s worktree through /bin/sh -c after every attempt; exit code 0 passes.')),
    timeout: z.optional(duration('The check fails if it runs longer than this.', DEFAULT_CHECK_TIMEOUT_MS)),
    report: z.optional(reportSchema),
    files: z.optional(globs('Files that define this check, which no attempt may change. Baton finds most by itself from the command (the package.json scripts and Makefile it runs and what they call, the files it names, test runner and package manager configs); list the rest here.')),
  },
  'an object such as { "id": "test", "run": "npm test" }',
  'A command baton runs after every attempt.',
);

const scopeSchema = strictObject(
  {
    allow: z.optional(globs('Paths every task may change, besides the files its resources and links name.')),
    protect: z.optional(globs('Paths no attempt may change.')),
    testFiles: z.optional(
      globs(
        `What counts as a test file. Existing tests are a task's contract: an attempt may add new tests but not modify, rename, delete or empty an existing one, nor the files tests stand on (anything under test/, tests/, spec/, __tests__/, snapshots, fixtures, conftest.py), unless the task declares the file (modifies:file:<path>) or editableTests lists it. Replaces the default list: ${DEFAULT_TEST_FILE_GLOBS.join(', ')}.`,
      ).check(z.meta({ default: DEFAULT_TEST_FILE_GLOBS })),
    ),
    editableTests: z.optional(
      globs('Existing test files and test support files (fixtures, snapshots, helpers, conftest.py) that every task may modify, rename or delete; other existing tests change only when a task declares them (modifies:file:<path>). Default: none.').check(z.meta({ default: [] })),
    ),
  },
  'an object such as { "allow": ["docs/**"] }',
  'Which files an attempt may change.',
);

const forbiddenPatternSchema = strictObject(
  {
    id: id('Names the pattern in feedback and fingerprints; unique among forbidden patterns.'),
    pattern: regexSource('A JavaScript regular expression (no flags; backslashes doubled for JSON, as in "\\\\.only\\\\("), matched against each line an attempt adds.'),
    paths: z.optional(globs('Files the pattern applies to; absent or empty: every file.')),
    message: z.optional(text('a message').check(z.describe('Tells the agent why such lines are not allowed. Default: names the pattern.'))),
  },
  'an object such as { "id": "no-only", "pattern": "\\\\.only\\\\(" }',
  'Lines no attempt may add.',
);

const USD_ERROR = 'must be a number of dollars above 0, or null for no cap';

const budgetsSchema = strictObject(
  {
    maxAttempts: z.optional(wholeNumber({ min: 1, max: 100, description: 'Attempts at most, the first included.', defaultValue: DEFAULT_BUDGETS.maxAttempts })),
    timeout: z.optional(duration('Wall-clock time for the whole run, setup and checks included.', DEFAULT_BUDGETS.timeoutMs)),
    maxTokens: nullable(wholeNumber({ min: 1, orNull: 'for no cap' }), 'Input plus output tokens over the run, where the agent reports them; null or absent: no cap.'),
    maxUsd: nullable(z.number({ error: USD_ERROR }).check(z.positive({ error: USD_ERROR })), 'Dollars over the run, where the agent reports a cost; null or absent: no cap.'),
    stalledAfter: z.optional(wholeNumber({ min: 2, max: 100, description: 'The same failure this many attempts in a row stops the run as stalled.', defaultValue: DEFAULT_BUDGETS.stalledAfter })),
    maxDivergences: z.optional(wholeNumber({ min: 1, max: 100, description: 'This many attempts reverted for changing files out of scope stop the run as diverged.', defaultValue: DEFAULT_BUDGETS.maxDivergences })),
    maxRateLimitRetries: z.optional(wholeNumber({ min: 0, max: 100, description: 'A rate-limited attempt is retried after a wait, this many times at most over the run.', defaultValue: DEFAULT_BUDGETS.maxRateLimitRetries })),
    rateLimitWait: z.optional(duration('How long to wait before retrying a rate-limited attempt.', DEFAULT_BUDGETS.rateLimitWaitMs)),
  },
  'an object such as { "maxAttempts": 3 }',
  'Where every run stops; each is finite by default.',
);

const baselineSchema = strictObject(
  {
    preexisting: z.optional(
      z.enum(['allow', 'block'], { error: 'must be "allow" or "block"' }).check(
        z.meta({ description: 'A check that fails on the task\'s base commit as it fails after the attempt (the same tests, or the same output): "allow" does not hold it against the attempt, "block" does. Default: allow.', default: 'allow' }),
      ),
    ),
  },
  'an object such as { "preexisting": "allow" }',
  'How failures that were there before the task are judged. baton runs the checks once on the base commit (per base commit and command, shared by tasks) to know them.',
);

const approvalSchema = strictObject(
  {
    paths: z.optional(globs('A task whose branch changes a path matching one of these globs waits for a person (`baton approve`) before it merges.')),
    resources: z.optional(
      z.array(z.string({ error: 'must be a resource pattern such as "removes:*"' }).check(z.minLength(1, { error: 'must be a resource pattern such as "removes:*"' })), { error: 'must be a list of resource patterns such as ["removes:*"]' }).check(
        z.describe('A task declaring a resource that matches one of these patterns (MODE:KIND:NAME, `*` for any characters: "removes:*", "modifies:table:*") waits for a person before it merges.'),
      ),
    ),
    kinds: z.optional(z.array(z.enum(TASK_KINDS, { error: `must be one of ${TASK_KINDS.join(', ')}` }), { error: 'must be a list of task kinds such as ["feature"]' }).check(z.describe('Tasks of these kinds wait for a person before they merge.'))),
    labels: z.optional(z.array(z.string({ error: 'must be a label' }).check(z.minLength(1, { error: 'must be a label' })), { error: 'must be a list of labels such as ["needs-review"]' }).check(z.describe('Tasks with any of these labels wait for a person before they merge.'))),
  },
  'an object such as { "paths": ["migrations/**"] }',
  'Which tasks need a person before they merge; every other task merges on its own once the checks pass on the merged result.',
);

const mergeSchema = strictObject(
  {
    strategy: z.optional(
      z.enum(MERGE_STRATEGIES, { error: 'must be "squash", "rebase" or "merge"' }).check(
        z.meta({ description: 'How a task lands on the base branch: "squash" (one commit per task, subject from the task, Baton-Task trailer), "rebase" (the task\'s commits replayed on the tip) or "merge" (a merge commit).', default: 'squash' }),
      ),
    ),
    retries: z.optional(wholeNumber({ min: 0, max: 100, description: 'How many times the queue may send a task back (a conflict, checks red on the merged result) before the task is failed.', defaultValue: DEFAULT_MERGE_RETRIES })),
    batch: z.optional(wholeNumber({ min: 1, max: 50, description: 'How many queued tasks are checked together: all land when the checks pass on them together; when they fail, the first half is tried, and so on, until the task that fails goes back alone.', defaultValue: 1 })),
    approval: z.optional(approvalSchema),
  },
  'an object such as { "strategy": "squash" }',
  'The merge queue: how verified work lands on the base branch.',
);

const agentRuleSchema = strictObject(
  {
    kind: z.optional(z.enum(TASK_KINDS, { error: `must be one of ${TASK_KINDS.join(', ')}` }).check(z.describe('Tasks of this kind.'))),
    label: z.optional(z.string({ error: 'must be a label' }).check(z.minLength(1, { error: 'must be a label' }), z.describe('Tasks with this label.'))),
    agent: agentName('The agent for the tasks this rule matches: "claude", "codex", "acp:<command>" or "cmd:<command>".'),
  },
  'an object such as { "kind": "bug", "agent": "codex" }',
  'Which agent takes the tasks of a kind or with a label; the first matching rule wins, after a task\'s own agent:<name> label.',
);

const USD_DAY_ERROR = 'must be a number of dollars above 0, or null for no cap';
const fleetSchema = strictObject(
  {
    maxPerAgent: z.optional(
      z.record(z.string(), z.int({ error: 'must be a whole number from 1 to 32' }).check(z.minimum(1, { error: 'must be a whole number from 1 to 32' }), z.maximum(32, { error: 'must be a whole number from 1 to 32' })), { error: 'must be an object such as { "claude": 2 }' }).check(
        z.describe('Runs at once per agent ("claude", "codex", "acp:...", "cmd:..."), within `baton run --ready --parallel N`.'),
      ),
    ),
    dailyTokens: nullable(wholeNumber({ min: 1, orNull: 'for no cap' }), 'Input plus output tokens the runs started in one UTC day may report before the supervisor starts no more (running ones finish); null or absent: no cap.'),
    dailyUsd: nullable(z.number({ error: USD_DAY_ERROR }).check(z.positive({ error: USD_DAY_ERROR })), 'Dollars the runs started in one UTC day may report before the supervisor starts no more; null or absent: no cap.'),
    agents: z.optional(z.array(agentRuleSchema, { error: 'must be a list of rules such as [{ "kind": "bug", "agent": "codex" }]' }).check(z.describe('Which agent takes which tasks, by kind or label.'))),
  },
  'an object such as { "maxPerAgent": { "claude": 2 } }',
  'The supervisor (`baton run --ready`): which agent takes which tasks, how many each runs at once, what a day may cost.',
);

/** The schema of `baton.config.json`. */
export const projectConfigFileSchema = strictObject(
  {
    $schema: z.optional(z.string({ error: 'must be a string' }).check(z.describe('The JSON Schema of this file, for editors; baton ignores it.'))),
    agent: z.optional(agentSchema),
    setup: nullable(text('a command'), 'Run once in a new worktree before the first attempt (for example "npm ci"), through /bin/sh -c. Default: none.'),
    checks: z.optional(listWithUniqueIds(checkSchema, 'checks', 'checks such as [{ "id": "test", "run": "npm test" }]', 'Commands baton runs in the worktree after every attempt; all must pass.')),
    scope: z.optional(scopeSchema),
    requiredFiles: z.optional(filePaths('Files that must exist and not be empty after each attempt: paths from the repository root, not globs.')),
    forbiddenPatterns: z.optional(listWithUniqueIds(forbiddenPatternSchema, 'forbiddenPatterns', 'patterns such as [{ "id": "no-only", "pattern": "\\\\.only\\\\(" }]', 'Lines no attempt may add.')),
    budgets: z.optional(budgetsSchema),
    requireReport: z.optional(boolean(`Whether the agent must write a valid report to ${REPORT_PATH} for an attempt to pass.`, false)),
    worktreeRoot: z.optional(text('a directory path').check(z.meta({ description: 'Where task worktrees go, relative to the repository root unless absolute. Default: .baton/worktrees.', default: '.baton/worktrees' }))),
    baseline: z.optional(baselineSchema),
    evidence: z.optional(
      strictObject(
        {
          maxStreamMB: z.optional(
            wholeNumber({ min: 1, max: 1024, description: 'How many MB of each stream of an attempt (the agent\'s output, its stderr, its events) the evidence keeps; the rest is cut, with a marker.', defaultValue: DEFAULT_EVIDENCE_STREAM_LIMIT_MB }),
          ),
        },
        'an object such as { "maxStreamMB": 4 }',
        'What a run keeps as evidence.',
      ),
    ),
    baseBranch: nullable(branchName(), 'The branch task branches start from and the merge queue lands on; null or absent: the branch checked out in the main worktree.'),
    merge: z.optional(mergeSchema),
    fleet: z.optional(fleetSchema),
  },
  'a JSON object such as { "checks": [{ "id": "test", "run": "npm test" }] }',
  'The project config of baton\'s runner, committed at the repository root as baton.config.json: which agent works on a task, the checks every attempt must pass, which files it may change, and where a run stops. Every field is optional.',
);

/** `baton.config.json` as written, after validation. */
export type ProjectConfigFile = z.infer<typeof projectConfigFileSchema>;

