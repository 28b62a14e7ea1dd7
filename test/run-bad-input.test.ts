/**
 * `baton run` refuses what it cannot do before it touches anything (and `runs` and `run-log`
 * what they cannot show): each refusal exits with
 * the documented code (0 ok, 1 failed, 2 usage, 3 not found, 4 conflict), names the field or
 * thing at fault and the fix, and leaves the board byte-for-byte as it was, with no worktree,
 * branch or run evidence created.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baton, boardFingerprint, json, makeRepo, type BatonResult } from './helpers/baton.js';
import { makeRunRepo, repoSnapshot, type RunRepo } from './helpers/run-fixture.js';

interface Refusal {
  name: string;
  args: string[];
  exit: number;
  /** The error's `code` in the --json document. */
  code: string;
  /** Each must appear in the message: the field or thing at fault, the offending value, the fix. */
  says: (string | RegExp)[];
  env?: Record<string, string>;
  /** Puts the repository in the state the case is about; returns how to undo it. */
  arrange?: (repo: RunRepo) => () => void;
}

/** A PATH with git and the shell but neither agent CLI (node_modules/.bin is left out). */
const PATH_WITHOUT_AGENTS = { PATH: '/usr/bin:/bin' };
const QUICK = ['--agent', 'cmd:true'];

/** Writes baton.config.json (untracked: it does not count as an uncommitted change). */
function withConfig(text: string): (repo: RunRepo) => () => void {
  return (repo) => {
    const file = join(repo.dir, 'baton.config.json');
    writeFileSync(file, text);
    return () => rmSync(file);
  };
}

/**
 * The board these cases run against: #1 open; #2 waits on #1; #3 done; #4 failed (by a run);
 * #5 held by another agent; #6 has a verify command that is not installed.
 */
const CASES: Refusal[] = [
  { name: 'unknown agent', args: ['run', '1', '--agent', 'gpt'], exit: 2, code: 'UNKNOWN_AGENT', says: ['unknown agent `gpt`', '`claude`', '`codex`', '`cmd:<command>`'] },
  { name: 'cmd: without a command', args: ['run', '1', '--agent', 'cmd:'], exit: 2, code: 'UNKNOWN_AGENT', says: ['`cmd:` needs a command', 'cmd:./agent.sh'] },
  { name: 'claude not installed', args: ['run', '1', '--agent', 'claude'], env: PATH_WITHOUT_AGENTS, exit: 1, code: 'AGENT_NOT_INSTALLED', says: ['claude is not installed', 'npm install -g @anthropic-ai/claude-code'] },
  { name: 'claude, the default agent, not installed', args: ['run', '1'], env: PATH_WITHOUT_AGENTS, exit: 1, code: 'AGENT_NOT_INSTALLED', says: ['claude is not installed', '@anthropic-ai/claude-code'] },
  { name: 'codex not installed', args: ['run', '1', '--agent', 'codex'], env: PATH_WITHOUT_AGENTS, exit: 1, code: 'AGENT_NOT_INSTALLED', says: ['codex is not installed', 'npm install -g @openai/codex'] },
  { name: 'cmd: agent not on PATH', args: ['run', '1', '--agent', 'cmd:no-such-agent-cli --go'], exit: 1, code: 'AGENT_NOT_INSTALLED', says: ['no-such-agent-cli is not installed', 'put its directory on PATH'] },
  { name: 'task not found', args: ['run', '99', ...QUICK], exit: 3, code: 'TASK_NOT_FOUND', says: ['#99', 'baton list'] },
  // What the user named is checked before what the machine has or the config says.
  { name: 'task not found, and the agent not installed either', args: ['run', '999999'], env: PATH_WITHOUT_AGENTS, exit: 3, code: 'TASK_NOT_FOUND', says: ['#999999 does not exist', 'baton list'] },
  { name: 'task done, and the agent not installed either', args: ['run', '3', '--agent', 'codex'], env: PATH_WITHOUT_AGENTS, exit: 4, code: 'ILLEGAL_TRANSITION', says: ['#3', 'it is done', '`baton reopen 3`'] },
  { name: 'task not found, and the config invalid too', args: ['run', '99', ...QUICK], exit: 3, code: 'TASK_NOT_FOUND', says: ['#99 does not exist'], arrange: withConfig('{ "budgets": { "maxAttempts": 0 } }\n') },
  { name: 'a bad flag, and the config invalid too', args: ['run', '1', ...QUICK, '--timeout', 'soon'], exit: 2, code: 'INVALID_INPUT', says: ['--timeout', "'soon'"], arrange: withConfig('{ "budgets": { "maxAttempts": 0 } }\n') },
  { name: 'task not ready', args: ['run', '2', ...QUICK], exit: 4, code: 'DEPENDENCIES_UNMET', says: ['#2', "#1 'Open task' (open)", 'finish those first'] },
  { name: 'task claimed by someone else', args: ['run', '5', ...QUICK], exit: 4, code: 'ALREADY_CLAIMED', says: ['#5', 'held by other-agent', 'baton release 5 --force'] },
  { name: 'task done', args: ['run', '3', ...QUICK], exit: 4, code: 'ILLEGAL_TRANSITION', says: ['#3', 'it is done', '`baton reopen 3`'] },
  { name: 'task failed', args: ['run', '4', ...QUICK], exit: 4, code: 'ILLEGAL_TRANSITION', says: ['#4', 'it is failed', '`baton reopen 4`'] },
  {
    name: 'uncommitted changes on the base branch',
    args: ['run', '1', ...QUICK],
    exit: 4,
    code: 'CONFLICT',
    says: ['base branch main', 'uncommitted changes', 'README.md', 'commit or stash them first'],
    arrange: (repo) => {
      const file = join(repo.dir, 'README.md');
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, `${text}half-done edit\n`);
      return () => writeFileSync(file, text);
    },
  },
  {
    name: 'worktree path taken',
    args: ['run', '1', ...QUICK],
    exit: 4,
    code: 'CONFLICT',
    says: ['.baton/worktrees/1-open-task already exists', 'move or delete it'],
    arrange: (repo) => {
      const dir = join(repo.dir, '.baton', 'worktrees', '1-open-task');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'notes.txt'), 'mine\n');
      return () => rmSync(dir, { recursive: true });
    },
  },
  {
    name: 'check command not installed',
    args: ['run', '1', ...QUICK],
    exit: 2,
    code: 'CONFIG_INVALID',
    says: ['baton.config.json', 'checks[0].run', '`no-such-tool --x`', 'install it or fix the check'],
    arrange: withConfig('{ "checks": [{ "id": "lint", "run": "no-such-tool --x" }] }\n'),
  },
  { name: 'verify command not installed', args: ['run', '6', ...QUICK], exit: 2, code: 'INVALID_INPUT', says: ['verify[1]', '`no-such-verify --y`', 'baton edit 6 --verify'] },
  {
    name: 'config with several errors',
    args: ['run', '1', ...QUICK],
    exit: 2,
    code: 'CONFIG_INVALID',
    says: ['baton.config.json has 3 errors', 'budgets.maxAttempts: must be a whole number from 1 to 100 (got 0)', 'budgets.timeout:', '"soon"', 'agent.nam: unknown key; did you mean "name"?', 'JSON Schema'],
    arrange: withConfig('{ "agent": { "nam": "claude" }, "budgets": { "maxAttempts": 0, "timeout": "soon" } }\n'),
  },
  {
    name: 'config that is not JSON',
    args: ['run', '1', ...QUICK],
    exit: 2,
    code: 'CONFIG_INVALID',
    says: ['baton.config.json is not valid JSON (line 3, column 17)', "missing ','", 'Fix the syntax'],
    arrange: withConfig('{\n  "checks": [\n    { "id": "x" "run": "true" }\n  ]\n}\n'),
  },
  { name: 'zero attempts', args: ['run', '1', ...QUICK, '--max-attempts', '0'], exit: 2, code: 'INVALID_INPUT', says: ['--max-attempts', "'0'", 'whole number from 1 to 100'] },
  { name: 'timeout that is not a duration', args: ['run', '1', ...QUICK, '--timeout', 'soon'], exit: 2, code: 'INVALID_INPUT', says: ['--timeout', "'soon'", '30m'] },
  { name: 'negative dollar budget', args: ['run', '1', ...QUICK, '--budget-usd', '-1'], exit: 2, code: 'INVALID_INPUT', says: ['--budget-usd', "'-1'", 'above 0, e.g. 2.50'] },
  { name: 'runs of a task that does not exist', args: ['runs', '99'], exit: 3, code: 'TASK_NOT_FOUND', says: ['#99 does not exist', 'baton list'] },
  { name: 'runs with an id that is not one', args: ['runs', 'abc'], exit: 2, code: 'INVALID_INPUT', says: ["'abc' is not a task id", 'like 12'] },
  { name: 'run-log of a task that does not exist', args: ['run-log', '99'], exit: 3, code: 'TASK_NOT_FOUND', says: ['#99 does not exist', 'baton list'] },
  { name: 'run-log of a task never run', args: ['run-log', '2'], exit: 3, code: 'NOT_FOUND', says: ['#2 has no runs', '`baton run 2`'] },
  { name: 'run-log of a run that does not exist', args: ['run-log', '4', '--run', '7'], exit: 3, code: 'NOT_FOUND', says: ['#4 has no run 7', 'its runs are 1'] },
  { name: 'run-log of an attempt that does not exist', args: ['run-log', '4', '--attempt', '5'], exit: 3, code: 'NOT_FOUND', says: ['run 1 of task #4 has no attempt 5', 'it has 1'] },
  { name: 'run-log with attempt 0', args: ['run-log', '4', '--attempt', '0'], exit: 2, code: 'INVALID_INPUT', says: ['--attempt', "'0'", 'from 1 up'] },
  { name: 'lease that is not a duration', args: ['run', '1', ...QUICK, '--ttl', 'forever'], exit: 2, code: 'INVALID_INPUT', says: ['--ttl', "'forever'", '30m'] },
];

function says(text: string, expected: (string | RegExp)[]): void {
  for (const part of expected) {
    if (typeof part === 'string') expect(text).toContain(part);
    else expect(text).toMatch(part);
  }
}

describe('baton run, runs and run-log refuse bad input before touching anything', () => {
  let repo: RunRepo;
  const cli = (args: string[], env?: Record<string, string>): BatonResult => baton(args, { cwd: repo.dir, ...(env ? { env } : {}) });

  beforeAll(() => {
    repo = makeRunRepo(null, 'baton-run-bad-');
    const steps: { args: string[]; env?: Record<string, string> }[] = [
      { args: ['add', 'Open task'] },
      { args: ['add', 'Waits on one', '--depends-on', '1'] },
      { args: ['add', 'Done already'] },
      { args: ['add', 'Failed before'] },
      { args: ['add', 'Held by someone'] },
      { args: ['add', 'Verify missing', '--verify', 'no-such-verify --y'] },
      { args: ['complete', '3'] },
      { args: ['claim', '5'], env: { BATON_AGENT: 'other-agent' } },
    ];
    for (const step of steps) expect(cli(step.args, step.env).code, step.args.join(' ')).toBe(0);
    // A real run that changes nothing fails its only attempt: #4 ends failed.
    const failing = cli(['run', '4', ...QUICK, '--max-attempts', '1']);
    expect(failing.code, failing.stderr).toBe(1);
    expect(json<{ task: { status: string } }>(cli(['show', '4', '--json'])).task.status).toBe('failed');
  });
  afterAll(() => repo.cleanup());

  for (const bad of CASES) {
    it(`${bad.name}: exit ${bad.exit}`, () => {
      const undo = bad.arrange?.(repo) ?? (() => undefined);
      try {
        const before = boardFingerprint(repo.db);
        const snapshot = repoSnapshot(repo);
        const plain = cli(bad.args, bad.env);
        expect(plain.code, plain.stderr).toBe(bad.exit);
        expect(plain.stdout).toBe('');
        expect(plain.stderr).toMatch(/^baton: /);
        says(plain.stderr, bad.says);

        const doc = cli([...bad.args, '--json'], bad.env);
        expect(doc.code, doc.stderr).toBe(bad.exit);
        const error = json<{ schemaVersion: number; error: { code: string; message: string } }>(doc);
        expect(error.schemaVersion).toBe(1);
        expect(error.error.code).toBe(bad.code);
        says(error.error.message, bad.says);

        expect(boardFingerprint(repo.db)).toBe(before);
        expect(repoSnapshot(repo)).toBe(snapshot);
      } finally {
        undo();
      }
    });
  }

  it('names every config error by its path in the --json details', () => {
    const undo = withConfig('{ "agent": { "nam": "claude" }, "budgets": { "maxAttempts": 0, "timeout": "soon" } }\n')(repo);
    try {
      const doc = json<{ error: { details: { errors: { path: string }[] } } }>(cli(['run', '1', ...QUICK, '--json']));
      expect(doc.error.details.errors.map((error) => error.path).sort()).toEqual(['agent.nam', 'budgets.maxAttempts', 'budgets.timeout']);
    } finally {
      undo();
    }
  });

  it('names the failing check by its path in the --json details', () => {
    const undo = withConfig('{ "checks": [{ "id": "ok", "run": "true" }, { "id": "lint", "run": "no-such-tool --x" }] }\n')(repo);
    try {
      const doc = json<{ error: { message: string; details: { errors: { path: string }[] } } }>(cli(['run', '1', ...QUICK, '--json']));
      expect(doc.error.message).toContain('checks[1].run');
      expect(doc.error.details.errors).toMatchObject([{ path: 'checks[1].run' }]);
    } finally {
      undo();
    }
  });

  it('runs the task once nothing is in the way (the refusals above were about their input)', () => {
    const result = cli(['run', '1', '--agent', 'cmd:echo done > done.txt', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(json<{ run: { status: string }; task: { status: string } }>(result)).toMatchObject({ run: { status: 'succeeded' }, task: { status: 'review' } });
  });
});

describe('baton run in a repository without a commit', () => {
  it('says there is nothing to start from and how to make it, exit 3, and changes nothing', () => {
    const repo = makeRepo('baton-run-nocommit-');
    try {
      expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
      expect(baton(['add', 'First task'], { cwd: repo.dir }).code).toBe(0);
      const before = boardFingerprint(repo.db);
      const result = baton(['run', '1', '--agent', 'cmd:/bin/true'], { cwd: repo.dir });
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toContain('has no commit yet');
      expect(result.stderr).toContain('git commit');
      expect(result.stderr).not.toContain("'main' is not a commit");
      expect(boardFingerprint(repo.db)).toBe(before);
      expect(readdirSync(repo.dir).sort()).toEqual(['.git']);
    } finally {
      repo.cleanup();
    }
  });
});
