/**
 * The runner against an adversarial agent, end to end, part 1: what the agent may do to git and
 * to the repository around its worktree. The real `baton run` binary drives the real Claude Code
 * and Codex CLIs (Codex with its own sandbox off, so that only baton's defences are tested)
 * against the scripted model server, once with containment where this system allows it and,
 * where it matters, once with `BATON_CONTAINMENT=off`. Each scenario asserts the task's status,
 * the task branch, what is left in the process table, and that the failure reached the model.
 * Part 2 (run-integrity-runs.test.ts): output floods, time budgets, concurrent runs, a person's
 * decisions, a re-created board.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { detectContainment } from '../src/adapters/process/containment.js';
import { runShell, type ConversationView } from '../src/adapters/scripted-model/script.js';
import { baton, BATON_BIN, git, json } from './helpers/baton.js';
import {
  AGENTS,
  attemptOpenings,
  attempts,
  BRANCH,
  expectNothingLeft,
  explain,
  fresh,
  HALLO_FAILURE,
  isRetry,
  processesRunning,
  setUpScenario,
  TASK_TITLE,
  toolOutputs,
  watchAgentGroups,
  write,
  type Scenario,
} from './helpers/agent-scenario.js';
import { takingTurns } from './helpers/agent-turns.js';

/** Each adversarial scenario runs with one agent CLI, the two taking turns (see agent-turns.ts). */
const eitherAgent = takingTurns(AGENTS);

const TIMEOUT_MS = 60_000;
const CONTAINED = (await detectContainment()).kind === 'namespaces';
const NO_CONTAINMENT = { BATON_CONTAINMENT: 'off' };
/** What a read-only bind mount answers a write with. */
const READ_ONLY = 'Read-only file system';

const cleanups: (() => Promise<void> | void)[] = [];
const defer = (cleanup: () => Promise<void> | void): void => void cleanups.push(cleanup);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The subjects of the commits a ref holds that main does not. */
function subjects(scenario: Scenario, ref: string): string[] {
  return git(scenario.dir, ['log', '--format=%s', `main..${ref}`]).trim().split('\n').filter(Boolean);
}

/** Baton's commit for review at the tip of the task branch: its subject, its trailer, what it changes. */
function expectBatonsCommit(scenario: Scenario): void {
  expect(git(scenario.dir, ['log', '-1', '--format=%s', BRANCH]).trim()).toBe(`${TASK_TITLE} (#1)`);
  expect(git(scenario.dir, ['log', '-1', '--format=%(trailers:key=Baton-Task,valueonly)', BRANCH]).trim()).toBe('1');
  expect(git(scenario.dir, ['rev-parse', BRANCH]).trim()).toBe(scenario.record().commit);
  expect(git(scenario.dir, ['show', `${BRANCH}:greeting.txt`])).toBe('hello\n');
  expect(git(scenario.dir, ['diff', '--name-only', `main...${BRANCH}`]).trim()).toBe('greeting.txt');
  expect(git(scenario.worktree, ['symbolic-ref', 'HEAD']).trim()).toBe(`refs/heads/${BRANCH}`);
}

const opening = (includes: string) => (view: ConversationView): boolean => fresh(view) && view.prompt.includes(includes);

describe('an adversarial agent and git', () => {
  eitherAgent("commits of its own, a reset past a checkpoint and a switch to another branch end in baton's own commit on the task branch; nothing committed is lost", { timeout: TIMEOUT_MS }, async (agent) => {
    const scenario = await setUpScenario(
      agent,
      attempts(
        { ...runShell(`${write('hallo')} && git commit -qam 'my own commit'`), when: (view) => fresh(view) && !isRetry(view) },
        { ...runShell(`git reset -q --hard HEAD~1 && ${write('hello')} && git switch -q -c other && git commit -qam 'wip on other'`), when: opening(HALLO_FAILURE) },
        { ...runShell(write('hello')), when: opening('refs/heads/other') },
      ),
      { defer, codexSandbox: false },
    );
    const { pgids } = watchAgentGroups(scenario, defer);

    const result = await scenario.run('--max-attempts', '3');

    expect(result.code, explain(result)).toBe(0);
    expect(scenario.taskStatus()).toBe('review');
    const record = scenario.record();
    expect(record.attempts.map((attempt) => attempt.verdict)).toEqual(['checks_failed', 'diverged', 'passed']);
    // Attempt 1's own commit was taken back off the branch and judged as uncommitted work.
    expect(record.attempts[0]?.failures.map((failure) => failure.checkId)).toEqual(['command:greeting']);
    // Attempt 2 made a branch: git internals, put back, the attempt reverted.
    expect(record.attempts[1]?.failures.map((failure) => failure.checkId)).toContain('scope:git-internals');
    expect(record.attempts[1]?.failures.find((failure) => failure.checkId === 'scope:git-internals')?.summary).toMatch(/refs\/heads\/other was created/);
    // The failures reached the model, each in the next attempt's prompt.
    const openings = attemptOpenings(scenario.server);
    expect(openings).toHaveLength(3);
    expect(openings[1]?.prompt).toContain(HALLO_FAILURE);
    expect(openings[2]?.prompt).toContain('refs/heads/other was created');

    // The commit for review is baton's, on the task branch, on top of attempt 1's checkpoint (the reset did not lose it).
    expectBatonsCommit(scenario);
    expect(subjects(scenario, BRANCH)).toEqual([`${TASK_TITLE} (#1)`, expect.stringMatching(/^Checkpoint: Greet the world \(#1, attempt 1, 1 check failed\)$/)]);
    expect(git(scenario.dir, ['rev-parse', `${BRANCH}~1`]).trim()).toBe(record.attempts[0]?.checkpoint);
    // Nothing the agent committed elsewhere is on the branch, and nothing of it is lost.
    expect(git(scenario.dir, ['branch', '--list', 'other']).trim()).toBe('');
    const kept = git(scenario.dir, ['log', '--format=%s', '--glob=refs/baton/*']).split('\n');
    expect(kept).toEqual(expect.arrayContaining(['my own commit', 'wip on other']));
    const keptRefs = git(scenario.dir, ['for-each-ref', '--format=%(refname)', 'refs/baton/']).split('\n');
    expect(keptRefs).toEqual(expect.arrayContaining([expect.stringMatching(/\/1\/1\/attempt-1\/agent-head$/), expect.stringMatching(/\/1\/1\/attempt-2\/guard\/refs\/heads\/other$/)]));
    await expectNothingLeft(scenario.worktree, pgids);
  });

  eitherAgent("without containment: baton's kept refs that the agent deletes are put back, and the attempt diverges saying so", { timeout: TIMEOUT_MS }, async (agent) => {
    const erase = "git for-each-ref --format='delete %(refname)' refs/baton | git update-ref --stdin";
    const scenario = await setUpScenario(
      agent,
      attempts(
        { ...runShell(`${write('hallo')} && git commit -qam 'my own commit'`), when: (view) => fresh(view) && !isRetry(view) },
        { ...runShell(`${erase}; ${write('hello')}`), when: opening(HALLO_FAILURE) },
        { ...runShell(write('hello')), when: opening('agent-head was deleted') },
      ),
      { defer, env: NO_CONTAINMENT, codexSandbox: false },
    );
    const { pgids } = watchAgentGroups(scenario, defer);

    const result = await scenario.run('--max-attempts', '3');

    expect(result.code, explain(result)).toBe(0);
    const record = scenario.record();
    expect(record.attempts.map((attempt) => attempt.verdict)).toEqual(['checks_failed', 'diverged', 'passed']);
    expect(record.attempts[1]?.failures.find((failure) => failure.checkId === 'scope:git-internals')?.summary).toMatch(/refs\/baton\/runs\/\w+\/1\/1\/attempt-1\/agent-head was deleted \(it was at \w+\); put back/);
    expect(attemptOpenings(scenario.server)[2]?.prompt).toContain('agent-head was deleted');
    // Attempt 1's own commit is still kept, and so is what attempt 2 was reverted from.
    const kept = git(scenario.dir, ['log', '--format=%s', '--glob=refs/baton/*']).split('\n');
    expect(kept).toContain('my own commit');
    expect(git(scenario.dir, ['for-each-ref', '--format=%(refname)', 'refs/baton/']).split('\n')).toEqual(expect.arrayContaining([expect.stringMatching(/\/1\/1\/attempt-1\/agent-head$/), expect.stringMatching(/\/1\/1\/attempt-2\/reverted$/)]));
    expect(scenario.taskStatus()).toBe('review');
    expectBatonsCommit(scenario);
    await expectNothingLeft(scenario.worktree, pgids);
  });

  eitherAgent.skipIf(!CONTAINED)('a hook, core.hooksPath, clean filters and an fsmonitor planted in the repository and the global config never run for baton; all are gone afterwards', { timeout: TIMEOUT_MS }, async (agent) => {
    await plantHooks(agent, {});
  });

  eitherAgent('without containment: the planted hook, hooksPath, filters and fsmonitor are put back, the attempt diverges saying why, none runs for baton', { timeout: TIMEOUT_MS }, async (agent) => {
    await plantHooks(agent, NO_CONTAINMENT);
  });
});

/**
 * Attempt 1 plants a post-commit hook in the repository's hooks folder, points core.hooksPath
 * at a folder of hooks, adds a clean filter for every file in the repository's config and in
 * the global one (in HOME: contained, the agent's own layer of it; uncontained, the home it
 * shares with baton) and an fsmonitor there too. Each notes who ran it: the agent, whose environment names its task,
 * or baton. Attempt 2 does the work.
 */
async function plantHooks(agent: (typeof AGENTS)[number], env: Record<string, string>): Promise<void> {
  const contained = env.BATON_CONTAINMENT !== 'off';
  const scenario = await setUpScenario(
    agent,
    ({ tools }) => {
      const note = `#!/bin/sh\nif [ -n "$BATON_RUN_TASK" ]; then echo "agent $0"; else echo "baton $0"; fi >> ${tools}/ran\n`;
      mkdirSync(join(tools, 'hooks'));
      for (const hook of ['pre-commit', 'post-commit', 'commit-msg', 'reference-transaction', 'post-checkout', 'fsmonitor', 'clean']) {
        const path = hook === 'fsmonitor' || hook === 'clean' ? join(tools, hook) : join(tools, 'hooks', hook);
        writeFileSync(path, `${note}${hook === 'clean' ? 'exec cat\n' : ''}`);
        chmodSync(path, 0o755);
      }
      const plant = [
        `hooks="$(git rev-parse --path-format=absolute --git-common-dir)/hooks"`,
        `cp ${tools}/hooks/post-commit "$hooks/post-commit"`,
        `git config core.hooksPath ${tools}/hooks`,
        `git config filter.x.clean ${tools}/clean`,
        `git config --global filter.x.clean ${tools}/clean`,
        `git config --global core.fsmonitor ${tools}/fsmonitor`,
        `printf '* filter=x\\n' > .gitattributes`,
        write('hello'),
        // The agent's own git runs what it planted: proof the plants were live.
        'git diff --stat > /dev/null',
      ].join('; ');
      return attempts({ ...runShell(plant), when: (view) => fresh(view) && !isRetry(view) }, { ...runShell(write('hello')), when: (view) => fresh(view) && isRetry(view) });
    },
    { defer, env, codexSandbox: false },
  );
  const hooksBefore = readdirSync(join(scenario.dir, '.git', 'hooks')).sort();
  const configBefore = readFileSync(join(scenario.dir, '.git', 'config'), 'utf8');
  const globalConfig = join(scenario.env.HOME as string, '.gitconfig');
  expect(existsSync(globalConfig)).toBe(false);
  const { pgids } = watchAgentGroups(scenario, defer);

  const result = await scenario.run('--max-attempts', '3');

  expect(result.code, explain(result)).toBe(0);
  expect(result.stderr).toContain(contained ? 'containment: namespaces' : 'containment: none (turned off by BATON_CONTAINMENT=off)');
  expect(scenario.taskStatus()).toBe('review');
  const record = scenario.record();
  expect(record.attempts.map((attempt) => attempt.verdict)).toEqual(['diverged', 'passed']);
  const failures = record.attempts[0]?.failures ?? [];
  const internals = failures.find((failure) => failure.checkId === 'scope:git-internals')?.detail ?? '';
  if (contained) {
    // The global config went to the agent's own home layer: the real one never saw it, nothing to put back.
    expect(internals).not.toContain(globalConfig);
    // Nothing could be planted in the repository: its hooks folder and config are read-only, and the agent was told so.
    expect(toolOutputs(scenario.server)).toContain(READ_ONLY);
    expect(toolOutputs(scenario.server)).toContain('could not lock config file');
    expect(internals).not.toContain('.git/hooks');
  } else {
    // The global config is in the home baton shares with the agent when nothing contains it: put back.
    expect(internals).toContain(`${globalConfig} was added; put back`);
    expect(internals).toMatch(/\.git\/hooks\/post-commit was added; put back/);
    expect(internals).toMatch(/\.git\/config was changed; put back/);
    expect(attemptOpenings(scenario.server)[1]?.prompt).toContain("changed git's own configuration, hooks or branches");
  }
  expect(failures.find((failure) => failure.checkId === 'scope:outside')?.summary).toContain('.gitattributes');
  // All gone, byte for byte, and none of it ever ran for baton (its checkpoints, quarantine refs, checks and commit).
  expect(readdirSync(join(scenario.dir, '.git', 'hooks')).sort()).toEqual(hooksBefore);
  expect(readFileSync(join(scenario.dir, '.git', 'config'), 'utf8')).toBe(configBefore);
  expect(existsSync(globalConfig)).toBe(false);
  const ran = existsSync(join(scenario.tools, 'ran')) ? readFileSync(join(scenario.tools, 'ran'), 'utf8') : '';
  expect(ran).toMatch(/^agent .*\/(clean|fsmonitor)$/m);
  expect(ran).not.toMatch(/^baton /m);
  expectBatonsCommit(scenario);
  expect(git(scenario.dir, ['ls-tree', '--name-only', BRANCH]).split('\n')).not.toContain('.gitattributes');
  await expectNothingLeft(scenario.worktree, pgids);
}

describe('an adversarial agent and the checkouts around it', () => {
  eitherAgent.skipIf(!CONTAINED)('cannot write into the main checkout or another task\'s worktree: the writes fail, the checkouts stay as they were', { timeout: TIMEOUT_MS }, async (agent) => {
    const { scenario, other, pgids } = await writeOutside(agent, {});

    const result = await scenario.run('--max-attempts', '2');

    expect(result.code, explain(result)).toBe(0);
    expect(scenario.taskStatus()).toBe('review');
    expect(scenario.record().attempts.map((attempt) => attempt.verdict)).toEqual(['passed']);
    // The model saw both writes refused.
    expect(toolOutputs(scenario.server).split(READ_ONLY).length - 1).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(scenario.dir, 'README.md'), 'utf8')).toBe('# Greetings\n');
    expect(readFileSync(join(other, 'README.md'), 'utf8')).toBe('# Greetings\n');
    expect(git(scenario.dir, ['status', '--porcelain']).trim()).toBe('');
    expect(git(other, ['status', '--porcelain']).trim()).toBe('');
    expectBatonsCommit(scenario);
    await expectNothingLeft(scenario.worktree, pgids);
  });

  eitherAgent('without containment: the writes are found, the attempt fails naming both paths, and the next run says why it is refused', { timeout: TIMEOUT_MS }, async (agent) => {
    const { scenario, other, pgids } = await writeOutside(agent, NO_CONTAINMENT);
    const written = [join(scenario.dir, 'README.md'), join(other, 'README.md')];

    const result = await scenario.run('--max-attempts', '2');

    expect(result.code, explain(result)).toBe(0);
    expect(result.stderr).toContain('containment: none (turned off by BATON_CONTAINMENT=off)');
    const record = scenario.record();
    expect(record.attempts.map((attempt) => attempt.verdict)).toEqual(['diverged', 'passed']);
    const outside = record.attempts[0]?.failures.find((failure) => failure.checkId === 'scope:outside-worktree');
    for (const path of written) expect(outside?.summary).toContain(path);
    // The model was told which writes, in the next attempt's prompt.
    const retry = attemptOpenings(scenario.server)[1]?.prompt ?? '';
    for (const path of written) expect(retry).toContain(path);
    // Baton does not undo what it did not write: the person is told, and looks.
    expect(readFileSync(written[0] as string, 'utf8')).toBe('pwned\n');
    expect(scenario.taskStatus()).toBe('review');
    expectBatonsCommit(scenario);
    await expectNothingLeft(scenario.worktree, pgids);

    // The next run is refused because the main checkout has changes, and says which.
    const next = baton(['run', '3', '--agent', `cmd:${write('hello')}`, '--json'], { cwd: scenario.dir, env: scenario.env });
    expect(next.code, explain(next)).toBe(4);
    const error = json<{ error: { code: string; message: string } }>(next).error;
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('uncommitted changes');
    expect(error.message).toContain('README.md');
  });
});

/**
 * Task #2 run to review by a `cmd:` agent, so that its worktree exists; then task #1's script:
 * attempt 1 writes into the main checkout and task #2's worktree by absolute path, and does the
 * work; a retry does only the work.
 */
async function writeOutside(agent: (typeof AGENTS)[number], env: Record<string, string>): Promise<{ scenario: Scenario; other: string; pgids: Set<number> }> {
  const scenario = await setUpScenario(
    agent,
    ({ dir }) => {
      const other = join(dir, '.baton', 'worktrees', '2-other-task');
      const vandal = `printf 'pwned\\n' > ${dir}/README.md; printf 'pwned\\n' > ${other}/README.md; ${write('hello')}`;
      return attempts({ ...runShell(vandal), when: (view) => fresh(view) && !isRetry(view) }, { ...runShell(write('hello')), when: (view) => fresh(view) && isRetry(view) });
    },
    { defer, env, codexSandbox: false, moreTasks: [['Other task', '--resource', 'modifies:file:greeting.txt'], ['Third task', '--resource', 'modifies:file:greeting.txt']] },
  );
  const other = join(scenario.dir, '.baton', 'worktrees', '2-other-task');
  const second = baton(['run', '2', '--agent', `cmd:${write('hello')}`, '--json'], { cwd: scenario.dir, env: scenario.env });
  expect(second.code, explain(second)).toBe(0);
  expect(existsSync(join(other, 'README.md'))).toBe(true);
  return { scenario, other, pgids: watchAgentGroups(scenario, defer).pgids };
}

describe('an adversarial agent and the processes it leaves', () => {
  eitherAgent.skipIf(!CONTAINED)('a leftover with a cleared environment in a session of its own dies with the attempt', { timeout: TIMEOUT_MS }, async (agent) => {
    const seconds = String(1000 + Math.floor(Math.random() * 8000));
    const scenario = await setUpScenario(
      agent,
      ({ tools }) => attempts({ ...runShell(`setsid env -i /bin/sh -c 'echo started > ${tools}/leftover; exec sleep ${seconds}' > /dev/null 2>&1 < /dev/null & sleep 1; ${write('hello')}`), when: fresh }),
      { defer, codexSandbox: false },
    );
    defer(() => processesRunning(['sleep', seconds]).forEach((pid) => process.kill(pid, 'SIGKILL')));
    const { pgids } = watchAgentGroups(scenario, defer);

    const result = await scenario.run('--max-attempts', '1');

    expect(result.code, explain(result)).toBe(0);
    expect(scenario.taskStatus()).toBe('review');
    expect(readFileSync(join(scenario.tools, 'leftover'), 'utf8')).toBe('started\n');
    expect(processesRunning(['sleep', seconds])).toEqual([]);
    expectBatonsCommit(scenario);
    await expectNothingLeft(scenario.worktree, pgids);
  });

  eitherAgent('without containment: a leftover in a session of its own that keeps its environment is killed once the attempt is over', { timeout: TIMEOUT_MS }, async (agent) => {
    const seconds = String(1000 + Math.floor(Math.random() * 8000));
    const scenario = await setUpScenario(
      agent,
      ({ tools }) => attempts({ ...runShell(`setsid /bin/sh -c 'echo started > ${tools}/leftover; exec sleep ${seconds}' > /dev/null 2>&1 < /dev/null & sleep 1; ${write('hello')}`), when: fresh }),
      { defer, env: NO_CONTAINMENT, codexSandbox: false },
    );
    defer(() => processesRunning(['sleep', seconds]).forEach((pid) => process.kill(pid, 'SIGKILL')));
    const { pgids } = watchAgentGroups(scenario, defer);

    const result = await scenario.run('--max-attempts', '1');

    expect(result.code, explain(result)).toBe(0);
    expect(readFileSync(join(scenario.tools, 'leftover'), 'utf8')).toBe('started\n');
    expect(processesRunning(['sleep', seconds])).toEqual([]);
    expectBatonsCommit(scenario);
    await expectNothingLeft(scenario.worktree, pgids);
  });
});

/** Runs SQL on the board from inside the agent, with the board's own SQLite library. */
const TAMPER_SCRIPT = `const Database = require(${JSON.stringify(resolve(import.meta.dirname, '../node_modules/better-sqlite3'))});
const db = new Database(process.argv[2]);
db.pragma('foreign_keys = OFF');
db.exec(process.argv[3]);
console.log('tampered: ' + process.argv[3]);
`;

const TAMPERING = [
  { what: 'deletes its task row', sql: 'DELETE FROM tasks WHERE id = 1', reason: 'task #1 was deleted from the board' },
  { what: 'drops a table', sql: 'DROP TABLE reservations', reason: "the board's tables were changed" },
  { what: 'rewrites an event of its task', sql: "UPDATE events SET payload = '{}' WHERE id = (SELECT min(id) FROM events WHERE task_id = 1)", reason: 'the history of task #1 on the board was rewritten' },
] as const;

/** Attempt 1 tries `baton complete 1`, then runs `sql` on the board, then does the work. */
async function tamperingScenario(agent: (typeof AGENTS)[number], sql: string, env: Record<string, string>): Promise<Scenario> {
  return setUpScenario(
    agent,
    ({ dir, tools }) => {
      writeFileSync(join(tools, 'tamper.cjs'), TAMPER_SCRIPT);
      const board = join(dir, '.git', 'baton', 'baton.db');
      const command = `${process.execPath} ${BATON_BIN} complete 1 -m done; ${process.execPath} ${tools}/tamper.cjs ${board} "${sql}"; ${write('hello')}`;
      return attempts({ ...runShell(command), when: fresh });
    },
    { defer, env, codexSandbox: false },
  );
}

describe('an adversarial agent and the board', () => {
  eitherAgent.skipIf(!CONTAINED)('cannot complete its task, delete its row, drop a table or rewrite its history: the board is read-only and the run concludes', { timeout: TIMEOUT_MS }, async (agent) => {
    const sql = TAMPERING.map((tampering) => tampering.sql).join('; ');
    const scenario = await tamperingScenario(agent, sql, {});
    const { pgids } = watchAgentGroups(scenario, defer);

    const result = await scenario.run('--max-attempts', '2');

    expect(result.code, explain(result)).toBe(0);
    const said = toolOutputs(scenario.server);
    expect(said).toContain('`baton complete` is not for an agent inside `baton run` (task #1)');
    expect(said).toMatch(/readonly database|unable to open database|Read-only file system/i);
    expect(said).not.toContain('tampered:');
    expect(scenario.taskStatus()).toBe('review');
    expect(scenario.record().status).toBe('succeeded');
    expect(scenario.events().map((event) => event.type)).toEqual(expect.arrayContaining(['run_started', 'checks_passed', 'run_succeeded']));
    expectBatonsCommit(scenario);
    await expectNothingLeft(scenario.worktree, pgids);
  });

  for (const tampering of TAMPERING) {
    eitherAgent(`without containment: an agent that ${tampering.what} stops the run as needs_human without concluding, and without a stack trace`, { timeout: TIMEOUT_MS }, async (agent) => {
      const scenario = await tamperingScenario(agent, tampering.sql, NO_CONTAINMENT);
      const { pgids } = watchAgentGroups(scenario, defer);

      const result = await scenario.run('--max-attempts', '2');

      expect(result.code, explain(result)).toBe(1);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      const said = toolOutputs(scenario.server);
      expect(said).toContain('`baton complete` is not for an agent inside `baton run` (task #1)');
      expect(said).toContain('tampered:');
      const record = scenario.record();
      expect(record.status).toBe('needs_human');
      expect(record.reason).toContain(tampering.reason);
      expect(record.reason).toContain('baton will not conclude on it');
      expect(record.attempts).toHaveLength(1);
      expect(json<{ task: unknown }>(result).task).toBeNull();
      // Nothing concluded: no commit for review, no verdict on the board.
      expect(record.commit).toBeNull();
      expect(git(scenario.dir, ['rev-parse', BRANCH]).trim()).toBe(git(scenario.dir, ['rev-parse', 'main']).trim());
      if (tampering.sql.startsWith('UPDATE')) {
        expect(scenario.taskStatus()).toBe('in_progress');
        expect(scenario.events().map((event) => event.type)).not.toEqual(expect.arrayContaining(['checks_passed']));
        expect(scenario.events().map((event) => event.type).filter((type) => /^run_(succeeded|failed)$/.test(type))).toEqual([]);
      }
      await expectNothingLeft(scenario.worktree, pgids);
    });
  }
});
