import { formatResource } from '../resource.js';
import { pathMatchesGlob } from '../run/path-glob.js';
import type { Task } from '../task.js';
import type { ApprovalPolicy } from './merge-settings.js';

/**
 * Why a task needs a person before it merges, one line per matching rule; empty: it merges on
 * its own. `changedPaths` is what its branch changes against the base.
 */
export function approvalReasons(task: Pick<Task, 'kind' | 'labels' | 'resources'>, changedPaths: readonly string[], policy: ApprovalPolicy): string[] {
  const reasons: string[] = [];
  for (const glob of policy.paths) {
    const matched = changedPaths.filter((path) => pathMatchesGlob(glob, path));
    if (matched.length > 0) reasons.push(`changes ${listed(matched)} (paths: ${glob})`);
  }
  for (const pattern of policy.resources) {
    const matched = task.resources.map(formatResource).filter((resource) => resourcePatternMatches(pattern, resource));
    if (matched.length > 0) reasons.push(`declares ${listed(matched)} (resources: ${pattern})`);
  }
  if (policy.kinds.includes(task.kind)) reasons.push(`is a ${task.kind} (kinds: ${task.kind})`);
  for (const label of policy.labels) if (task.labels.includes(label)) reasons.push(`is labelled ${label} (labels: ${label})`);
  return reasons;
}

/** `removes:*` against `removes:file:src/a.ts`: `*` stands for any run of characters, colons included. */
export function resourcePatternMatches(pattern: string, resource: string): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`).test(resource);
}

function listed(items: readonly string[]): string {
  return items.length <= 3 ? items.join(', ') : `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`;
}
