import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** Where a working directory sits in git: read from the files, without spawning git. */
export interface RepositoryLocation {
  /** Root of the worktree that contains the directory. */
  topLevel: string;
  /** The worktree's own git dir (`.git`, or `.git/worktrees/<name>` for a linked worktree). */
  gitDir: string;
  /** Shared by every worktree of the repository; the board lives under it. */
  commonDir: string;
  /** True inside a worktree made by `git worktree add`, false in the main checkout. */
  linked: boolean;
}

/**
 * Walks up from `cwd` to the nearest `.git`. Reading files is a few syscalls where
 * `git rev-parse` would cost a process start on every baton command.
 */
export function locateRepository(cwd: string): RepositoryLocation | null {
  let dir = resolve(cwd);
  for (;;) {
    const dotGit = join(dir, '.git');
    if (existsSync(dotGit)) {
      if (statSync(dotGit).isDirectory()) return { topLevel: dir, gitDir: dotGit, commonDir: dotGit, linked: false };
      const pointer = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
      if (pointer) {
        const gitDir = resolve(dir, (pointer[1] as string).trim());
        return { topLevel: dir, gitDir, commonDir: readCommonDir(gitDir), linked: existsSync(join(gitDir, 'commondir')) };
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * The bare repository `cwd` is in (`git init --bare`, a server's `repo.git`), or null: a place
 * git knows but with no work tree, which `locateRepository` does not count as a repository.
 */
export function bareRepositoryAround(cwd: string): string | null {
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return null;
    if (isBareGitDir(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function isBareGitDir(dir: string): boolean {
  try {
    if (!statSync(join(dir, 'objects')).isDirectory() || !statSync(join(dir, 'refs')).isDirectory() || !statSync(join(dir, 'HEAD')).isFile()) return false;
    return /^\s*bare\s*=\s*true\s*$/im.test(readFileSync(join(dir, 'config'), 'utf8'));
  } catch {
    return false;
  }
}

function readCommonDir(gitDir: string): string {
  const file = join(gitDir, 'commondir');
  if (!existsSync(file)) return gitDir;
  const target = readFileSync(file, 'utf8').trim();
  return isAbsolute(target) ? target : resolve(gitDir, target);
}

/** The branch checked out in a worktree, or null when HEAD is detached. */
export function currentBranch(location: RepositoryLocation): string | null {
  try {
    const head = readFileSync(join(location.gitDir, 'HEAD'), 'utf8');
    const match = /^ref:\s*refs\/heads\/(.+)$/m.exec(head);
    return match ? (match[1] as string).trim() : null;
  } catch {
    return null;
  }
}
