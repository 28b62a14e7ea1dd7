import type { Task } from '../task.js';

const MAX_SLUG_CHARS = 40;

/** A task's title as a branch-name word: `Fix login (OAuth)!` → `fix-login-oauth`. */
export function titleSlug(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG_CHARS)
    .replace(/-+$/, '');
  return slug === '' ? 'task' : slug;
}

/** The branch a run works on: `baton/<id>-<slug>`. */
export function taskBranchName(task: Pick<Task, 'id' | 'title'>): string {
  return `baton/${taskDirName(task)}`;
}

/** The task's worktree folder name under the worktree root: `<id>-<slug>`. */
export function taskDirName(task: Pick<Task, 'id' | 'title'>): string {
  return `${task.id}-${titleSlug(task.title)}`;
}
