import { InvalidInputError } from './errors.js';
import type { TaskKind } from './kind.js';
import type { Link } from './link.js';
import type { Priority } from './priority.js';
import type { Resource } from './resource.js';
import type { Status } from './status.js';
import { quoted } from './quoted.js';

/** A unit of work on the board. Times are ISO-8601 strings in UTC. */
export interface Task {
  id: number;
  title: string;
  description: string;
  kind: TaskKind;
  status: Status;
  priority: Priority;
  assignee: string | null;
  labels: string[];
  due: string | null;
  parentId: number | null;
  acceptance: string[];
  verify: string[];
  resources: Resource[];
  links: Link[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** Why a human blocked the task (`block --reason`); null when blocked only by dependencies. */
  blockReason: string | null;
  /** The message given at `complete -m`. */
  completionMessage: string | null;
  leaseExpiresAt: string | null;
  /** Worktree the task is being worked in, set at claim time inside a linked worktree. */
  worktree: string | null;
  branch: string | null;
  /** Bumped on every write; lets the store refuse a stale update instead of losing one. */
  version: number;
}

/** A task before the store gives it an id. */
export type TaskRecord = Omit<Task, 'id' | 'version'>;

/** What a new task must be told; everything else starts empty. */
export type TaskRecordFields = Pick<TaskRecord, 'title' | 'createdBy' | 'createdAt'> & Partial<TaskRecord>;

/**
 * A task as it starts: open, priority 2, nothing declared, and nothing closed, blocked,
 * completed, leased or bound yet. `updatedAt` defaults to `createdAt`.
 */
export function newTaskRecord(fields: TaskRecordFields): TaskRecord {
  return {
    description: '',
    kind: 'task',
    status: 'open',
    priority: 2,
    assignee: null,
    labels: [],
    due: null,
    parentId: null,
    acceptance: [],
    verify: [],
    resources: [],
    links: [],
    updatedAt: fields.createdAt,
    closedAt: null,
    blockReason: null,
    completionMessage: null,
    leaseExpiresAt: null,
    worktree: null,
    branch: null,
    ...fields,
  };
}

export interface Note {
  id: number;
  taskId: number;
  author: string;
  body: string;
  createdAt: string;
}

/** Limits, documented in the README: long enough for real work, short enough for a list line. */
export const MAX_TITLE_LENGTH = 200;
export const MAX_TEXT_LENGTH = 20_000;
export const MAX_LABEL_LENGTH = 50;

/**
 * Control characters (escape sequences, carriage returns, bells...) would reach every terminal
 * that lists the board: a title could clear a screen or rewrite the line before it. Newline and
 * tab are the only ones text may hold; a single-line field holds none.
 *
 * The control characters are Unicode's Cc category (U+0000-U+001F, U+007F-U+009F, fixed by
 * Unicode's stability policy), spelled out: a `\p{Cc}` class makes V8 load ICU's property
 * tables, about half a millisecond of every command that prints or checks text.
 */
// eslint-disable-next-line no-control-regex -- matching the control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
// eslint-disable-next-line no-control-regex -- matching the control characters is the point
const CONTROL_IN_TEXT = /(?![\n\t])[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** The control character a single-line (`text: false`) or multi-line value holds, as U+XXXX; null when none. */
export function controlCharacterIn(value: string, text: boolean): string | null {
  return controlName(value, text ? CONTROL_IN_TEXT : CONTROL);
}

function controlName(text: string, pattern: RegExp): string | null {
  const found = pattern.exec(text)?.[0];
  return found === undefined ? null : `U+${(found.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
}

export function validateTitle(input: string, field = 'TITLE'): string {
  const title = input.trim().replace(/[ \t\n]+/g, ' ');
  if (title.length === 0) throw new InvalidInputError(field, 'the title is empty; give the task a short title');
  const control = controlName(title, CONTROL);
  if (control !== null) throw new InvalidInputError(field, `the title holds a control character (${control}); write it as plain text`);
  if (title.length > MAX_TITLE_LENGTH) {
    throw new InvalidInputError(
      field,
      `the title is ${title.length} characters, over the limit of ${MAX_TITLE_LENGTH}; put the detail in --description`,
    );
  }
  return title;
}

export function validateText(input: string, field: string): string {
  if (input.length > MAX_TEXT_LENGTH) {
    throw new InvalidInputError(field, `the text is ${input.length} characters, over the limit of ${MAX_TEXT_LENGTH}`);
  }
  const text = input.replace(/\r\n/g, '\n');
  const control = controlName(text, CONTROL_IN_TEXT);
  if (control !== null) throw new InvalidInputError(field, `the text holds a control character (${control}); only newlines and tabs may be in it`);
  return text;
}

export function validateLabel(input: string, field = '--label'): string {
  const label = input.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._/:-]*$/.test(label) || label.length > MAX_LABEL_LENGTH) {
    throw new InvalidInputError(
      field,
      `${quoted(input)} is not a label; use letters, digits, . _ / : - (up to ${MAX_LABEL_LENGTH} characters), comma-separated for several`,
    );
  }
  return label;
}

export function validateAgentName(input: string, field: string): string {
  const name = input.trim();
  // The names are printed in every listing: bidi overrides and line separators are refused with the control characters.
  if (name.length === 0 || name.length > 100 || name.includes(',') || CONTROL.test(name)) {
    throw new InvalidInputError(field, `${quoted(input)} is not an agent name; use up to 100 characters without commas, like agent-2`);
  }
  return name;
}

/** Splits `a,b` and repeated flags into one deduplicated, validated list. */
export function parseLabels(inputs: readonly string[], field = '--label'): string[] {
  const labels = inputs.flatMap((input) => input.split(',')).filter((part) => part.trim() !== '');
  return [...new Set(labels.map((label) => validateLabel(label, field)))];
}
