/** One entry of `git worktree list --porcelain -z`. */
export interface WorktreeEntry {
  path: string;
  /** Short branch name, or null for a detached HEAD or a bare repository. */
  branch: string | null;
  bare: boolean;
  /** Git lists it but its directory is gone (`git worktree prune` would drop it). */
  prunable: boolean;
  locked: boolean;
}

/**
 * Parses `git worktree list --porcelain -z`: attribute fields separated by NUL, an empty
 * field ending each worktree. `-z` keeps paths with newlines intact.
 */
export function parseWorktreeList(stdout: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | null = null;
  for (const field of stdout.split('\0')) {
    if (field === '') {
      if (current) entries.push(current);
      current = null;
      continue;
    }
    const space = field.indexOf(' ');
    const key = space === -1 ? field : field.slice(0, space);
    const value = space === -1 ? '' : field.slice(space + 1);
    if (key === 'worktree') current = { path: value, branch: null, bare: false, prunable: false, locked: false };
    else if (current === null) continue;
    else if (key === 'branch') current.branch = value.replace(/^refs\/heads\//, '');
    else if (key === 'bare') current.bare = true;
    else if (key === 'prunable') current.prunable = true;
    else if (key === 'locked') current.locked = true;
  }
  if (current) entries.push(current);
  return entries;
}
