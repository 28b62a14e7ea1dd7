import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectContainment } from './containment.js';
import { TRY_WRITES } from './containment.contract.js';
import { runGroup } from './spawn-group.js';
import { WorktreeSandbox } from './worktree-sandbox.js';

/*
 * The sandbox as the runner uses it, on a real repository with a task worktree: what an
 * attempt may write (its worktree, the git objects a commit needs, temporary folders) and what
 * it may not (the system, the real home), and a home whose writes vanish with the command.
 */

const containment = await detectContainment();
const title = containment.kind === 'none' ? `the worktree sandbox (skipped: ${containment.reason})` : 'the worktree sandbox';
const isRoot = nodeProcess.geteuid?.() === 0;
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

async function waitUntil(done: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(containment.kind === 'none')(title, () => {
  let base: string;
  let repo: string;
  let worktree: string;
  let home: string;
  let sandbox: WorktreeSandbox;

  beforeAll(async () => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'baton-sandbox-')));
    repo = join(base, 'repo');
    home = join(base, 'home');
    mkdirSync(join(home, '.claude'), { recursive: true });
    writeFileSync(join(home, '.claude', '.credentials.json'), '{"token":"old"}\n');
    writeFileSync(join(home, '.profile'), 'export A=1\n');
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'ignore', env: { ...nodeProcess.env, HOME: home } });
    mkdirSync(repo);
    git('init', '-q');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'base');
    worktree = join(repo, '.baton', 'worktrees', 'task-1');
    git('worktree', 'add', '-q', '-b', 'task-1', worktree);
    sandbox = await WorktreeSandbox.detect(join(repo, '.baton', 'worktrees'), { ...nodeProcess.env, HOME: home });
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const inSandbox = (script: string, ...args: string[]) => inSandboxKeeping(undefined, script, ...args);
  const inSandboxKeeping = (keepHomeIn: string | undefined, script: string, ...args: string[]) => {
    const wrap = sandbox.wrapFor(repo, worktree, { branch: 'task-1', ...(keepHomeIn ? { keepHomeIn } : {}) });
    return runGroup(['sh', '-c', script, 'sh', ...args], {
      cwd: worktree,
      env: { ...nodeProcess.env, HOME: home, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
      ...(wrap ? { wrap } : {}),
    });
  };

  it('writes its worktree, a commit, and the temporary folders; not the main checkout, the real home, nor the logs git keeps of other refs', async () => {
    const scratch = join(tmpdir(), `baton-sandbox-scratch-${nodeProcess.pid}.txt`);
    const gitDir = join(repo, '.git');
    const baseBranch = execFileSync('git', ['-C', repo, 'symbolic-ref', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const refused = [
      join(repo, 'main.txt'),
      join(home, '.npmrc'),
      join(gitDir, 'logs', 'HEAD'),
      join(gitDir, 'logs', 'refs', 'heads', baseBranch),
      // Where the worktree's git data is, which baton's own git trusts after the attempt.
      join(worktree, '.git'),
      join(gitDir, 'worktrees', 'task-1', 'commondir'),
      join(gitDir, 'worktrees', 'task-1', 'gitdir'),
    ];
    const exit = await inSandbox(`${TRY_WRITES}; git add -A && git commit -qm inside && echo committed`, join(worktree, 'work.txt'), scratch, ...refused);
    rmSync(scratch, { force: true });
    expect(exit.stdoutTail.trim().split('\n')).toEqual([`ok ${join(worktree, 'work.txt')}`, `ok ${scratch}`, ...refused.map(() => 'Read-only file system'), 'committed']);
  });

  it("keeps the worktree's HEAD where it is for a command told to hold it (a check), not for others (the agent)", async () => {
    const head = join(repo, '.git', 'worktrees', 'task-1', 'HEAD');
    const held = sandbox.wrapFor(repo, worktree, { holdHead: true });
    const exit = await runGroup(['sh', '-c', TRY_WRITES, 'sh', head], { cwd: worktree, env: { ...nodeProcess.env, HOME: home }, ...(held ? { wrap: held } : {}) });
    expect(exit.stdoutTail).toBe('Read-only file system\n');
    expect((await inSandbox(TRY_WRITES, head)).stdoutTail).toBe(`ok ${head}\n`);
  });

  it("cannot write another run's kept home, nor the kernel's settings", async () => {
    const runs = join(repo, '.git', 'baton', 'runs');
    const [own, other] = [join(runs, '1', '1', 'agent-home'), join(runs, '2', '1', 'agent-home')];
    for (const dir of [own, other]) mkdirSync(dir, { recursive: true });
    // Opened for appending, nothing written: harmless should the write be allowed. Root's writes there reach the host's kernel.
    const exit = await inSandboxKeeping(own, TRY_WRITES, join(other, 'planted'), '/proc/sys/kernel/hostname', '/proc/sys/kernel/core_pattern');
    expect(exit.stdoutTail.trim().split('\n')).toEqual(['Read-only file system', ...[1, 2].map(() => (isRoot ? 'Read-only file system' : 'Permission denied'))]);
  });

  it.skipIf(!isRoot)('keeps the system read-only even for root: nothing planted in /usr/local/bin or /etc', async () => {
    const targets = ['/usr/local/bin/baton-sandbox-probe', '/etc/baton-sandbox-probe', '/root/baton-sandbox-probe'];
    const exit = await inSandbox(TRY_WRITES, ...targets);
    expect(exit.stdoutTail.trim().split('\n')).toEqual(targets.map(() => 'Read-only file system'));
    for (const target of targets) expect(existsSync(target)).toBe(false);
  });

  it('gives HOME as a layer: the command reads the real home and writes freely, and its writes vanish with it', async (context) => {
    if (!sandbox.description.includes('a layer of its own')) context.skip(`no home layer here: ${sandbox.description}`);
    const first = await inSandbox('cat "$HOME/.profile" && echo "script-shell=/tmp/fake" > "$HOME/.npmrc" && echo planted > "$HOME/.profile" && cat "$HOME/.npmrc" && echo "$HOME"');
    const [profile, npmrc, seenHome] = first.stdoutTail.trim().split('\n');
    expect(first.stderrTail).toBe('');
    expect(profile).toBe('export A=1');
    expect(npmrc).toBe('script-shell=/tmp/fake');
    expect(seenHome).not.toBe(home);
    // The next command (a check) finds the home as it was; so does the user.
    const second = await inSandbox('ls -A "$HOME"; cat "$HOME/.profile"');
    expect(second.stdoutTail.trim().split('\n')).toEqual(['.claude', '.profile', 'export A=1']);
    expect(existsSync(join(home, '.npmrc'))).toBe(false);
    expect(readFileSync(join(home, '.profile'), 'utf8')).toBe('export A=1\n');
  });

  it('writes an agent login refresh through to the real credentials file', async (context) => {
    if (!sandbox.description.includes('a layer of its own')) context.skip(`no home layer here: ${sandbox.description}`);
    const exit = await inSandbox('echo \'{"token":"new"}\' > "$HOME/.claude/.credentials.json" && echo done');
    expect(exit.stdoutTail).toBe('done\n');
    expect(readFileSync(join(home, '.claude', '.credentials.json'), 'utf8')).toBe('{"token":"new"}\n');
  });

  it('keeps a home layer across commands given the same folder (the agent across its attempts), and only for those', async (context) => {
    if (!sandbox.description.includes('a layer of its own')) context.skip(`no home layer here: ${sandbox.description}`);
    const kept = mkdtempSync(join(base, 'agent-home-'));
    expect((await inSandboxKeeping(kept, 'mkdir -p "$HOME/.claude/projects" && echo session > "$HOME/.claude/projects/s1"')).exitCode).toBe(0);
    expect((await inSandboxKeeping(kept, 'cat "$HOME/.claude/projects/s1"')).stdoutTail).toBe('session\n');
    expect((await inSandbox('ls -A "$HOME/.claude"')).stdoutTail).toBe('.credentials.json\n');
    expect(existsSync(join(home, '.claude', 'projects'))).toBe(false);
  });

  it('gives a check temporary folders of its own: what others left in /tmp is not there, the repository and home are', async () => {
    const planted = join(tmpdir(), `baton-sandbox-planted-${nodeProcess.pid}`);
    writeFileSync(planted, 'planted\n');
    try {
      const wrap = sandbox.wrapFor(repo, worktree, {});
      const mine = `/tmp/baton-sandbox-mine-${nodeProcess.pid}`;
      const script = `ls "$0" 2>&1 | sed "s/.*: //"; git rev-parse --is-inside-work-tree; cat "$HOME/.profile"; echo scratch > ${mine} && cat ${mine}`;
      const exit = await runGroup(['sh', '-c', script, planted], { cwd: worktree, env: { ...nodeProcess.env, HOME: home }, ...(wrap ? { wrap } : {}) });
      expect(exit.stderrTail).toBe('');
      expect(exit.stdoutTail.trim().split('\n')).toEqual(['No such file or directory', 'true', 'export A=1', 'scratch']);
      // What the check wrote there went with it.
      expect(existsSync(mine)).toBe(false);
    } finally {
      rmSync(planted, { force: true });
    }
  });
  it.skipIf(!hasTmux)("cannot ask a tmux server the person started to run a command: it would run outside, after the attempt", async () => {
    const socket = join(base, 'tmux-socket');
    const [inside, outside] = [join(base, 'sent-from-inside'), join(base, 'sent-from-outside')];
    execFileSync('tmux', ['-S', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'person', 'sh'], { stdio: 'ignore' });
    try {
      const send = (marker: string) => `tmux -S "$1" send-keys -t person "touch ${marker}" Enter 2>&1`;
      const exit = await inSandbox(send(inside), socket);
      expect(exit.stdoutTail).toMatch(/no server running|error connecting/);
      // The same request from outside the sandbox is carried out: the server is there and listening.
      execFileSync('sh', ['-c', send(outside), 'sh', socket]);
      await waitUntil(() => existsSync(outside));
      expect(existsSync(inside)).toBe(false);
    } finally {
      execFileSync('tmux', ['-S', socket, 'kill-server'], { stdio: 'ignore' });
    }
  });
});
