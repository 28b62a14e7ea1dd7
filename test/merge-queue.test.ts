/**
 * The merge queue (`baton merge`, `queue`, `review`, `approve`, `reject`) on real git
 * repositories, with `cmd:` agents: each task's agent is a shell script the test writes, run by
 * a real `baton run` (worktree, branch, checks, evidence) before the queue lands its work.
 */
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baton, batonAsync, boardFingerprint, git, json, makeRepo, ndjson, spawnBaton } from './helpers/baton.js';
import { sharedTempDir } from './helpers/sandbox-share.js';

const TIMEOUT_MS = 120_000;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface Project {
  dir: string;
  db: string;
  /** Adds a task whose agent runs `script` (sh) in its worktree; returns its id. */
  task: (title: string, script: string, ...flags: string[]) => number;
  /** Sets the agent script of a task already on the board. */
  agent: (id: number, script: string) => void;
  run: (id: number) => { code: number; stdout: string; stderr: string };
  status: (id: number) => string;
  mainLog: () => string[];
}

/**
 * A repository with `notes.txt` (three lines), a config whose check is `check`, and agents
 * that run the script written for their task (kept outside the repository).
 */
function project(config: Record<string, unknown> = {}, check = 'true'): Project {
  const repo = makeRepo('baton-merge-');
  const scripts = sharedTempDir('baton-merge-agents-');
  cleanups.push(repo.cleanup, () => rmSync(scripts, { recursive: true, force: true }));
  writeFileSync(join(repo.dir, 'notes.txt'), 'one\ntwo\nthree\n');
  writeFileSync(join(repo.dir, 'baton.config.json'), `${JSON.stringify({ checks: [{ id: 'check', run: check }], agent: { name: `cmd:sh ${scripts}/agent.sh` }, ...config })}\n`);
  writeFileSync(join(scripts, 'agent.sh'), `#!/bin/sh\nexec sh "${scripts}/task-$BATON_RUN_TASK.sh"\n`);
  git(repo.dir, ['add', '-A']);
  git(repo.dir, ['commit', '-qm', 'initial']);
  expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
  const agent = (id: number, script: string): void => {
    writeFileSync(join(scripts, `task-${id}.sh`), `${script}\n`);
    chmodSync(join(scripts, `task-${id}.sh`), 0o755);
  };
  return {
    dir: repo.dir,
    db: repo.db,
    task: (title, script, ...flags) => {
      const id = json<{ task: { id: number } }>(baton(['add', title, '--json', ...flags], { cwd: repo.dir })).task.id;
      agent(id, script);
      return id;
    },
    agent,
    run: (id) => baton(['run', String(id), '--max-attempts', '2'], { cwd: repo.dir }),
    status: (id) => json<{ task: { status: string } }>(baton(['show', String(id), '--json'], { cwd: repo.dir })).task.status,
    mainLog: () => git(repo.dir, ['log', '--format=%s', 'main']).trim().split('\n'),
  };
}

interface Landing {
  kind: 'landed' | 'returned' | 'paused';
  taskId: number;
  commit?: string;
  status?: string;
  reason?: string;
  conflicts?: string[];
  removed?: string[];
  kept?: string[];
}

function merge(p: Project, ...args: string[]): { code: number; landings: Landing[]; checkRuns: number; stdout: string; stderr: string } {
  const result = baton(['merge', ...args, '--json'], { cwd: p.dir });
  const doc = json<{ landings?: Landing[]; checkRuns?: number }>(result);
  return { code: result.code, landings: doc.landings ?? [], checkRuns: doc.checkRuns ?? 0, stdout: result.stdout, stderr: result.stderr };
}

/** What the repository's refs point at: unchanged when a refused command changed nothing. */
function refs(dir: string): string {
  return git(dir, ['for-each-ref', '--format=%(refname) %(objectname)']);
}

describe('baton merge: the queue lands verified work on the base branch', () => {
  it('squash: one commit per task with the Baton-Task trailer; the checked-out base follows; the task is done and its worktree and branch are gone', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    const id = p.task('Add greeting', 'echo hello > greeting.txt', '-r', 'adds:file:greeting.txt');
    expect(p.run(id).code).toBe(0);
    expect(p.status(id)).toBe('review');
    const verified = git(p.dir, ['rev-parse', `baton/${id}-add-greeting`]).trim();

    const result = merge(p, String(id));
    expect(result.code, result.stderr).toBe(0);
    expect(result.landings).toMatchObject([{ kind: 'landed', taskId: id }]);
    expect(result.checkRuns).toBe(1);
    expect(p.mainLog()).toEqual([`Add greeting (#${id})`, 'initial']);
    const message = git(p.dir, ['log', '-1', '--format=%B', 'main']);
    expect(message).toContain(`Baton-Task: ${id}`);
    expect(message).toContain(`Baton-Verified: ${verified}`);
    // One parent: squashed, not merged.
    expect(git(p.dir, ['rev-list', '--parents', '-1', 'main']).trim().split(' ')).toHaveLength(2);
    // The main worktree has main checked out: its files and index followed, nothing left over.
    expect(readFileSync(join(p.dir, 'greeting.txt'), 'utf8')).toBe('hello\n');
    expect(git(p.dir, ['status', '--porcelain'])).toBe('');
    expect(p.status(id)).toBe('done');
    expect(git(p.dir, ['branch', '--list', 'baton/*']).trim()).toBe('');
    expect(existsSync(join(p.dir, '.baton', 'worktrees', `${id}-add-greeting`))).toBe(false);
    expect(json<{ entries: unknown[] }>(baton(['queue', '--json'], { cwd: p.dir })).entries).toEqual([]);
    // The checks' output is kept beside the task's runs.
    expect(readFileSync(join(p.dir, '.git', 'baton', 'runs', String(id), 'merges', '1', 'verdict.json'), 'utf8')).toContain('"failures": []');
  });

  it('rebase replays the task\'s commits on the tip; merge makes a merge commit with the task branch as second parent', { timeout: TIMEOUT_MS }, () => {
    for (const strategy of ['rebase', 'merge'] as const) {
      const p = project({ merge: { strategy } });
      const id = p.task('Add file', 'echo x > x.txt', '-r', 'adds:file:x.txt');
      expect(p.run(id).code).toBe(0);
      const taskCommit = git(p.dir, ['log', '-1', '--format=%s', `baton/${id}-add-file`]).trim();
      // The base moves on before the landing, so rebase has something to replay onto.
      writeFileSync(join(p.dir, 'other.txt'), 'other\n');
      git(p.dir, ['add', 'other.txt']);
      git(p.dir, ['commit', '-qm', 'other work']);

      expect(merge(p, String(id)).code).toBe(0);
      const parents = git(p.dir, ['rev-list', '--parents', '-1', 'main']).trim().split(' ');
      if (strategy === 'rebase') {
        expect(p.mainLog()).toEqual([taskCommit, 'other work', 'initial']);
        expect(parents).toHaveLength(2);
      } else {
        expect(p.mainLog()[0]).toBe(`Merge task #${id}: Add file`);
        expect(parents).toHaveLength(3);
      }
      expect(readFileSync(join(p.dir, 'x.txt'), 'utf8')).toBe('x\n');
      expect(p.status(id)).toBe('done');
    }
  });

  it('a conflict sends the task back with the paths; its next run merges the base in, a lazy agent leaving markers fails, a fixing one lands', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    const first = p.task('Shout two', "sed -i 's/^two$/TWO/' notes.txt", '-r', 'modifies:file:notes.txt');
    const second = p.task('Number two', "sed -i 's/^two$/2/' notes.txt", '-r', 'modifies:file:notes.txt');
    expect(p.run(first).code).toBe(0);
    expect(p.run(second).code).toBe(0);

    const result = merge(p, String(first), String(second));
    expect(result.code).toBe(1);
    expect(result.landings).toMatchObject([
      { kind: 'landed', taskId: first },
      { kind: 'returned', taskId: second, status: 'open', conflicts: ['notes.txt'] },
    ]);
    expect(p.status(second)).toBe('open');
    const mainBefore = git(p.dir, ['rev-parse', 'main']).trim();
    // The agent that held the task reads why in its inbox: a finding with the paths.
    type InboxFinding = { kind: string; taskId: number; subject: string; paths: string[]; recipient: string; status: string; message: string };
    const inbox = (...flags: string[]) => json<{ findings: InboxFinding[] }>(baton(['inbox', '--json', ...flags], { cwd: p.dir })).findings.filter((finding) => finding.kind === 'merge_returned');
    expect(inbox()).toMatchObject([{ taskId: second, subject: 'merge:conflict', paths: ['notes.txt'], recipient: 'tester', status: 'open' }]);
    expect(inbox()[0]?.message).toContain("#2 'Number two' came back from review (notes.txt): ");

    // An agent that changes nothing leaves the markers baton merged in: the run cannot pass.
    p.agent(second, 'true');
    const lazy = p.run(second);
    expect(lazy.code).toBe(1);
    const prompt = readFileSync(join(p.dir, '.git', 'baton', 'runs', String(second), '2', 'attempt-1', 'prompt.md'), 'utf8');
    expect(prompt).toContain('Previous attempt failed because:');
    expect(prompt).toContain('conflicts in 1 file(s): notes.txt');
    const worktree = join(p.dir, '.baton', 'worktrees', `${second}-number-two`);
    expect(readFileSync(join(worktree, 'notes.txt'), 'utf8')).toContain('<<<<<<<');
    expect(readFileSync(join(p.dir, '.git', 'baton', 'runs', String(second), '2', 'run.json'), 'utf8')).toContain('pattern:conflict-markers');

    // One that resolves the conflict keeping both changes passes, and lands on the moved base.
    expect(baton(['reopen', String(second)], { cwd: p.dir }).code).toBe(0);
    p.agent(second, "printf 'one\\nTWO (2)\\nthree\\n' > notes.txt");
    expect(p.run(second).code).toBe(0);
    expect(merge(p, String(second)).landings).toMatchObject([{ kind: 'landed', taskId: second }]);
    expect(readFileSync(join(p.dir, 'notes.txt'), 'utf8')).toBe('one\nTWO (2)\nthree\n');
    // Landed, the finding is settled.
    expect(inbox()).toEqual([]);
    expect(inbox('--history')).toMatchObject([{ taskId: second, status: 'resolved' }]);
    expect(p.mainLog()).toEqual([`Number two (#${second})`, `Shout two (#${first})`, 'initial']);
    expect(git(p.dir, ['rev-parse', 'main~1']).trim()).toBe(mainBefore);
  });

  it('red on the merged result: back to open with the check\'s output, though each branch passed alone; failed after merge.retries returns', { timeout: TIMEOUT_MS }, () => {
    // The check passes while at most one file is in parts/: each task adds one.
    const p = project({ merge: { retries: 0 } }, 'test "$(ls parts 2>/dev/null | wc -l)" -le 1 || { echo "too many parts: $(ls parts | tr "\\n" " ")"; exit 1; }');
    const a = p.task('Part a', 'mkdir -p parts && echo a > parts/a', '-r', 'adds:file:parts/a');
    const b = p.task('Part b', 'mkdir -p parts && echo b > parts/b', '-r', 'adds:file:parts/b');
    expect(p.run(a).code).toBe(0);
    expect(p.run(b).code).toBe(0);
    const result = merge(p, String(a), String(b));
    expect(result.landings).toMatchObject([{ kind: 'landed', taskId: a }, { kind: 'returned', taskId: b, status: 'failed' }]);
    expect(result.landings[1]?.reason).toContain('merged onto the base');
    const show = baton(['show', String(b)], { cwd: p.dir }).stdout;
    expect(show).toContain('is failed');
    expect(p.mainLog()).toEqual([`Part a (#${a})`, 'initial']);
    expect(existsSync(join(p.dir, 'parts', 'b'))).toBe(false);
    // What the check printed on the merged result is in the evidence and the feed.
    const events = baton(['log', String(b), '--json'], { cwd: p.dir }).stdout;
    expect(events).toContain('too many parts: a b');
  });

  it('the base moved by someone else during the checks: the compare-and-swap fails, the queue starts over on the new tip', { timeout: TIMEOUT_MS }, async () => {
    const p = project({}, 'sleep 2');
    const id = p.task('Add y', 'echo y > y.txt', '-r', 'adds:file:y.txt');
    expect(p.run(id).code).toBe(0);
    const running = spawnBaton(['merge', String(id)], { cwd: p.dir });
    await running.waitFor((line) => line.includes('checking the merged result'), 30_000);
    writeFileSync(join(p.dir, 'late.txt'), 'late\n');
    git(p.dir, ['add', 'late.txt']);
    git(p.dir, ['commit', '-qm', 'someone else']);
    const exit = await running.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(running.lines.join('\n')).toContain('the base moved meanwhile');
    // Both land: nothing the other committer did is lost, and the task's commit is on top.
    expect(p.mainLog()).toEqual([`Add y (#${id})`, 'someone else', 'initial']);
    expect(readFileSync(join(p.dir, 'late.txt'), 'utf8')).toBe('late\n');
    expect(git(p.dir, ['status', '--porcelain'])).toBe('');
  });

  it('a task whose change the base already holds lands as done with no commit of its own, not an empty one', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    const first = p.task('Greet', 'echo hello > hello.txt', '-r', 'adds:file:hello.txt');
    const second = p.task('Greet too', 'echo hello > hello.txt', '-r', 'adds:file:hello.txt');
    expect(p.run(first).code).toBe(0);
    expect(p.run(second).code).toBe(0);
    const result = merge(p, String(first), String(second));
    expect(result.landings.map((landing) => [landing.taskId, landing.kind])).toEqual([[first, 'landed'], [second, 'landed']]);
    expect(p.mainLog()).toEqual([`Greet (#${first})`, 'initial']);
    expect(result.landings[1]?.commit).toBe(git(p.dir, ['rev-parse', 'main']).trim());
    expect(p.status(second)).toBe('done');
  });

  it('a checked-out base with uncommitted changes pauses the queue: nothing touched, the task stays queued', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    const id = p.task('Add z', 'echo z > z.txt', '-r', 'adds:file:z.txt');
    expect(p.run(id).code).toBe(0);
    writeFileSync(join(p.dir, 'notes.txt'), 'my own edit\n');
    const before = { refs: refs(p.dir), status: git(p.dir, ['status', '--porcelain']) };

    const result = merge(p, String(id));
    expect(result.code).toBe(1);
    expect(result.landings).toMatchObject([{ kind: 'paused', taskId: id }]);
    expect(result.landings[0]?.reason).toContain('uncommitted changes (notes.txt)');
    expect(refs(p.dir)).toBe(before.refs);
    expect(git(p.dir, ['status', '--porcelain'])).toBe(before.status);
    expect(readFileSync(join(p.dir, 'notes.txt'), 'utf8')).toBe('my own edit\n');
    expect(existsSync(join(p.dir, 'z.txt'))).toBe(false);
    const queue = json<{ entries: { task: { id: number }; position: number | null }[] }>(baton(['queue', '--json'], { cwd: p.dir }));
    expect(queue.entries).toMatchObject([{ task: { id }, position: 1 }]);

    // Once the person commits their edit, the queue lands on top of it.
    git(p.dir, ['commit', '-qam', 'my edit']);
    const landed = json<{ landings: Landing[] }>(baton(['queue', '--land', '--json'], { cwd: p.dir }));
    expect(landed.landings).toMatchObject([{ kind: 'landed', taskId: id }]);
    expect(p.mainLog()).toEqual([`Add z (#${id})`, 'my edit', 'initial']);
  });

  it("another git's index lock in the checked-out base is waited out; a lock a crashed git left pauses the queue, touching nothing", { timeout: TIMEOUT_MS }, async () => {
    const p = project();
    const first = p.task('Add l', 'echo l > l.txt', '-r', 'adds:file:l.txt');
    const second = p.task('Add m', 'echo m > m.txt', '-r', 'adds:file:m.txt');
    expect(p.run(first).code).toBe(0);
    expect(p.run(second).code).toBe(0);
    // What a `git status` or an editor's git does for a moment: the lock is there when the landing starts.
    const lock = join(p.dir, '.git', 'index.lock');
    writeFileSync(lock, '');
    const released = setTimeout(() => rmSync(lock, { force: true }), 1_500);
    const waited = await batonAsync(['merge', String(first), '--json'], { cwd: p.dir });
    clearTimeout(released);
    rmSync(lock, { force: true });
    expect(json<{ landings: Landing[] }>(waited).landings, waited.stdout + waited.stderr).toMatchObject([{ kind: 'landed', taskId: first }]);
    expect(readFileSync(join(p.dir, 'l.txt'), 'utf8')).toBe('l\n');

    writeFileSync(lock, '');
    const before = { refs: refs(p.dir), status: git(p.dir, ['status', '--porcelain']) };
    const stuck = merge(p, String(second));
    expect(stuck.code).toBe(1);
    expect(stuck.landings).toMatchObject([{ kind: 'paused', taskId: second }]);
    expect(stuck.landings[0]?.reason).toContain('index.lock');
    expect(refs(p.dir)).toBe(before.refs);
    expect(git(p.dir, ['status', '--porcelain'])).toBe(before.status);
    expect(existsSync(join(p.dir, 'm.txt'))).toBe(false);
    rmSync(lock);
    expect(json<{ landings: Landing[] }>(baton(['queue', '--land', '--json'], { cwd: p.dir })).landings).toMatchObject([{ kind: 'landed', taskId: second }]);
    expect(p.mainLog()).toEqual([`Add m (#${second})`, `Add l (#${first})`, 'initial']);
  });

  it('a run starting while a landing moves the checked-out base waits for the checkout to follow, then starts from the new tip', { timeout: TIMEOUT_MS }, async () => {
    const p = project();
    const id = p.task('Add n', 'echo n > n.txt', '-r', 'adds:file:n.txt');
    // What a landing does, in two steps: the branch moves, then (a moment later) its checkout follows.
    const from = git(p.dir, ['rev-parse', 'main']).trim();
    writeFileSync(join(p.dir, 'landed.txt'), 'landed\n');
    git(p.dir, ['add', 'landed.txt']);
    const tree = git(p.dir, ['write-tree']).trim();
    git(p.dir, ['reset', '-q', '--mixed', 'HEAD']);
    rmSync(join(p.dir, 'landed.txt'));
    const to = git(p.dir, ['commit-tree', tree, '-p', from, '-m', 'landed elsewhere']).trim();
    git(p.dir, ['update-ref', 'refs/heads/main', to, from]);
    expect(git(p.dir, ['status', '--porcelain']).trim()).toBe('D  landed.txt');
    const follows = setTimeout(() => git(p.dir, ['read-tree', '-m', '-u', from, to]), 1_000);

    const run = await batonAsync(['run', String(id), '--max-attempts', '1'], { cwd: p.dir });
    clearTimeout(follows);
    expect(run.code, run.stderr).toBe(0);
    expect(git(p.dir, ['rev-parse', `baton/${id}-add-n~1`]).trim()).toBe(to);

    // A change that stays is still refused, after the same short wait.
    writeFileSync(join(p.dir, 'notes.txt'), 'my own edit\n');
    const second = p.task('Add o', 'echo o > o.txt', '-r', 'adds:file:o.txt');
    const refused = p.run(second);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('uncommitted changes');
  });

  it('a task branch moved after the checks passed is not landed: only the commit baton checked can land', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    const id = p.task('Add w', 'echo w > w.txt', '-r', 'adds:file:w.txt');
    expect(p.run(id).code).toBe(0);
    const worktree = join(p.dir, '.baton', 'worktrees', `${id}-add-w`);
    writeFileSync(join(worktree, 'sneaky.txt'), 'unchecked\n');
    git(worktree, ['add', 'sneaky.txt']);
    git(worktree, ['commit', '-qm', 'unchecked work']);
    const main = git(p.dir, ['rev-parse', 'main']).trim();

    const result = merge(p, String(id));
    expect(result.landings).toMatchObject([{ kind: 'returned', taskId: id, status: 'open' }]);
    expect(result.landings[0]?.reason).toContain('after baton\'s checks passed');
    expect(git(p.dir, ['rev-parse', 'main']).trim()).toBe(main);
    // The unchecked commit is still on its branch: returned, never thrown away.
    expect(git(p.dir, ['log', '-1', '--format=%s', `baton/${id}-add-w`]).trim()).toBe('unchecked work');
  });

  it('nothing the queue removes holds work: a dirty task worktree is kept, and said so', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    const id = p.task('Add v', 'echo v > v.txt', '-r', 'adds:file:v.txt');
    expect(p.run(id).code).toBe(0);
    const worktree = join(p.dir, '.baton', 'worktrees', `${id}-add-v`);
    writeFileSync(join(worktree, 'scratch-notes.txt'), 'a person\'s notes\n');

    const result = merge(p, String(id));
    expect(result.landings).toMatchObject([{ kind: 'landed', taskId: id, removed: [] }]);
    expect(result.landings[0]?.kept?.join(' ')).toContain('uncommitted work (scratch-notes.txt)');
    expect(readFileSync(join(worktree, 'scratch-notes.txt'), 'utf8')).toBe('a person\'s notes\n');
    expect(git(p.dir, ['branch', '--list', `baton/${id}-add-v`]).trim()).not.toBe('');
    // gc keeps it too, and says why; once the notes are gone, it removes both.
    const kept = json<{ collected: { taskId: number; kept: string[] }[] }>(baton(['gc', '--json'], { cwd: p.dir }));
    expect(kept.collected).toMatchObject([{ taskId: id }]);
    expect(kept.collected[0]?.kept.join(' ')).toContain('uncommitted work (scratch-notes.txt)');
    // Committed on the task branch, the notes are work that never landed: still kept.
    git(worktree, ['add', 'scratch-notes.txt']);
    git(worktree, ['commit', '-qm', 'notes after landing']);
    const moved = json<{ collected: { kept: string[] }[] }>(baton(['gc', '--json'], { cwd: p.dir }));
    expect(moved.collected[0]?.kept.join(' ')).toContain('holds work that did not land');
    expect(git(p.dir, ['log', '-1', '--format=%s', `baton/${id}-add-v`]).trim()).toBe('notes after landing');
    git(worktree, ['reset', '-q', '--hard', 'HEAD~1']);
    const removed = json<{ collected: { removed: string[]; kept: string[] }[] }>(baton(['gc', '--json'], { cwd: p.dir }));
    expect(removed.collected).toMatchObject([{ kept: [] }]);
    expect(existsSync(worktree)).toBe(false);
    expect(git(p.dir, ['branch', '--list', `baton/${id}-add-v`]).trim()).toBe('');
  });
});

describe('batching (merge.batch)', () => {
  it('green tasks land together with one check run; a batch that fails is halved until the task that fails goes back alone', { timeout: TIMEOUT_MS }, () => {
    // At most one "x" line in parts/: each task alone passes, the two x tasks together do not.
    const p = project({ merge: { batch: 5 } }, 'test "$(cat parts/* 2>/dev/null | grep -c x)" -le 1 || { echo "more than one x in parts"; exit 1; }');
    const ids = ['a', 'b', 'c', 'x1', 'x2'].map((name) => p.task(`Part ${name}`, `mkdir -p parts && echo ${name.startsWith('x') ? 'x' : 'y'} > parts/${name}`, '-r', `adds:file:parts/${name}`));
    for (const id of ids) expect(p.run(id).code).toBe(0);
    const [a, b, c, x1, x2] = ids as [number, number, number, number, number];

    const result = merge(p, ...ids.map(String));
    expect(result.landings.map((landing) => [landing.taskId, landing.kind])).toEqual([
      [a, 'landed'],
      [b, 'landed'],
      [c, 'landed'],
      [x1, 'landed'],
      [x2, 'returned'],
    ]);
    // All five (red), the first three (green, landed); x1 and x2 (red), x1 (green, landed); x2 alone (red, sent back).
    expect(result.checkRuns).toBe(5);
    expect(p.mainLog()).toEqual([`Part x1 (#${x1})`, `Part c (#${c})`, `Part b (#${b})`, `Part a (#${a})`, 'initial']);
    expect(result.landings[4]?.reason).toContain('merged onto the base');

    const green = project({ merge: { batch: 6 } });
    const six = Array.from({ length: 6 }, (_, index) => green.task(`File ${index}`, `echo ${index} > f${index}.txt`, '-r', `adds:file:f${index}.txt`));
    for (const id of six) expect(green.run(id).code).toBe(0);
    const together = merge(green, ...six.map(String));
    expect(together.landings.every((landing) => landing.kind === 'landed')).toBe(true);
    expect(together.checkRuns).toBe(1);
    expect(green.mainLog()).toEqual([...six.map((id, index) => `File ${index} (#${id})`).reverse(), 'initial']);
  });
});

describe('approval gates', () => {
  it('a task the policy holds waits for a person: merge is refused, review shows why, approve lands it; every decision is an event with its author', { timeout: TIMEOUT_MS }, () => {
    const p = project({ merge: { approval: { paths: ['migrations/**'], labels: ['needs-review'] } } });
    const gated = p.task('Add migration', 'mkdir -p migrations && echo "create table t" > migrations/001.sql', '-r', 'adds:file:migrations/001.sql');
    const free = p.task('Add doc', 'echo doc > doc.txt', '-r', 'adds:file:doc.txt');
    expect(p.run(gated).code).toBe(0);
    expect(p.run(free).code).toBe(0);

    const before = { board: boardFingerprint(p.db), refs: refs(p.dir) };
    const refused = baton(['merge', String(gated), '--json'], { cwd: p.dir });
    expect(refused.code).toBe(4);
    expect(json<{ error: { code: string; message: string } }>(refused).error).toMatchObject({ code: 'APPROVAL_REQUIRED' });
    expect(refused.stdout).toContain('migrations/001.sql (paths: migrations/**)');
    expect(boardFingerprint(p.db)).toBe(before.board);
    expect(refs(p.dir)).toBe(before.refs);

    const review = json<{ entries: { task: { id: number }; needsApproval: boolean; approvalReasons: string[]; changedFiles: string[] }[] }>(baton(['review', '--json'], { cwd: p.dir }));
    expect(review.entries.map((entry) => [entry.task.id, entry.needsApproval])).toEqual([[gated, true], [free, false]]);
    expect(review.entries[0]?.changedFiles).toEqual(['migrations/001.sql']);

    expect(merge(p, String(free)).landings).toMatchObject([{ kind: 'landed', taskId: free }]);
    const approved = baton(['approve', String(gated), '-m', 'schema reviewed', '--json', '--as', 'alice'], { cwd: p.dir });
    expect(approved.code, approved.stdout).toBe(0);
    expect(p.status(gated)).toBe('done');
    expect(existsSync(join(p.dir, 'migrations', '001.sql'))).toBe(true);
    const events = json<{ events: { type: string; actor: string }[] }>(baton(['log', String(gated), '--json'], { cwd: p.dir })).events;
    expect(events.filter((event) => ['review_approved', 'merge_queued', 'merge_landed'].includes(event.type)).map((event) => [event.type, event.actor])).toEqual([
      ['review_approved', 'alice'],
      ['merge_queued', 'alice'],
      ['merge_landed', 'alice'],
    ]);
  });

  it('reject sends the task back with the reviewer\'s words as its next run\'s feedback', { timeout: TIMEOUT_MS }, () => {
    const p = project({ merge: { approval: { kinds: ['feature'] } } });
    const id = p.task('Add feature', 'echo f > f.txt', '-r', 'adds:file:f.txt', '--kind', 'feature');
    expect(p.run(id).code).toBe(0);
    expect(baton(['reject', String(id), '-m', 'name the file feature.txt', '--as', 'bob'], { cwd: p.dir }).code).toBe(0);
    expect(p.status(id)).toBe('open');
    // The agent that did the work finds the reviewer's words in its inbox.
    const inbox = json<{ findings: { kind: string; subject: string; recipient: string; message: string }[] }>(baton(['inbox', '--json'], { cwd: p.dir })).findings;
    expect(inbox).toMatchObject([{ kind: 'merge_returned', subject: 'review:rejected', recipient: 'tester' }]);
    expect(inbox[0]?.message).toContain('bob rejected it: name the file feature.txt');
    p.agent(id, 'git rm -q --cached f.txt 2>/dev/null; rm -f f.txt; echo f > feature.txt');
    p.run(id);
    const prompt = readFileSync(join(p.dir, '.git', 'baton', 'runs', String(id), '2', 'attempt-1', 'prompt.md'), 'utf8');
    expect(prompt).toContain('bob reviewed the work and rejected it');
    expect(prompt).toContain('name the file feature.txt');
  });
});

describe('bad input: a clear error, the board and the repository unchanged', () => {
  it('unknown task, a task not in review, no ID, reject without a reason, an agent inside a run', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    const id = p.task('Open task', 'true');
    const before = { board: boardFingerprint(p.db), refs: refs(p.dir) };
    const cases: [string[], number, string][] = [
      [['merge', '99'], 3, 'TASK_NOT_FOUND'],
      [['merge', String(id)], 4, 'ILLEGAL_TRANSITION'],
      [['approve', String(id)], 4, 'ILLEGAL_TRANSITION'],
      [['reject', String(id), '-m', 'no'], 4, 'ILLEGAL_TRANSITION'],
      [['reject', String(id)], 2, 'INVALID_INPUT'],
      [['merge'], 2, 'USAGE'],
      [['merge', 'abc'], 2, 'INVALID_INPUT'],
    ];
    for (const [args, code, errorCode] of cases) {
      const result = baton([...args, '--json'], { cwd: p.dir });
      expect([args.join(' '), result.code]).toEqual([args.join(' '), code]);
      expect(json<{ error: { code: string } }>(result).error.code).toBe(errorCode);
    }
    const inside = baton(['merge', String(id)], { cwd: p.dir, env: { BATON_RUN_TASK: String(id) } });
    expect(inside.code).toBe(4);
    expect(inside.stderr).toContain('is not for an agent inside `baton run`');
    expect(boardFingerprint(p.db)).toBe(before.board);
    expect(refs(p.dir)).toBe(before.refs);
  });

  it('an unknown strategy or a malformed policy in the config is refused naming the field', { timeout: TIMEOUT_MS }, () => {
    for (const [merge, field] of [
      [{ strategy: 'octopus' }, 'merge.strategy'],
      [{ approval: { paths: 'migrations/**' } }, 'merge.approval.paths'],
      [{ approval: { kinds: ['epic'] } }, 'merge.approval.kinds'],
      [{ retries: -1 }, 'merge.retries'],
    ] as const) {
      const p = project();
      const id = p.task('T', 'echo t > t.txt', '-r', 'adds:file:t.txt');
      expect(p.run(id).code).toBe(0);
      const config = JSON.parse(readFileSync(join(p.dir, 'baton.config.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(p.dir, 'baton.config.json'), JSON.stringify({ ...config, merge }));
      git(p.dir, ['commit', '-qam', 'config']);
      const before = { board: boardFingerprint(p.db), refs: refs(p.dir) };
      const result = baton(['merge', String(id), '--json'], { cwd: p.dir });
      expect(result.code).toBe(2);
      expect(json<{ error: { code: string; message: string } }>(result).error).toMatchObject({ code: 'CONFIG_INVALID' });
      expect(result.stdout).toContain(field);
      expect(boardFingerprint(p.db)).toBe(before.board);
      expect(refs(p.dir)).toBe(before.refs);
    }
  });
});

describe('the supervisor hands finished work to the queue', () => {
  it('uncontained, it starts no run while a landing goes on: the base and its checkout moving never pass for a run\'s doing', { timeout: TIMEOUT_MS }, async () => {
    const p = project();
    // Slow enough agents that a landing beside them would happen during their attempt.
    const ids = ['a', 'b', 'c'].map((name) => p.task(`Add ${name}`, `sleep 1; echo ${name} > ${name}.txt`, '-r', `adds:file:${name}.txt`));
    const result = await batonAsync(['run', '--ready', '--json'], { cwd: p.dir, env: { BATON_CONTAINMENT: 'off' } });
    expect(result.code, result.stderr).toBe(0);
    const doc = ndjson<{ runs: { taskId: number; outcome: string; attempts: number }[]; landings: { taskId: number; outcome: string }[] }>(result).summary;
    expect(doc.runs.map((run) => [run.taskId, run.outcome, run.attempts])).toEqual(ids.map((id) => [id, 'succeeded', 1]));
    expect(doc.landings.map((landing) => [landing.taskId, landing.outcome])).toEqual(ids.map((id) => [id, 'landed']));
    expect(result.stderr).not.toContain('diverged');
    expect(p.mainLog()).toEqual(['Add c (#3)', 'Add b (#2)', 'Add a (#1)', 'initial']);
  });

  // Known flake, not yet understood: once in a loaded clean-clone CI round (not in 11 runs
  // since, 4 at once), the last landing ended `paused` instead of sent back. The landings, with
  // the pause's reason, are in the assertion message; until its cause is found, a failure is tried once more.
  it('runs every ready task, lands each, and a task sent back for a conflict is run again from its branch and lands', { timeout: TIMEOUT_MS, retry: 1 }, async () => {
    const p = project();
    const add = p.task('Add a', 'echo a > a.txt', '-r', 'adds:file:a.txt');
    const shout = p.task('Shout two', "sed -i 's/^two$/TWO/' notes.txt", '-r', 'modifies:file:notes.txt');
    // Resolves the markers when it finds them (its second run), else makes its own change.
    const number = p.task('Number two', "if grep -q '^<<<<<<<' notes.txt; then printf 'one\\nTWO (2)\\nthree\\n' > notes.txt; else sed -i 's/^two$/2/' notes.txt; fi", '-r', 'modifies:file:notes.txt');
    const result = await batonAsync(['run', '--ready', '--json'], { cwd: p.dir });
    const doc = ndjson<{ runs: { taskId: number; outcome: string }[]; landings: { taskId: number; outcome: string }[] }>(result).summary;
    expect(doc.landings.map((landing) => [landing.taskId, landing.outcome]), JSON.stringify(doc.landings)).toEqual([
      [add, 'landed'],
      [shout, 'landed'],
      [number, 'returned'],
      [number, 'landed'],
    ]);
    expect(doc.runs.map((run) => [run.taskId, run.outcome])).toEqual([
      [add, 'succeeded'],
      [shout, 'succeeded'],
      [number, 'succeeded'],
      [number, 'succeeded'],
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect([add, shout, number].map((id) => p.status(id))).toEqual(['done', 'done', 'done']);
    expect(p.mainLog()).toEqual([`Number two (#${number})`, `Shout two (#${shout})`, `Add a (#${add})`, 'initial']);
    expect(readFileSync(join(p.dir, 'notes.txt'), 'utf8')).toBe('one\nTWO (2)\nthree\n');
    // Branches landed while other runs went on wait for gc, which removes them: all landed, all clean.
    const gc = json<{ collected: { taskId: number; kept: string[] }[] }>(baton(['gc', '--json'], { cwd: p.dir }));
    expect(gc.collected.every((entry) => entry.kept.length === 0)).toBe(true);
    expect(git(p.dir, ['branch', '--list', 'baton/*']).trim()).toBe('');
    expect(git(p.dir, ['worktree', 'list']).trim().split('\n').filter((line) => /worktrees\/\d/.test(line))).toEqual([]);
  });
});
