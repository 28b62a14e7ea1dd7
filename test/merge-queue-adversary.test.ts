/**
 * The merge queue under attack: agents under pressure and careless people trying, on real git
 * repositories with the real CLI and `cmd:` agents, to get work onto the base branch that
 * baton's checks did not pass on the merged result, to lose work, or to slip past a gate.
 * Each test is a hole that was open once.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectContainment } from '../src/adapters/process/containment.js';
import { baton, boardFingerprint, git, json, makeRepo, spawnBaton } from './helpers/baton.js';
import { sharedTempDir } from './helpers/sandbox-share.js';

const TIMEOUT_MS = 120_000;
const contained = (await detectContainment(process.env)).kind !== 'none';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface Project {
  dir: string;
  db: string;
  /** Adds a task whose agent runs `script` (sh) in its worktree, runs it, and expects it in review; returns its id. */
  reviewed: (title: string, script: string, ...flags: string[]) => number;
  agent: (id: number, script: string) => void;
  run: (id: number) => { code: number; stdout: string; stderr: string };
  mainLog: () => string[];
}

/**
 * A repository with `notes.txt` and a check that runs every `src/*.sh` the tasks add (their
 * code, as a test suite would), with agents that run the script written for their task.
 */
function project(config: Record<string, unknown> = {}): Project {
  const repo = makeRepo('baton-adversary-');
  const scripts = sharedTempDir('baton-adversary-agents-');
  cleanups.push(repo.cleanup, () => rmSync(scripts, { recursive: true, force: true }));
  writeFileSync(join(repo.dir, 'notes.txt'), 'one\ntwo\nthree\n');
  writeFileSync(join(repo.dir, 'check.sh'), 'for f in src/*.sh; do [ -f "$f" ] || continue; sh "$f" || exit 1; done\n');
  writeFileSync(join(repo.dir, 'baton.config.json'), `${JSON.stringify({ checks: [{ id: 'check', run: 'sh ./check.sh' }], agent: { name: `cmd:sh ${scripts}/agent.sh` }, ...config })}\n`);
  writeFileSync(join(scripts, 'agent.sh'), `#!/bin/sh\nexec sh "${scripts}/task-$BATON_RUN_TASK.sh"\n`);
  git(repo.dir, ['add', '-A']);
  git(repo.dir, ['commit', '-qm', 'initial']);
  expect(baton(['init'], { cwd: repo.dir }).code).toBe(0);
  const agent = (id: number, script: string): void => {
    writeFileSync(join(scripts, `task-${id}.sh`), `${script}\n`);
    chmodSync(join(scripts, `task-${id}.sh`), 0o755);
  };
  const run = (id: number): { code: number; stdout: string; stderr: string } => baton(['run', String(id), '--max-attempts', '1'], { cwd: repo.dir });
  return {
    dir: repo.dir,
    db: repo.db,
    reviewed: (title, script, ...flags) => {
      const id = json<{ task: { id: number } }>(baton(['add', title, '--json', ...flags], { cwd: repo.dir })).task.id;
      agent(id, script);
      const result = run(id);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      return id;
    },
    agent,
    run,
    mainLog: () => git(repo.dir, ['log', '--format=%s', 'main']).trim().split('\n'),
  };
}

interface Landing {
  kind: 'landed' | 'returned' | 'paused';
  taskId: number;
  reason?: string;
}

function merge(p: Project, ...args: string[]): { code: number; landings: Landing[]; stdout: string; stderr: string } {
  const result = baton(['merge', ...args, '--json'], { cwd: p.dir });
  return { code: result.code, landings: json<{ landings?: Landing[] }>(result).landings ?? [], stdout: result.stdout, stderr: result.stderr };
}

function refs(dir: string): string {
  return git(dir, ['for-each-ref', '--format=%(refname) %(objectname)']);
}

/** Task code that does `evil` (sh) only when it runs in the merge queue's scratch worktree, where no run's guard watches. */
function onlyInTheQueue(evil: string): string {
  return `mkdir -p src && cat > src/code.sh <<'CODE'\ncase "$PWD" in */merge-queue) ${evil} ;; esac\ntrue\nCODE`;
}

describe.skipIf(!contained)('the checks of the merged result run the task\'s code: it cannot reach the repository around it', () => {
  it('code under test that moves the base branch (writing the ref file itself) gets nothing onto it', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    const evil = 'c=$(echo unchecked | git commit-tree "$(git rev-parse HEAD^{tree})" -p "$(git rev-parse refs/heads/main)") && echo "$c" > "$(git rev-parse --git-common-dir)/refs/heads/main"';
    const id = p.reviewed('Add code', onlyInTheQueue(evil), '-r', 'adds:file:src/code.sh');
    const result = merge(p, String(id));
    expect(result.landings, result.stdout).toMatchObject([{ kind: 'landed', taskId: id }]);
    expect(p.mainLog()).toEqual([`Add code (#${id})`, 'initial']);
    expect(git(p.dir, ['status', '--porcelain'])).toBe('');
  });

  it('code under test that plants a filter in the scratch worktree\'s own config runs nothing outside the sandbox', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    // A person's sparse checkout turns this on; git then reads each worktree's config.worktree.
    git(p.dir, ['config', 'extensions.worktreeConfig', 'true']);
    const marker = join(sharedTempDir('baton-adversary-pwned-'), 'pwned');
    cleanups.push(() => rmSync(join(marker, '..'), { recursive: true, force: true }));
    const plant = `gd=$(git rev-parse --absolute-git-dir); printf '* filter=pwn\\n' > "$gd/attrs"; printf '[core]\\n\\tattributesFile = %s/attrs\\n[filter "pwn"]\\n\\tsmudge = "sh -c '"'"'echo pwned >> ${marker}; cat'"'"'"\\n' "$gd" > "$gd/config.worktree"`;
    const planter = p.reviewed('Plant', onlyInTheQueue(plant), '-r', 'adds:file:src/code.sh');
    const next = p.reviewed('Next', 'echo next > next.txt', '-r', 'adds:file:next.txt');
    expect(merge(p, String(planter)).landings).toMatchObject([{ kind: 'landed', taskId: planter }]);
    // The next landing checks out another commit in the scratch worktree, with baton's own git.
    expect(merge(p, String(next)).landings).toMatchObject([{ kind: 'landed', taskId: next }]);
    expect(existsSync(marker)).toBe(false);
  });

  it('the project\'s setup, which runs the merged result\'s code when the scratch worktree is made, is contained as well', { timeout: TIMEOUT_MS }, () => {
    // A setup that runs the project's code, as `npm ci` runs a package's install scripts.
    const p = project({ setup: 'sh ./check.sh' });
    const evil = 'c=$(echo unchecked | git commit-tree "$(git rev-parse HEAD^{tree})" -p "$(git rev-parse refs/heads/main)") && echo "$c" > "$(git rev-parse --git-common-dir)/refs/heads/main"';
    const id = p.reviewed('Add code', onlyInTheQueue(evil), '-r', 'adds:file:src/code.sh');
    expect(merge(p, String(id)).landings).toMatchObject([{ kind: 'landed', taskId: id }]);
    expect(p.mainLog()).toEqual([`Add code (#${id})`, 'initial']);
  });
});

describe.skipIf(!contained)('the checks of a run, which feed the queue, cannot reach the repository around the task\'s worktree either', () => {
  it('code under test in a run\'s checks that moves the base branch gets nothing onto it', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    const evil = 'c=$(echo unchecked | git commit-tree "$(git rev-parse HEAD^{tree})" -p "$(git rev-parse refs/heads/main)") && echo "$c" > "$(git rev-parse --git-common-dir)/refs/heads/main"';
    p.reviewed('Add code', `mkdir -p src && cat > src/code.sh <<'CODE'\n${evil}\ntrue\nCODE`, '-r', 'adds:file:src/code.sh');
    expect(p.mainLog()).toEqual(['initial']);
  });

  it('code under test in a run\'s checks that plants a filter in the worktree\'s own config runs nothing outside the sandbox in the next run', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    git(p.dir, ['config', 'extensions.worktreeConfig', 'true']);
    // Where no contained command can write: a line there came from baton's own git.
    const marker = join(p.dir, '.git', 'baton', 'pwned');
    const plant = `gd=$(git rev-parse --absolute-git-dir); printf '* filter=pwn\\n' > "$gd/attrs"; printf '[core]\\n\\tattributesFile = %s/attrs\\n[filter "pwn"]\\n\\tclean = "sh -c '"'"'echo pwned >> ${marker}; cat'"'"'"\\n' "$gd" > "$gd/config.worktree"`;
    const id = p.reviewed('Plant', `mkdir -p src && cat > src/code.sh <<'CODE'\n${plant}\ntrue\nCODE`, '-r', 'adds:file:src/code.sh');
    expect(baton(['reject', String(id), '-m', 'once more'], { cwd: p.dir }).code).toBe(0);
    p.agent(id, 'echo more >> src/code.sh');
    p.run(id);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('nothing is lost: the scratch worktree is the queue\'s own, or nothing runs there', () => {
  it('a plain folder or a link where the scratch worktree goes is refused: git there would be the main checkout\'s, with a person\'s work on another branch', { timeout: TIMEOUT_MS }, () => {
    const p = project({ baseBranch: 'main' });
    const id = p.reviewed('Add a', 'echo a > a.txt', '-r', 'adds:file:a.txt');
    // The person works on a branch of their own in the main checkout; something left a folder where the queue's worktree goes.
    git(p.dir, ['checkout', '-qb', 'feature']);
    writeFileSync(join(p.dir, 'notes.txt'), 'my unsaved edit\n');
    writeFileSync(join(p.dir, 'mine.txt'), 'mine\n');
    const scratch = join(p.dir, '.baton', 'worktrees', 'merge-queue');
    const main = git(p.dir, ['rev-parse', 'main']).trim();
    const made: [string, () => void][] = [
      ['a folder', () => mkdirSync(scratch, { recursive: true })],
      ['a link to the main checkout', () => symlinkSync(p.dir, scratch)],
    ];
    for (const [what, make] of made) {
      make();
      const result = merge(p, String(id));
      expect([what, result.code]).not.toEqual([what, 0]);
      expect(result.stdout).toContain('merge-queue');
      expect(readFileSync(join(p.dir, 'notes.txt'), 'utf8')).toBe('my unsaved edit\n');
      expect(readFileSync(join(p.dir, 'mine.txt'), 'utf8')).toBe('mine\n');
      expect(git(p.dir, ['branch', '--show-current']).trim()).toBe('feature');
      expect(git(p.dir, ['rev-parse', 'main']).trim()).toBe(main);
      rmSync(scratch, { recursive: true });
    }
  });
});

describe('a checked-out base with uncommitted work is never touched', () => {
  it('the base checked out in a second worktree with uncommitted changes pauses the queue; once clean, both worktrees follow', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    const id = p.reviewed('Add a', 'echo a > a.txt', '-r', 'adds:file:a.txt');
    const second = sharedTempDir('baton-adversary-second-');
    cleanups.push(() => rmSync(second, { recursive: true, force: true }));
    git(p.dir, ['worktree', 'add', '-q', '--force', join(second, 'wt'), 'main']);
    writeFileSync(join(second, 'wt', 'notes.txt'), 'unsaved\n');
    const before = { refs: refs(p.dir), status: git(join(second, 'wt'), ['status', '--porcelain']) };

    const paused = merge(p, String(id));
    expect(paused.landings).toMatchObject([{ kind: 'paused', taskId: id }]);
    expect(paused.landings[0]?.reason).toContain(join(second, 'wt'));
    expect(refs(p.dir)).toBe(before.refs);
    expect(git(join(second, 'wt'), ['status', '--porcelain'])).toBe(before.status);

    git(join(second, 'wt'), ['checkout', '--', 'notes.txt']);
    expect(json<{ landings: Landing[] }>(baton(['queue', '--land', '--json'], { cwd: p.dir })).landings).toMatchObject([{ kind: 'landed', taskId: id }]);
    for (const worktree of [p.dir, join(second, 'wt')]) {
      expect(git(worktree, ['status', '--porcelain'])).toBe('');
      expect(readFileSync(join(worktree, 'a.txt'), 'utf8')).toBe('a\n');
    }
  });
});

describe('a landing killed halfway', () => {
  it('baton merge killed with -9 during the checks leaves no check running in the scratch worktree for the next landing', { timeout: TIMEOUT_MS }, async () => {
    const gate = sharedTempDir('baton-adversary-beat-');
    cleanups.push(() => rmSync(gate, { recursive: true, force: true }));
    const p = project({ checks: [{ id: 'check', run: `sh ./check.sh; case "$PWD" in */merge-queue) while true; do date +%s%N > ${gate}/beat; sleep 0.1; done ;; esac` }] });
    const id = p.reviewed('Add a', 'echo a > a.txt', '-r', 'adds:file:a.txt');
    const landing = spawnBaton(['merge', String(id)], { cwd: p.dir });
    await landing.waitFor((line) => line.includes('checking the merged result'), 60_000);
    const started = Date.now();
    while (!existsSync(join(gate, 'beat')) && Date.now() - started < 10_000) await new Promise((resolveWait) => setTimeout(resolveWait, 50));
    process.kill(landing.pid as number, 'SIGKILL');
    await landing.exited;

    // The watchdog stops the check's group once baton's pipe closes (SIGTERM at once, SIGKILL 3 s later).
    await new Promise((resolveWait) => setTimeout(resolveWait, 3_500));
    const beat = readFileSync(join(gate, 'beat'), 'utf8');
    await new Promise((resolveWait) => setTimeout(resolveWait, 600));
    expect(readFileSync(join(gate, 'beat'), 'utf8')).toBe(beat);
  });

  it('killed after the base moved but before its checkout followed: the next landing brings the checkout along instead of pausing on it', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    const id = p.reviewed('Add a', 'echo a > a.txt', '-r', 'adds:file:a.txt');
    expect(merge(p, String(id), '--no-land').code).toBe(0);
    // What the queue does up to the moment it was killed: the commit made, the base moved by compare-and-swap.
    const from = git(p.dir, ['rev-parse', 'main']).trim();
    const tree = git(p.dir, ['merge-tree', '--write-tree', 'main', `baton/${id}-add-a`]).trim();
    const to = git(p.dir, ['commit-tree', tree, '-p', from, '-m', `Add a (#${id})`]).trim();
    git(p.dir, ['update-ref', '-m', `baton merge queue: task #${id}`, 'refs/heads/main', to, from]);
    // The checkout still has the old files: git shows the landing as if undone.
    expect(git(p.dir, ['status', '--porcelain'])).not.toBe('');

    const result = json<{ landings: Landing[] }>(baton(['queue', '--land', '--json'], { cwd: p.dir }));
    expect(result.landings).toMatchObject([{ kind: 'landed', taskId: id }]);
    expect(git(p.dir, ['status', '--porcelain'])).toBe('');
    expect(readFileSync(join(p.dir, 'a.txt'), 'utf8')).toBe('a\n');
    expect(p.mainLog()).toEqual([`Add a (#${id})`, 'initial']);
  });
});

describe('changes git does not show in a checked-out base', () => {
  it('a local edit hidden with assume-unchanged, in a file the task changes, pauses the queue: the base does not move under it', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    const id = p.reviewed('Shout two', "sed -i 's/^two$/TWO/' notes.txt", '-r', 'modifies:file:notes.txt');
    git(p.dir, ['update-index', '--assume-unchanged', 'notes.txt']);
    writeFileSync(join(p.dir, 'notes.txt'), 'my local settings\n');
    expect(git(p.dir, ['status', '--porcelain'])).toBe('');
    const before = refs(p.dir);

    const paused = merge(p, String(id));
    expect(paused.landings).toMatchObject([{ kind: 'paused', taskId: id }]);
    expect(paused.landings[0]?.reason).toContain('notes.txt');
    expect(refs(p.dir)).toBe(before);
    expect(readFileSync(join(p.dir, 'notes.txt'), 'utf8')).toBe('my local settings\n');
    expect(git(p.dir, ['status', '--porcelain'])).toBe('');
  });
});

describe('files git ignores in a checked-out base are not written over', () => {
  it('a task that makes an ignored path tracked pauses the queue while the person\'s ignored file is there', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    writeFileSync(join(p.dir, '.gitignore'), 'build/\n');
    git(p.dir, ['add', '.gitignore']);
    git(p.dir, ['commit', '-qm', 'ignore build']);
    const id = p.reviewed('Track build', "printf '' > .gitignore && mkdir -p build && echo tracked > build/out.txt", '-r', 'modifies:file:.gitignore', '-r', 'adds:file:build/out.txt');
    mkdirSync(join(p.dir, 'build'));
    writeFileSync(join(p.dir, 'build', 'out.txt'), 'a person\'s local build\n');
    const before = refs(p.dir);

    const paused = merge(p, String(id));
    expect(paused.landings).toMatchObject([{ kind: 'paused', taskId: id }]);
    expect(paused.landings[0]?.reason).toContain('build/out.txt');
    expect(readFileSync(join(p.dir, 'build', 'out.txt'), 'utf8')).toBe('a person\'s local build\n');
    expect(refs(p.dir)).toBe(before);

    rmSync(join(p.dir, 'build'), { recursive: true });
    expect(json<{ landings: Landing[] }>(baton(['queue', '--land', '--json'], { cwd: p.dir })).landings).toMatchObject([{ kind: 'landed', taskId: id }]);
    expect(readFileSync(join(p.dir, 'build', 'out.txt'), 'utf8')).toBe('tracked\n');
  });
});

describe('the run after a conflict', () => {
  it('cannot pass with the conflict markers moved into another file', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    const first = p.reviewed('Shout two', "sed -i 's/^two$/TWO/' notes.txt", '-r', 'modifies:file:notes.txt');
    const second = p.reviewed('Number two', "sed -i 's/^two$/2/' notes.txt && cp notes.txt notes.orig", '-r', 'modifies:file:notes.txt', '-r', 'adds:file:notes.orig');
    expect(merge(p, String(first), String(second)).landings).toMatchObject([{ kind: 'landed' }, { kind: 'returned', taskId: second }]);
    const main = git(p.dir, ['rev-parse', 'main']).trim();

    // The agent "resolves" notes.txt and keeps what git left, markers and all, in its backup beside it.
    p.agent(second, "cp notes.txt notes.orig && printf 'one\\nTWO (2)\\nthree\\n' > notes.txt");
    const run = p.run(second);
    expect(run.code, run.stdout).toBe(1);
    expect(readFileSync(join(p.dir, '.git', 'baton', 'runs', String(second), '2', 'run.json'), 'utf8')).toContain('notes.orig');
    expect(baton(['merge', String(second)], { cwd: p.dir }).code).not.toBe(0);
    expect(git(p.dir, ['rev-parse', 'main']).trim()).toBe(main);
  });
});

describe('approval gates', () => {
  it('a task queued before the policy held it does not land without a person\'s approval', { timeout: TIMEOUT_MS }, () => {
    const p = project();
    const id = p.reviewed('Add migration', 'mkdir -p migrations && echo m > migrations/1.sql', '-r', 'adds:file:migrations/1.sql');
    expect(merge(p, String(id), '--no-land').code).toBe(0);
    // Meanwhile the team decides migrations need a person.
    const config = JSON.parse(readFileSync(join(p.dir, 'baton.config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(p.dir, 'baton.config.json'), JSON.stringify({ ...config, merge: { approval: { paths: ['migrations/**'] } } }));
    git(p.dir, ['commit', '-qam', 'gate migrations']);
    const main = git(p.dir, ['rev-parse', 'main']).trim();

    const held = json<{ landings: Landing[] }>(baton(['queue', '--land', '--json'], { cwd: p.dir }));
    expect(held.landings).toMatchObject([{ kind: 'paused', taskId: id }]);
    expect(held.landings[0]?.reason).toContain('migrations/1.sql');
    expect(git(p.dir, ['rev-parse', 'main']).trim()).toBe(main);
    const review = json<{ entries: { task: { id: number }; needsApproval: boolean }[] }>(baton(['review', '--json'], { cwd: p.dir }));
    expect(review.entries).toMatchObject([{ task: { id }, needsApproval: true }]);

    expect(baton(['approve', String(id), '--as', 'alice'], { cwd: p.dir }).code).toBe(0);
    expect(p.mainLog()).toEqual([`Add migration (#${id})`, 'gate migrations', 'initial']);
  });
});

describe('batching (merge.batch)', () => {
  it('a task that conflicts only with a task of its batch that never lands is not sent back for it: it lands in the next batch', { timeout: TIMEOUT_MS }, () => {
    const p = project({ merge: { batch: 3, retries: 0 } });
    // A's code fails its check on the merged result only; B changes the line A changes.
    const a = p.reviewed('Shout two', `sed -i 's/^two$/TWO/' notes.txt && ${onlyInTheQueue('exit 1')}`, '-r', 'modifies:file:notes.txt', '-r', 'adds:file:src/code.sh');
    const b = p.reviewed('Number two', "sed -i 's/^two$/2/' notes.txt", '-r', 'modifies:file:notes.txt');
    const c = p.reviewed('Add c', 'echo c > c.txt', '-r', 'adds:file:c.txt');
    const result = merge(p, String(a), String(b), String(c));
    expect(result.landings.map((landing) => [landing.taskId, landing.kind])).toEqual([
      [a, 'returned'],
      [b, 'landed'],
      [c, 'landed'],
    ]);
    expect(readFileSync(join(p.dir, 'notes.txt'), 'utf8')).toBe('one\n2\nthree\n');
  });
});

describe('decisions made while the queue checks', () => {
  it('a task rejected while its merged result is being checked does not land', { timeout: TIMEOUT_MS }, async () => {
    const gate = sharedTempDir('baton-adversary-gate-');
    cleanups.push(() => rmSync(gate, { recursive: true, force: true }));
    // The queue's check waits until the test has rejected the task.
    const p = project({ checks: [{ id: 'check', run: `sh ./check.sh; case "$PWD" in */merge-queue) while [ ! -f ${gate}/go ]; do sleep 0.1; done ;; esac` }] });
    const id = p.reviewed('Add a', 'echo a > a.txt', '-r', 'adds:file:a.txt');
    const main = git(p.dir, ['rev-parse', 'main']).trim();
    const landing = spawnBaton(['merge', String(id)], { cwd: p.dir });
    await landing.waitFor((line) => line.includes('checking the merged result'), 60_000);
    expect(baton(['reject', String(id), '-m', 'wrong approach', '--as', 'alice'], { cwd: p.dir }).code).toBe(0);
    writeFileSync(join(gate, 'go'), '');
    await landing.exited;

    expect(git(p.dir, ['rev-parse', 'main']).trim()).toBe(main);
    expect(json<{ task: { status: string } }>(baton(['show', String(id), '--json'], { cwd: p.dir })).task.status).toBe('open');
  });
});

describe('one lander per repository', () => {
  it('a second board in the same repository waits for the first one\'s landing: they share the scratch worktree and the base', { timeout: TIMEOUT_MS }, async () => {
    const gate = sharedTempDir('baton-adversary-gate-');
    cleanups.push(() => rmSync(gate, { recursive: true, force: true }));
    const p = project({ checks: [{ id: 'check', run: `sh ./check.sh; case "$PWD" in */merge-queue) while [ ! -f ${gate}/go ]; do sleep 0.1; done ;; esac` }] });
    const first = p.reviewed('Add a', 'echo a > a.txt', '-r', 'adds:file:a.txt');
    const other = { BATON_DB: join(gate, 'other.db') };
    expect(baton(['init'], { cwd: p.dir, env: other }).code).toBe(0);
    const second = json<{ task: { id: number } }>(baton(['add', 'Add b', '--json', '-r', 'adds:file:b.txt'], { cwd: p.dir, env: other })).task.id;
    p.agent(second, 'echo b > b.txt');
    expect(baton(['run', String(second), '--max-attempts', '1'], { cwd: p.dir, env: other }).code).toBe(0);

    const landing = spawnBaton(['merge', String(first)], { cwd: p.dir });
    await landing.waitFor((line) => line.includes('checking the merged result'), 60_000);
    const meanwhile = spawnBaton(['merge', String(second)], { cwd: p.dir, env: other });
    // Told the queue is busy and gone, or (the hole) checking its own merged result in the same scratch worktree.
    await Promise.race([meanwhile.exited, meanwhile.waitFor((line) => line.includes('checking the merged result'), 30_000)]);
    writeFileSync(join(gate, 'go'), '');
    await Promise.all([landing.exited, meanwhile.exited]);
    expect(meanwhile.lines.join('\n')).toContain('is being landed by');
    expect(meanwhile.lines.join('\n')).not.toContain('checking the merged result');
  });
});

describe('decisions made while the queue checks, on a red result', () => {
  it('a task rejected while its red checks run stays as the person left it, and the queue goes on with the next task', { timeout: TIMEOUT_MS }, async () => {
    const gate = sharedTempDir('baton-adversary-gate-');
    cleanups.push(() => rmSync(gate, { recursive: true, force: true }));
    const p = project();
    // A's code waits in the queue until the test has rejected A, then fails.
    const a = p.reviewed('Add code', onlyInTheQueue(`while [ ! -f ${gate}/go ]; do sleep 0.1; done; exit 1`), '-r', 'adds:file:src/code.sh');
    const b = p.reviewed('Add b', 'echo b > b.txt', '-r', 'adds:file:b.txt');
    const landing = spawnBaton(['merge', String(a), String(b)], { cwd: p.dir });
    await landing.waitFor((line) => line.includes('checking the merged result'), 60_000);
    expect(baton(['reject', String(a), '-m', 'wrong approach'], { cwd: p.dir }).code).toBe(0);
    writeFileSync(join(gate, 'go'), '');
    const exit = await landing.exited;

    expect(exit.stderr).not.toContain('changed while baton was deciding');
    expect(p.mainLog()).toEqual([`Add b (#${b})`, 'initial']);
    const events = json<{ events: { type: string }[] }>(baton(['log', String(a), '--json'], { cwd: p.dir })).events.map((event) => event.type);
    expect(events).toContain('review_rejected');
    expect(events).not.toContain('merge_returned');
  });
});

describe('a refusal leaves the board and the repository as they were', () => {
  it('merge of several tasks, one of them held for approval or unknown, queues none of them', { timeout: TIMEOUT_MS }, () => {
    const p = project({ merge: { approval: { paths: ['migrations/**'] } } });
    const free = p.reviewed('Add doc', 'echo doc > doc.txt', '-r', 'adds:file:doc.txt');
    const gated = p.reviewed('Add migration', 'mkdir -p migrations && echo m > migrations/1.sql', '-r', 'adds:file:migrations/1.sql');
    const before = { board: boardFingerprint(p.db), refs: refs(p.dir) };
    for (const [args, code] of [[[String(free), String(gated)], 4], [[String(free), '99'], 3]] as const) {
      const result = baton(['merge', ...args, '--json'], { cwd: p.dir });
      expect(result.code, result.stdout).toBe(code);
      expect(boardFingerprint(p.db)).toBe(before.board);
      expect(refs(p.dir)).toBe(before.refs);
    }
    const queue = json<{ entries: { task: { id: number }; position: number | null }[] }>(baton(['queue', '--json'], { cwd: p.dir }));
    expect(queue.entries.map((entry) => entry.position)).toEqual([null, null]);
  });
});
