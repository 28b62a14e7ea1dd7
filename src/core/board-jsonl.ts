import { checkBoardInvariants, timestamp } from './board-invariants.js';
import { DEPENDENCY_TYPES, isGating, type Dependency } from './dependency.js';
import { EVENT_TYPES, type BoardEvent } from './event.js';
import { BoardFileError, FieldReader } from './jsonl-fields.js';
import { TASK_KINDS } from './kind.js';
import type { Link } from './link.js';
import type { Priority } from './priority.js';
import { formatResource, parseResource, RESOURCE_MODES, type Resource } from './resource.js';
import { STATUSES } from './status.js';
import { parseDueDate } from './due-date.js';
import { controlCharacterIn, MAX_TEXT_LENGTH, MAX_TITLE_LENGTH, validateLabel, type Note, type Task } from './task.js';
import { quoted } from './quoted.js';

/**
 * The board as JSON Lines: a header, then one line per task, dependency, note and event, each
 * nested under its record name so the domain object keeps its own field names (a dependency's
 * and an event's `type` would otherwise clash with the line's). Ids and times are kept as they
 * are, so export → import → export gives the same lines.
 */
export const BOARD_FORMAT_VERSION = 1;

/**
 * Every field of a task but `version`: that is the store's write counter for refusing stale
 * updates, meaningless on another board, and a fresh import starts it again.
 */
export type ExportedTask = Omit<Task, 'version'>;
export type ExportedDependency = Dependency & { createdAt: string };

export interface BoardSnapshot {
  tasks: ExportedTask[];
  dependencies: ExportedDependency[];
  notes: Note[];
  events: BoardEvent[];
}

export interface BoardCounts {
  tasks: number;
  dependencies: number;
  notes: number;
  events: number;
}

export function countBoard(snapshot: BoardSnapshot): BoardCounts {
  const { tasks, dependencies, notes, events } = snapshot;
  return { tasks: tasks.length, dependencies: dependencies.length, notes: notes.length, events: events.length };
}

/** The board as JSONL lines (without newlines), in a fixed order and with fixed key order. */
export function boardToJsonl(snapshot: BoardSnapshot, exportedAt: string): string[] {
  const byId = <T extends { id: number }>(items: readonly T[]): T[] => [...items].sort((a, b) => a.id - b.id);
  const dependencies = [...snapshot.dependencies].sort((a, b) => a.taskId - b.taskId || a.dependsOnId - b.dependsOnId);
  return [
    JSON.stringify({ type: 'header', schemaVersion: BOARD_FORMAT_VERSION, exportedAt, counts: countBoard(snapshot) }),
    ...byId(snapshot.tasks).map((task) => JSON.stringify({ type: 'task', task: taskRecord(task) })),
    ...dependencies.map((dependency) => JSON.stringify({ type: 'dependency', dependency: dependencyRecord(dependency) })),
    ...byId(snapshot.notes).map((note) => JSON.stringify({ type: 'note', note: noteRecord(note) })),
    ...byId(snapshot.events).map((event) => JSON.stringify({ type: 'event', event: eventRecord(event) })),
  ];
}

// The record builders name every field in order: the lines do not depend on how a store
// happens to order an object's keys, and nothing a store adds leaks into the file.

function taskRecord(task: ExportedTask): ExportedTask {
  return {
    id: task.id, title: task.title, description: task.description, kind: task.kind, status: task.status,
    priority: task.priority, assignee: task.assignee, labels: task.labels, due: task.due, parentId: task.parentId,
    acceptance: task.acceptance, verify: task.verify, resources: task.resources, links: task.links,
    createdBy: task.createdBy, createdAt: task.createdAt, updatedAt: task.updatedAt, closedAt: task.closedAt,
    blockReason: task.blockReason, completionMessage: task.completionMessage, leaseExpiresAt: task.leaseExpiresAt,
    worktree: task.worktree, branch: task.branch,
  };
}

function dependencyRecord(dependency: ExportedDependency): ExportedDependency {
  return { taskId: dependency.taskId, dependsOnId: dependency.dependsOnId, type: dependency.type, createdAt: dependency.createdAt };
}

function noteRecord(note: Note): Note {
  return { id: note.id, taskId: note.taskId, author: note.author, body: note.body, createdAt: note.createdAt };
}

function eventRecord(event: BoardEvent): BoardEvent {
  const { id, at, actor, taskId, type, payload, recipients } = event;
  return { id, at, actor, taskId, type, payload, recipients };
}

interface Located<T> {
  line: number;
  value: T;
}

interface ParsedFile {
  headerLine: number;
  counts: BoardCounts;
  tasks: Located<ExportedTask>[];
  dependencies: Located<ExportedDependency>[];
  notes: Located<Note>[];
  events: Located<BoardEvent>[];
}

/**
 * Reads a board file, checking every line's shape, every reference between lines and the
 * invariants the commands keep (see checkBoardInvariants), so an import either loads the whole
 * file or refuses it before writing anything.
 */
export function parseBoardJsonl(text: string): BoardSnapshot {
  const file: ParsedFile = { headerLine: 0, counts: { tasks: 0, dependencies: 0, notes: 0, events: 0 }, tasks: [], dependencies: [], notes: [], events: [] };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    if (raw.trim() !== '') readLine(file, raw, index + 1);
  });
  if (file.headerLine === 0) throw new BoardFileError(1, 'header', 'is missing; the file is empty, not a `baton export`');
  checkCounts(file);
  checkReferences(file);
  checkBoardInvariants(file.tasks, file.dependencies);
  for (const { line, value } of file.notes) timestamp(line, 'note.createdAt', value.createdAt);
  for (const { line, value } of file.events) timestamp(line, 'event.at', value.at);
  const values = <T>(items: Located<T>[]): T[] => items.map((item) => item.value);
  return { tasks: values(file.tasks), dependencies: values(file.dependencies), notes: values(file.notes), events: values(file.events) };
}

function readLine(file: ParsedFile, raw: string, line: number): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new BoardFileError(line, 'JSON', `is not valid (${(error as Error).message})`);
  }
  const record = new FieldReader(line, '', parsed);
  const type = record.oneOf('type', ['header', 'task', 'dependency', 'note', 'event']);
  if (file.headerLine === 0 && type !== 'header') {
    throw new BoardFileError(line, 'type', `is ${quoted(type)} but the first line must be the header; is this a \`baton export\` file?`);
  }
  if (type === 'header') {
    if (file.headerLine !== 0) throw new BoardFileError(line, 'type', `'header' repeats the header of line ${file.headerLine}`);
    readHeader(file, record, line);
    return;
  }
  const body = record.object(type);
  record.end();
  if (type === 'task') file.tasks.push({ line, value: readTask(body) });
  else if (type === 'dependency') file.dependencies.push({ line, value: readDependency(body) });
  else if (type === 'note') file.notes.push({ line, value: readNote(body) });
  else file.events.push({ line, value: readEvent(body) });
}

function readHeader(file: ParsedFile, record: FieldReader, line: number): void {
  const version = record.integer('schemaVersion', 1);
  if (version > BOARD_FORMAT_VERSION) {
    throw new BoardFileError(line, 'schemaVersion', `is ${version}, newer than this baton reads (${BOARD_FORMAT_VERSION}); upgrade baton`);
  }
  record.string('exportedAt');
  const counts = record.object('counts');
  file.counts = {
    tasks: counts.integer('tasks', 0),
    dependencies: counts.integer('dependencies', 0),
    notes: counts.integer('notes', 0),
    events: counts.integer('events', 0),
  };
  counts.end();
  record.end();
  file.headerLine = line;
}

function readTask(r: FieldReader): ExportedTask {
  const task: ExportedTask = {
    id: r.integer('id', 1),
    title: r.string('title', MAX_TITLE_LENGTH),
    description: r.string('description', MAX_TEXT_LENGTH),
    kind: r.oneOf('kind', TASK_KINDS),
    status: r.oneOf('status', STATUSES),
    priority: r.integer('priority', 0, 4) as Priority,
    assignee: r.nullableString('assignee'),
    labels: r.stringList('labels'),
    due: r.nullableString('due'),
    parentId: r.nullable('parentId', () => r.integer('parentId', 1)),
    acceptance: r.stringList('acceptance'),
    verify: r.stringList('verify'),
    resources: r.list('resources', readResource),
    links: r.list('links', readLink),
    createdBy: r.string('createdBy'),
    createdAt: r.string('createdAt'),
    updatedAt: r.string('updatedAt'),
    closedAt: r.nullableString('closedAt'),
    blockReason: r.nullableString('blockReason'),
    completionMessage: r.nullableString('completionMessage'),
    leaseExpiresAt: r.nullableString('leaseExpiresAt'),
    worktree: r.nullableString('worktree'),
    branch: r.nullableString('branch'),
  };
  if (task.title.trim() === '') r.fail('title', 'is empty');
  const oneLine: (readonly [string, string | null])[] = [
    ['title', task.title], ['assignee', task.assignee], ['createdBy', task.createdBy], ['worktree', task.worktree], ['branch', task.branch],
    ...task.labels.map((label) => ['labels', label] as const),
    ...task.resources.flatMap((resource) => [['resources', resource.kind], ['resources', resource.name]] as const),
    ...task.links.map((link) => ['links', link.kind === 'url' ? link.url : link.path] as const),
  ];
  for (const [field, value] of oneLine) refuseControl(r, field, value, false);
  const text: (readonly [string, string | null])[] = [
    ['description', task.description], ['blockReason', task.blockReason], ['completionMessage', task.completionMessage],
    ...task.acceptance.map((line) => ['acceptance', line] as const),
    ...task.verify.map((line) => ['verify', line] as const),
  ];
  for (const [field, value] of text) refuseControl(r, field, value, true);
  for (const label of task.labels) refuseUnlessKept(r, 'labels', label, (value) => validateLabel(value));
  if (task.due !== null) refuseUnlessKept(r, 'due', task.due, (value) => parseDueDate(value, new Date(0)));
  for (const resource of task.resources) refuseUnlessKept(r, 'resources', formatResource(resource), (value) => formatResource(parseResource(value)));
  r.end();
  return task;
}

function readResource(r: FieldReader): Resource {
  const resource = { mode: r.oneOf('mode', RESOURCE_MODES), kind: r.string('kind'), name: r.string('name') };
  r.end();
  return resource;
}

function readLink(r: FieldReader): Link {
  const kind = r.oneOf('kind', ['file', 'url']);
  if (kind === 'url') {
    const link: Link = { kind, url: r.string('url') };
    r.end();
    return link;
  }
  const link: Link = { kind, path: r.string('path') };
  const startLine = r.optional('startLine', () => r.integer('startLine', 1));
  const endLine = r.optional('endLine', () => r.integer('endLine', 1));
  r.end();
  if (startLine === undefined) return link;
  return endLine === undefined ? { ...link, startLine } : { ...link, startLine, endLine };
}

function readDependency(r: FieldReader): ExportedDependency {
  const dependency = {
    taskId: r.integer('taskId', 1),
    dependsOnId: r.integer('dependsOnId', 1),
    type: r.oneOf('type', DEPENDENCY_TYPES),
    createdAt: r.string('createdAt'),
  };
  r.end();
  return dependency;
}

function readNote(r: FieldReader): Note {
  const note = { id: r.integer('id', 1), taskId: r.integer('taskId', 1), author: r.string('author'), body: r.string('body'), createdAt: r.string('createdAt') };
  refuseControl(r, 'author', note.author, false);
  refuseControl(r, 'body', note.body, true);
  r.end();
  return note;
}

/** A value its command would refuse, or store in another form, may not come in through a file either. */
function refuseUnlessKept(r: FieldReader, field: string, value: string, keep: (value: string) => string): void {
  let kept: string | null = null;
  try {
    kept = keep(value);
  } catch {
    // Refused just below, naming the line and field rather than a command's option.
  }
  if (kept !== value) r.fail(field, `holds ${quoted(value)}, which baton's commands would not store; fix or remove it`);
}

/** What the commands refuse, the file may not bring in either: it would reach every terminal that lists the board. */
function refuseControl(r: FieldReader, field: string, value: string | null, multiLine: boolean): void {
  const control = value === null ? null : controlCharacterIn(value, multiLine);
  if (control !== null) r.fail(field, `holds a control character (${control})${multiLine ? ' other than newline and tab' : ''}`);
}

function readEvent(r: FieldReader): BoardEvent {
  const event: BoardEvent = {
    id: r.integer('id', 1),
    at: r.string('at'),
    actor: r.string('actor'),
    taskId: r.nullable('taskId', () => r.integer('taskId', 1)),
    type: r.oneOf('type', EVENT_TYPES),
    payload: r.object('payload').raw,
    recipients: r.stringList('recipients'),
  };
  refuseControl(r, 'actor', event.actor, false);
  r.end();
  return event;
}

function checkCounts(file: ParsedFile): void {
  for (const key of ['tasks', 'dependencies', 'notes', 'events'] as const) {
    const found = file[key].length;
    if (file.counts[key] !== found) {
      throw new BoardFileError(
        file.headerLine, `counts.${key}`,
        `says ${file.counts[key]} but the file holds ${found} ${key} lines; the file may be truncated or edited, export it again`,
      );
    }
  }
}

/** Refuses what the board would refuse: duplicate ids, references to missing tasks, cycles. */
function checkReferences(file: ParsedFile): void {
  const taskLines = uniqueIds(file.tasks, 'task.id', 'task');
  uniqueIds(file.notes, 'note.id', 'note');
  uniqueIds(file.events, 'event.id', 'event');
  const requireTask = (id: number, line: number, field: string): void => {
    if (!taskLines.has(id)) throw new BoardFileError(line, field, `names task #${id}, which is not in the file`);
  };
  for (const { line, value } of file.tasks) {
    if (value.parentId === null) continue;
    if (value.parentId === value.id) throw new BoardFileError(line, 'task.parentId', `makes task #${value.id} its own parent`);
    requireTask(value.parentId, line, 'task.parentId');
  }
  const pairs = new Map<string, number>();
  for (const { line, value } of file.dependencies) {
    requireTask(value.taskId, line, 'dependency.taskId');
    requireTask(value.dependsOnId, line, 'dependency.dependsOnId');
    if (value.taskId === value.dependsOnId) throw new BoardFileError(line, 'dependency.dependsOnId', `makes task #${value.taskId} depend on itself`);
    const key = `${value.taskId}>${value.dependsOnId}`;
    const earlier = pairs.get(key);
    if (earlier !== undefined) throw new BoardFileError(line, 'dependency', `#${value.taskId} → #${value.dependsOnId} repeats line ${earlier}`);
    pairs.set(key, line);
  }
  for (const { line, value } of file.notes) requireTask(value.taskId, line, 'note.taskId');
  checkGatingCycles(file.dependencies);
}

function uniqueIds(items: readonly Located<{ id: number }>[], field: string, what: string): Map<number, number> {
  const lines = new Map<number, number>();
  for (const { line, value } of items) {
    const earlier = lines.get(value.id);
    if (earlier !== undefined) throw new BoardFileError(line, field, `${value.id} repeats the ${what} of line ${earlier}`);
    lines.set(value.id, line);
  }
  return lines;
}

/** Peels off tasks that gate on nothing left; whatever remains sits on a cycle or behind one. */
function checkGatingCycles(dependencies: readonly Located<ExportedDependency>[]): void {
  const gating = dependencies.filter(({ value }) => isGating(value.type));
  const waitingOn = new Map<number, number>();
  const dependents = new Map<number, number[]>();
  for (const { value } of gating) {
    waitingOn.set(value.taskId, (waitingOn.get(value.taskId) ?? 0) + 1);
    dependents.set(value.dependsOnId, [...(dependents.get(value.dependsOnId) ?? []), value.taskId]);
  }
  const free = [...new Set(gating.map(({ value }) => value.dependsOnId))].filter((id) => !waitingOn.has(id));
  while (free.length > 0) {
    for (const dependent of dependents.get(free.pop() as number) ?? []) {
      const left = (waitingOn.get(dependent) as number) - 1;
      if (left > 0) waitingOn.set(dependent, left);
      else {
        waitingOn.delete(dependent);
        free.push(dependent);
      }
    }
  }
  if (waitingOn.size > 0) throw cycleError(gating.filter(({ value }) => waitingOn.has(value.taskId) && waitingOn.has(value.dependsOnId)));
}

/**
 * Every task left waits on another one left, so following those edges from anywhere must come
 * back to a task already seen: that loop is the cycle to show.
 */
function cycleError(stuck: readonly Located<ExportedDependency>[]): BoardFileError {
  const next = new Map<number, Located<ExportedDependency>>();
  for (const edge of stuck) if (!next.has(edge.value.taskId)) next.set(edge.value.taskId, edge);
  const path: Located<ExportedDependency>[] = [];
  const seen = new Map<number, number>();
  let id = (stuck[0] as Located<ExportedDependency>).value.taskId;
  while (!seen.has(id)) {
    seen.set(id, path.length);
    const edge = next.get(id) as Located<ExportedDependency>;
    path.push(edge);
    id = edge.value.dependsOnId;
  }
  const cycle = path.slice(seen.get(id));
  const first = cycle[0] as Located<ExportedDependency>;
  const spelled = [...cycle.map((edge) => `#${edge.value.taskId}`), `#${id}`].join(' → ');
  return new BoardFileError(first.line, 'dependency', `closes a cycle: ${spelled}; remove one of these dependencies`);
}

/**
 * The order to insert tasks so every parent exists before its children (the store checks the
 * reference at once). Parents that form a loop cannot be ordered: those tasks go in without a
 * parent and `laterParents` says which to set once every task exists.
 */
export function parentFirstOrder(tasks: readonly ExportedTask[]): { order: ExportedTask[]; laterParents: { id: number; parentId: number }[] } {
  const children = new Map<number, ExportedTask[]>();
  for (const task of tasks) {
    if (task.parentId !== null) children.set(task.parentId, [...(children.get(task.parentId) ?? []), task]);
  }
  const order: ExportedTask[] = [];
  const laterParents: { id: number; parentId: number }[] = [];
  const placed = new Set<number>();
  const place = (root: ExportedTask): void => {
    const queue = [root];
    while (queue.length > 0) {
      const task = queue.shift() as ExportedTask;
      if (placed.has(task.id)) continue;
      placed.add(task.id);
      order.push(task);
      queue.push(...(children.get(task.id) ?? []));
    }
  };
  const sorted = [...tasks].sort((a, b) => a.id - b.id);
  for (const task of sorted) if (task.parentId === null) place(task);
  for (const task of sorted) {
    if (placed.has(task.id) || task.parentId === null) continue;
    laterParents.push({ id: task.id, parentId: task.parentId });
    place({ ...task, parentId: null });
  }
  return { order, laterParents };
}
