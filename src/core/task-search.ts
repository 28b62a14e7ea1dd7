import type { Task } from './task.js';

/** Whether every word of `query` appears in the task's title, description or labels, in any case. */
export function taskMatchesText(task: Pick<Task, 'title' | 'description' | 'labels'>, query: string): boolean {
  const haystack = [task.title, task.description, ...task.labels].join('\n').toLowerCase();
  return query.toLowerCase().split(/\s+/).filter((word) => word !== '').every((word) => haystack.includes(word));
}
