import { isBlockerMet, isGating } from './dependency.js';
import { BoardFileError } from './jsonl-fields.js';
import type { Status } from './status.js';
import type { ExportedDependency, ExportedTask } from './board-jsonl.js';

interface Located<T> {
  line: number;
  value: T;
}

/**
 * What every board the commands make holds, checked on an imported file line by line: an
 * import must not bring in a state no command can reach (a claim with no holder, a task in
 * the queue that waits on unfinished work), because the rest of baton trusts these.
 * Called after references are checked, so every id named exists.
 */
export function checkBoardInvariants(tasks: readonly Located<ExportedTask>[], dependencies: readonly Located<ExportedDependency>[]): void {
  const statusOf = new Map(tasks.map(({ value }) => [value.id, value.status]));
  const unmet = new Map<number, { id: number; status: Status }[]>();
  for (const { line, value } of dependencies) {
    timestamp(line, 'dependency.createdAt', value.createdAt);
    if (!isGating(value.type)) continue;
    const status = statusOf.get(value.dependsOnId) as Status;
    if (!isBlockerMet(status)) unmet.set(value.taskId, [...(unmet.get(value.taskId) ?? []), { id: value.dependsOnId, status }]);
  }
  for (const { line, value } of tasks) {
    checkTimes(line, value);
    checkStatusFields(line, value);
    checkLinks(line, value);
    checkBlockedState(line, value, unmet.get(value.id) ?? []);
  }
  checkParentLoops(tasks);
}

/** Times are compared as text (a lease against now), so they must be baton's own ISO form. */
export function timestamp(line: number, field: string, value: string | null): void {
  if (value === null) return;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed) || new Date(parsed).toISOString() !== value) {
    throw new BoardFileError(line, field, `is '${value}', not a UTC time like 2025-01-02T03:04:05.000Z`);
  }
}

function checkTimes(line: number, task: ExportedTask): void {
  for (const field of ['createdAt', 'updatedAt', 'closedAt', 'leaseExpiresAt'] as const) timestamp(line, `task.${field}`, task[field]);
}

function checkStatusFields(line: number, task: ExportedTask): void {
  const { status } = task;
  const fail = (field: string, problem: string): never => {
    throw new BoardFileError(line, `task.${field}`, `${problem} (task #${task.id} is ${status})`);
  };
  if (status === 'in_progress') {
    if (task.assignee === null) fail('assignee', 'is missing: an in-progress task is held by someone; name the holder, or make it open');
    if (task.leaseExpiresAt === null) fail('leaseExpiresAt', 'is missing: an in-progress claim has a lease; give it one, or make the task open');
  } else if (task.leaseExpiresAt !== null) {
    fail('leaseExpiresAt', 'is set, but only an in-progress claim has a lease; set it to null');
  }
  const closed = status === 'done' || status === 'cancelled';
  if (closed && task.closedAt === null) fail('closedAt', 'is missing: a done or cancelled task records when it closed');
  if (!closed && task.closedAt !== null) fail('closedAt', 'is set, but only a done or cancelled task is closed; set it to null');
  if (task.blockReason !== null && status !== 'blocked') fail('blockReason', 'is set, but only a blocked task has a block reason; set it to null');
  if (task.completionMessage !== null && status !== 'done') fail('completionMessage', 'is set, but only a done task has one; set it to null');
}

function checkLinks(line: number, task: ExportedTask): void {
  for (const link of task.links) {
    if (link.kind === 'url') {
      if (!URL.canParse(link.url)) throw new BoardFileError(line, 'task.links', `holds '${link.url}', which is not a URL`);
      continue;
    }
    const path = link.path.replace(/\\/g, '/');
    if (path === '' || path.startsWith('/') || /^[a-z]:/i.test(path) || path.split('/').includes('..')) {
      throw new BoardFileError(line, 'task.links', `holds '${link.path}', which is outside the repository; links are paths relative to its root`);
    }
    if (link.endLine !== undefined && (link.startLine === undefined || link.endLine < link.startLine)) {
      throw new BoardFileError(line, 'task.links', `holds '${link.path}' with lines ${link.startLine ?? '?'}-${link.endLine}; END must not be before START`);
    }
  }
}

/**
 * Dependency-blocked and open must agree with the graph: `blocked` without a reason means
 * "waiting on unmet dependencies", and `open` means "nothing gating it is unfinished".
 */
function checkBlockedState(line: number, task: ExportedTask, unmet: readonly { id: number; status: Status }[]): void {
  const waiting = unmet.map((blocker) => `#${blocker.id} (${blocker.status})`).join(', ');
  if (task.status === 'open' && unmet.length > 0) {
    throw new BoardFileError(line, 'task.status', `is open, but task #${task.id} waits on ${waiting}; make it blocked, or drop those dependencies`);
  }
  if (task.status === 'blocked' && task.blockReason === null && unmet.length === 0) {
    throw new BoardFileError(line, 'task.status', `is blocked with no reason and nothing unfinished to wait on; make task #${task.id} open, or give a blockReason`);
  }
}

function checkParentLoops(tasks: readonly Located<ExportedTask>[]): void {
  const parentOf = new Map(tasks.map(({ value }) => [value.id, value.parentId]));
  const cleared = new Set<number>();
  for (const { line, value } of tasks) {
    const chain: number[] = [];
    for (let at: number | null = value.id; at !== null && !cleared.has(at); at = parentOf.get(at) ?? null) {
      if (chain.includes(at)) {
        const loop = [...chain.slice(chain.indexOf(at)), at].map((id) => `#${id}`).join(' → ');
        throw new BoardFileError(line, 'task.parentId', `closes a loop of parents: ${loop}; give one of them another parent`);
      }
      chain.push(at);
    }
    for (const id of chain) cleared.add(id);
  }
}
