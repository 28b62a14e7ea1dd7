import type { BoardEvent } from '../../core/event.js';
import type { Finding } from '../../core/finding.js';
import type { Task } from '../../core/task.js';
import type { Paint } from '../output.js';

/*
 * The parts of the demo's report that tell a newcomer what happened on the board: why tasks
 * waited, and what impact awareness found and whom it told. Pure: everything comes from what
 * the CLI printed or the events it recorded.
 */

/** A task that could not be claimed at first: what it waited on, and whose completion freed it. */
export interface Wait {
  taskId: number;
  title: string;
  waitedOn: number[];
  /** The completion that unblocked it; null when it never was. */
  freedBy: { agent: string; taskId: number } | null;
}

/** A claim that `baton claim` warned about: the task overlaps work another agent was doing. */
export interface CollisionWarning {
  agent: string;
  taskId: number;
  reason: string;
}

/** What impact awareness found, who was told, and the notice as the told agent's inbox shows it. */
export interface ImpactStory {
  findings: Pick<Finding, 'id' | 'kind' | 'taskId' | 'otherTaskId' | 'subject' | 'recipient' | 'message'>[];
  collisions: CollisionWarning[];
  /** `baton inbox --as AGENT`, verbatim, for each agent a finding was addressed to. */
  inboxes: { agent: string; text: string }[];
}

/** The tasks created waiting on others, from the board's events. */
export function waitsOf(events: readonly BoardEvent[], tasks: readonly Pick<Task, 'id' | 'title'>[]): Wait[] {
  const waits: Wait[] = [];
  for (const created of events) {
    if (created.type !== 'task_created' || created.taskId === null) continue;
    const waitedOn = dependencyIds(created.payload['dependsOn']);
    if (waitedOn.length === 0) continue;
    const taskId = created.taskId;
    const unblocked = events.find((event) => event.type === 'task_unblocked' && event.taskId === taskId);
    // Completing a task and unblocking its dependents is one transaction by one actor.
    const completion = unblocked
      ? events.filter((event) => event.type === 'task_completed' && event.id < unblocked.id && event.actor === unblocked.actor && event.taskId !== null).at(-1)
      : undefined;
    waits.push({
      taskId,
      title: tasks.find((task) => task.id === taskId)?.title ?? String(created.payload['title'] ?? ''),
      waitedOn,
      freedBy: completion ? { agent: completion.actor, taskId: completion.taskId as number } : null,
    });
  }
  return waits;
}

function dependencyIds(value: unknown): number[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const { id, type } = (entry ?? {}) as { id?: unknown; type?: unknown };
    return typeof id === 'number' && (type === undefined || type === 'blocks') ? [id] : [];
  });
}

export function renderWaits(waits: readonly Wait[], p: Paint): string[] {
  const heading = p.bold('why tasks waited');
  if (waits.length === 0) return [heading, '  none did: no task waited on another'];
  const label = (wait: Wait): string => `#${wait.taskId} ${wait.title}`;
  const width = Math.max(...waits.map((wait) => label(wait).length));
  const onWidth = Math.max(...waits.map((wait) => ids(wait.waitedOn).length));
  return [
    `${heading} ${p.dim('(a task can be claimed only once every task it waits on is done; `baton blocked` lists them)')}`,
    ...waits.map((wait) => {
      const until = wait.freedBy ? `until ${wait.freedBy.agent} completed #${wait.freedBy.taskId}` : 'and was never unblocked';
      return `  ${label(wait).padEnd(width)}  waited on ${ids(wait.waitedOn).padEnd(onWidth)}  ${until}`;
    }),
  ];
}

export function renderImpact(story: ImpactStory, tasks: readonly Pick<Task, 'id' | 'title'>[], p: Paint): string[] {
  const title = (id: number | null): string => (id === null ? 'another task' : `#${id} ${tasks.find((task) => task.id === id)?.title ?? ''}`.trimEnd());
  const lines = [
    `${p.bold('impact findings')} ${p.dim("(the board's `!N findings`: one task's work touched what another task uses; baton tells the agent on the affected task)")}`,
  ];
  if (story.findings.length === 0) lines.push('  none this time: no task changed what another task uses');
  for (const finding of story.findings) {
    const told = finding.recipient ? `told ${finding.recipient}` : 'told nobody yet (the task was never claimed)';
    lines.push(`  [${finding.id}] ${title(finding.otherTaskId)} -> ${title(finding.taskId)}, on ${finding.subject}: ${told}`);
  }
  for (const inbox of story.inboxes) {
    lines.push(`  what ${inbox.agent} was told ($ baton inbox --as ${inbox.agent}):`, ...inbox.text.split('\n').map((line) => `    ${line}`));
  }
  for (const collision of story.collisions) {
    lines.push(`  ${p.yellow('collision')}: when ${collision.agent} claimed ${title(collision.taskId)}, baton warned: ${collision.reason}`);
  }
  if (story.findings.length + story.collisions.length > 0) {
    lines.push(p.dim('  the demo\'s agents only read these; a real agent adapts its work, then runs `baton ack ID -m "how"`'));
  }
  return lines;
}

function ids(list: readonly number[]): string {
  return list.map((id) => `#${id}`).join(' ');
}
