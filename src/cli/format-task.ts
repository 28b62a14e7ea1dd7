import type { DependencyLink } from '../app/ports.js';
import type { TaskDetail } from '../app/queries.js';
import type { BoardEvent } from '../core/event.js';
import { formatLink } from '../core/link.js';
import { priorityName } from '../core/priority.js';
import { formatResource } from '../core/resource.js';
import type { Task } from '../core/task.js';
import type { Paint } from './output.js';

/** The status, padded to `width` before colouring so columns line up in a terminal too. */
export function statusLabel(task: Task, p: Paint, width = 0): string {
  const colour = { open: p.cyan, in_progress: p.yellow, review: p.yellow, done: p.green, blocked: p.red, cancelled: p.dim, failed: p.red }[task.status];
  return colour(task.status.padEnd(width));
}

/** The assignee column is as wide as its longest name, within these bounds; longer names are cut. */
const ASSIGNEE_WIDTH = { min: 12, max: 24 } as const;

/** The assignee column's width for these tasks, so that one column lines up down a list. */
export function assigneeWidth(tasks: readonly Pick<Task, 'assignee'>[]): number {
  const longest = Math.max(0, ...tasks.map((task) => [...(task.assignee ?? '-')].length));
  return Math.min(ASSIGNEE_WIDTH.max, Math.max(ASSIGNEE_WIDTH.min, longest));
}

/**
 * The name padded to `width`, or cut with `…`. Two spaces always follow it: a name may hold
 * one space (`Mary Ann Smith`), so one space could not tell where the name ends and the title starts.
 */
function assigneeCell(name: string, width: number): string {
  const chars = [...name];
  const cell = chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : name.padEnd(width + name.length - chars.length);
  return `${cell}  `;
}

/** One line per task: `#12  open  P1  agent-2  Title  [labels]`. */
export function taskLine(task: Task & { openFindings?: number }, p: Paint, width = assigneeWidth([task])): string {
  const who = assigneeCell(task.assignee ?? '-', width);
  const labels = task.labels.length > 0 ? `  ${p.dim(`[${task.labels.join(',')}]`)}` : '';
  const due = task.due ? `  ${p.dim(`due ${task.due}`)}` : '';
  const open = task.openFindings ?? 0;
  const findings = open > 0 ? `  ${p.red(`!${open} finding${open === 1 ? '' : 's'}`)}` : '';
  return `${p.bold(`#${task.id}`.padEnd(6))} ${statusLabel(task, p, 11)} P${task.priority}  ${who}${task.title}${labels}${due}${findings}`;
}

/** Column headings over `taskLine`s of this assignee width, aligned with them (plain text: the caller may dim it). */
export function taskTableHeading(width: number = ASSIGNEE_WIDTH.min): string {
  return `${'id'.padEnd(6)} ${'status'.padEnd(11)} ${'pri'.padEnd(3)} ${assigneeCell('assignee', width)}title  [labels]  !open findings`;
}

export function taskTable(tasks: readonly Task[], p: Paint, empty: string): string {
  if (tasks.length === 0) return empty;
  const width = assigneeWidth(tasks);
  return tasks.map((task) => taskLine(task, p, width)).join('\n');
}

export function taskDetailText(detail: TaskDetail, p: Paint): string {
  const { task } = detail;
  const lines = [
    `${p.bold(`#${task.id} ${task.title}`)}`,
    `  status     ${statusLabel(task, p)}${task.blockReason ? ` (${task.blockReason})` : ''}`,
    `  kind       ${task.kind}`,
    `  priority   ${task.priority} (${priorityName(task.priority)})`,
    `  assignee   ${task.assignee ?? '-'}`,
  ];
  if (task.leaseExpiresAt) lines.push(`  lease      until ${task.leaseExpiresAt}`);
  if (task.worktree) lines.push(`  worktree   ${task.worktree}${task.branch ? ` (${task.branch})` : ''}`);
  if (task.labels.length > 0) lines.push(`  labels     ${task.labels.join(', ')}`);
  if (task.due) lines.push(`  due        ${task.due}`);
  if (task.parentId !== null) lines.push(`  parent     #${task.parentId}`);
  lines.push(`  created    ${task.createdAt} by ${task.createdBy}`);
  if (task.closedAt) lines.push(`  closed     ${task.closedAt}${task.completionMessage ? `: ${task.completionMessage}` : ''}`);
  if (task.description) lines.push('', indent(task.description));
  section(lines, 'acceptance', task.acceptance.map((item) => `- ${item}`));
  section(lines, 'verify', task.verify.map((command) => `$ ${command}`));
  section(lines, 'resources', task.resources.map(formatResource));
  section(lines, 'links', task.links.map(formatLink));
  section(lines, 'depends on', detail.dependsOn.map((link) => dependencyLine(link)));
  section(lines, 'needed by', detail.dependents.map((link) => dependencyLine(link)));
  section(lines, 'notes', detail.notes.map((note) => `${p.dim(`${note.createdAt} ${note.author}:`)} ${note.body}`));
  if (detail.footprint) {
    const { footprint } = detail;
    section(lines, `footprint (against ${footprint.base}, ${footprint.refreshedAt})`, footprint.paths.length > 0 ? footprint.paths : ['(no changes yet)']);
  }
  section(lines, 'findings', detail.findings.map((finding) => `[${finding.id}] ${finding.kind} (${finding.status}): ${finding.message}`));
  return lines.join('\n');
}

function dependencyLine(link: DependencyLink): string {
  const type = link.type === 'blocks' ? '' : ` (${link.type})`;
  return `#${link.other.id} ${link.other.title} [${link.other.status}]${type}`;
}

function section(lines: string[], title: string, items: readonly string[]): void {
  if (items.length === 0) return;
  lines.push('', `  ${title}:`, ...items.map((item) => `    ${item}`));
}

function indent(text: string): string {
  return text.split('\n').map((line) => `  ${line}`).join('\n');
}

export function eventLine(event: BoardEvent, p: Paint): string {
  const task = event.taskId === null ? '' : ` #${event.taskId}`;
  const to = event.recipients.length > 0 ? p.dim(` → ${event.recipients.join(', ')}`) : '';
  const payload = Object.keys(event.payload).length > 0 ? ` ${p.dim(JSON.stringify(event.payload))}` : '';
  return `${p.dim(`${event.id}`.padStart(5))} ${event.at} ${event.actor} ${p.bold(event.type)}${task}${payload}${to}`;
}
