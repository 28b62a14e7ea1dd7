import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINMENT_TOOLS, containedCommand, probeContainment, type NamespaceContainment } from '../src/adapters/process/containment.js';
import { worktreeContainmentPolicy, type WorktreeLayout } from '../src/adapters/process/containment-policy.js';
import { runGroup, type CommandLine } from '../src/adapters/process/spawn-group.js';

/*
 * A real repository with real worktrees: git in the task's worktree can commit, while the main
 * checkout, another task's worktree, the board, run evidence, hooks and config stay read-only,
 * for root and for an unprivileged user.
 */

const probes = await Promise.all(CONTAINMENT_TOOLS.map(async (tool) => ({ tool, containment: await probeContainment(tool) })));
const NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'];

function git(cwd: string, args: string[]): string {
  // The nobody repository is not root's: git refuses another user's repository unless told it is safe.
  return execFileSync('git', ['-c', 'safe.directory=*', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** main/ with a commit, a board and a run's evidence under .git/baton, and worktrees x (the task's) and y (another task's). */
function makeRepo(base: string): WorktreeLayout & { board: string; hooks: string; otherFile: string } {
  const main = join(base, 'main repo');
  mkdirSync(main);
  git(main, ['init', '-q', '-b', 'main']);
  git(main, ['config', 'user.name', 'Test']);
  git(main, ['config', 'user.email', 'test@example.com']);
  writeFileSync(join(main, 'README'), 'main\n');
  git(main, ['add', 'README']);
  git(main, ['commit', '-q', '-m', 'first']);
  mkdirSync(join(main, '.git', 'baton', 'runs', 'r1'), { recursive: true });
  writeFileSync(join(main, '.git', 'baton', 'baton.db'), 'board\n');
  git(main, ['worktree', 'add', '-q', '-b', 'task-x', join('.baton', 'worktrees', 'x')]);
  git(main, ['worktree', 'add', '-q', '-b', 'task-y', join('.baton', 'worktrees', 'y')]);
  // A file everyone may write, so that only the mount can refuse a write to it.
  for (const file of ['README', join('.baton', 'worktrees', 'y', 'README')]) chmodSync(join(main, file), 0o666);
  return {
    mainCheckout: main,
    gitCommonDir: join(main, '.git'),
    worktree: join(main, '.baton', 'worktrees', 'x'),
    worktreeGitDir: join(main, '.git', 'worktrees', 'x'),
    otherWorktrees: [main, join(main, '.baton', 'worktrees', 'x'), join(main, '.baton', 'worktrees', 'y')],
    board: join(main, '.git', 'baton', 'baton.db'),
    hooks: join(main, '.git', 'hooks'),
    otherFile: join(main, '.baton', 'worktrees', 'y', 'README'),
  };
}

/** Commits in the worktree, then tries every write the policy forbids; prints what happened to each. */
const SCRIPT = `
echo change > change.txt && git add change.txt && git commit -q -m inside && echo committed
for f in "$@"; do if ( : >> "$f" ) 2>/dev/null; then echo "wrote $f"; else ( : >> "$f" ) 2>&1 | sed 's/.*: //'; fi; done
git config core.hooksPath /tmp 2>&1 | grep -o 'Read-only file system' | head -1
`;

for (const { tool: name, containment } of probes) {
  describe.skipIf(containment.kind === 'none')(`a task's worktree under ${name} containment${containment.kind === 'none' ? ` (skipped: ${containment.reason})` : ''}`, () => {
    const tool = containment as NamespaceContainment;

    for (const who of ['root', 'nobody'] as const) {
      describe(`as ${who}`, () => {
        let base: string | undefined;
        let repo: ReturnType<typeof makeRepo>;
        let skip: string | null = null;

        beforeAll(() => {
          if (nodeProcess.geteuid?.() !== 0) {
            skip = 'the tests need root (to be root, and to switch to nobody)';
            return;
          }
          // Below /tmp, open to all: the test's own temporary directory may be root's alone.
          base = mkdtempSync('/tmp/baton-containment-git-');
          chmodSync(base, 0o755);
          repo = makeRepo(base);
          if (who === 'nobody') execFileSync('chown', ['-R', 'nobody:nogroup', base]);
        });
        afterAll(() => {
          if (base) rmSync(base, { recursive: true, force: true });
        });

        it('commits in the worktree; the checkout, the other worktree, the board, evidence, hooks and config stay read-only', async (context) => {
          if (skip) context.skip(skip);
          const policy = worktreeContainmentPolicy(repo);
          const wrap = (command: CommandLine) => {
            const inner = containedCommand(command, { ...tool, root: who === 'root' }, policy);
            return who === 'root' ? inner : { ...inner, argv: [...NOBODY, ...inner.argv] };
          };
          const hooksBefore = readdirSync(repo.hooks);
          const targets = [join(repo.mainCheckout, 'README'), repo.otherFile, repo.board, join(repo.gitCommonDir, 'baton', 'runs', 'r1', 'x.json'), join(repo.hooks, 'pre-commit'), join(repo.gitCommonDir, 'config')];
          const exit = await runGroup(['sh', '-c', SCRIPT, 'sh', ...targets], {
            cwd: repo.worktree,
            env: { ...nodeProcess.env, HOME: base as string },
            wrap,
          });
          expect(exit.stderrTail).toBe('');
          expect(exit.stdoutTail.trim().split('\n')).toEqual(['committed', ...targets.map(() => 'Read-only file system'), 'Read-only file system']);
          expect(git(repo.mainCheckout, ['log', '-1', '--format=%s', 'task-x'])).toBe('inside');
          expect(git(repo.mainCheckout, ['log', '-1', '--format=%s', 'main'])).toBe('first');
          expect(readFileSync(repo.board, 'utf8')).toBe('board\n');
          expect(readdirSync(repo.hooks)).toEqual(hooksBefore);
          expect(readFileSync(join(repo.gitCommonDir, 'config'), 'utf8')).not.toContain('hooksPath');
        });
      });
    }
  });
}
