/**
 * The commit for review holds exactly what the checks ran on, whatever the agent did to git's
 * index: an agent (a shell script through `cmd:`) weakens an existing test and hides the edit
 * from `git add` with `--skip-worktree` (or `--assume-unchanged`). The checks run the weakened
 * test, while a plain `git add` would commit the original; baton stages into an index of its
 * own, so it sees the edit, and the test contract reverts it. Real binary, real git.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baton, git, json } from './helpers/baton.js';
import { agentScript, cleanupsAfterEach, makeRunRepo, runRecords, type RunRepo } from './helpers/run-fixture.js';

const defer = cleanupsAfterEach();

function projectWithFailingTest(): RunRepo {
  const repo = makeRunRepo(null, 'baton-run-index-');
  defer(repo.cleanup);
  writeFileSync(join(repo.dir, 'value.txt'), 'wrong\n');
  mkdirSync(join(repo.dir, 'test'));
  writeFileSync(join(repo.dir, 'test', 'value.test.js'), VALUE_TEST);
  writeFileSync(join(repo.dir, 'baton.config.json'), `${JSON.stringify({ checks: [{ id: 'value', run: 'node --test test/' }] })}\n`);
  git(repo.dir, ['add', '-A']);
  git(repo.dir, ['commit', '-qm', 'a test that fails']);
  expect(baton(['add', 'Make the value right'], { cwd: repo.dir }).code).toBe(0);
  return repo;
}

const VALUE_TEST = "const { it } = require('node:test');\nconst assert = require('node:assert');\nit('holds the right value', () => assert.strictEqual(require('node:fs').readFileSync('value.txt', 'utf8').trim(), 'right'));\n";

describe('an agent that hides an edit from git add', () => {
  for (const flag of ['--skip-worktree', '--assume-unchanged']) {
    it(`weakens the existing test and hides it with ${flag}: reverted as a test edit, never in review`, { timeout: 60_000 }, () => {
      const repo = projectWithFailingTest();
      const weakened = "const { it } = require('node:test');\\nit('holds the right value', () => {});\\n";
      const hide = `printf "${weakened}" > test/value.test.js && git update-index ${flag} test/value.test.js && echo more >> value.txt`;

      const result = baton(['run', '1', '--agent', agentScript(repo, 'hider', hide), '--max-attempts', '1', '--json'], { cwd: repo.dir });

      expect(result.code, result.stderr).not.toBe(0);
      const [record] = runRecords(repo, 1);
      expect(record?.attempts.map((attempt) => attempt.verdict)).toEqual(['diverged']);
      expect(record?.attempts[0]?.failures.map((failure) => failure.checkId)).toContain('scope:test-edited');
      expect(json<{ task: { status: string } }>(baton(['show', '1', '--json'], { cwd: repo.dir })).task.status).not.toBe('review');
    });
  }
});

describe('an agent that makes a git repository inside the worktree', () => {
  it('is reverted: the checks would run its files, the commit would hold only a link', { timeout: 60_000 }, () => {
    const repo = projectWithFailingTest();
    const nest = 'mkdir lib && cd lib && git init -q && echo right > value.txt && cd .. && cp lib/value.txt value.txt';

    const result = baton(['run', '1', '--agent', agentScript(repo, 'nester', nest), '--max-attempts', '1', '--json'], { cwd: repo.dir });

    expect(result.code, result.stderr).not.toBe(0);
    const [record] = runRecords(repo, 1);
    expect(record?.attempts.map((attempt) => attempt.verdict)).toEqual(['diverged']);
    const failure = record?.attempts[0]?.failures.find((found) => found.checkId === 'scope:nested-repository');
    expect(failure?.summary).toContain('lib');
  });
});
