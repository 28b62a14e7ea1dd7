import type { Task } from '../task.js';
import type { AgentReport } from './agent-report.js';
import type { CheckFailure } from './check-failure.js';

/** Git's convention for a subject line, so `git log --oneline` and review tools show it whole. */
const MAX_SUBJECT_CHARS = 72;
/** Entries of the report's lists put in the message; the evidence keeps the whole report. */
const MAX_LIST_ENTRIES = 30;
const MAX_ENTRY_CHARS = 300;

/**
 * The message of the commit a passing run leaves for review. Subject: the task's title and
 * ` (#id)`, at most 72 characters together (the title is shortened, never the id). Body: the
 * agent's report (summary, changes, tests) when it wrote a valid one. Trailers (`git
 * interpret-trailers` reads them): `Baton-Task`, `Baton-Run`, `Baton-Attempts`.
 */
export function commitMessage(task: Pick<Task, 'id' | 'title'>, report: AgentReport | null, run: { runNumber: number; attempts: number }): string {
  const body = report === null ? [`baton's checks passed after ${plural(run.attempts, 'attempt')}; the agent left no report.`] : reportParagraphs(report);
  return message(subject(task.title, ` (#${task.id})`), body, [
    ['Baton-Task', String(task.id)],
    ['Baton-Run', String(run.runNumber)],
    ['Baton-Attempts', String(run.attempts)],
  ]);
}

/**
 * The message of the checkpoint commit after a failing attempt, so the next attempt starts
 * from it and `git log` on the task branch shows what each attempt failed.
 */
export function checkpointMessage(task: Pick<Task, 'id' | 'title'>, attempt: number, failures: readonly CheckFailure[]): string {
  const checks = failures.length === 1 ? '1 check failed' : `${failures.length} checks failed`;
  const lines = failures.slice(0, MAX_LIST_ENTRIES).map((failure) => `- ${failure.checkId}: ${oneLine(failure.summary)}`);
  if (failures.length > MAX_LIST_ENTRIES) lines.push(`- ... and ${failures.length - MAX_LIST_ENTRIES} more`);
  const body = failures.length === 0 ? [] : [`Baton's checks failed on attempt ${attempt}:\n${lines.join('\n')}`];
  return message(subject(`Checkpoint: ${task.title}`, ` (#${task.id}, attempt ${attempt}, ${checks})`), body, [
    ['Baton-Task', String(task.id)],
    ['Baton-Attempt', String(attempt)],
  ]);
}

/**
 * The message of the checkpoint that keeps an attempt's work when baton's checks never ran on
 * it (the agent hung, crashed, hit a budget or a rate limit, or the run was stopped): the work
 * is kept on the branch, not vouched for.
 */
export function uncheckedCheckpointMessage(task: Pick<Task, 'id' | 'title'>, attempt: number, why: string): string {
  return message(subject(`Checkpoint: ${task.title}`, ` (#${task.id}, attempt ${attempt}, not checked)`), [`Kept as the attempt left it; baton's checks did not run: ${oneLine(why)}`], [
    ['Baton-Task', String(task.id)],
    ['Baton-Attempt', String(attempt)],
  ]);
}

/**
 * The message of the commit the merge queue lands for a task: for `squash`, the task's title and
 * ` (#id)` over its description's first paragraph; for `merge`, `Merge task #id: title`. Both end
 * with the `Baton-Task` trailer and the commit baton's checks passed on (`Baton-Verified`).
 */
export function landingMessage(task: Pick<Task, 'id' | 'title' | 'description'>, strategy: 'squash' | 'merge', verifiedCommit: string): string {
  const head = strategy === 'squash' ? subject(task.title, ` (#${task.id})`) : subject(`Merge task #${task.id}: ${task.title}`, '');
  const firstParagraph = task.description.trim().split(/\n\s*\n/)[0] ?? '';
  return message(head, firstParagraph === '' ? [] : [firstParagraph], [
    ['Baton-Task', String(task.id)],
    ['Baton-Verified', verifiedCommit],
  ]);
}

function reportParagraphs(report: AgentReport): string[] {
  const paragraphs = [report.summary.trim()];
  if (report.changes.length > 0) paragraphs.push(`Changes:\n${bullets(report.changes)}`);
  if (report.tests.length > 0) paragraphs.push(`Tests:\n${bullets(report.tests)}`);
  if (report.notes !== null && report.notes.trim() !== '') paragraphs.push(`Notes: ${report.notes.trim()}`);
  return paragraphs;
}

function bullets(entries: readonly string[]): string {
  const shown = entries.slice(0, MAX_LIST_ENTRIES).map((entry) => `- ${clip(oneLine(entry), MAX_ENTRY_CHARS)}`);
  if (entries.length > MAX_LIST_ENTRIES) shown.push(`- ... and ${entries.length - MAX_LIST_ENTRIES} more`);
  return shown.join('\n');
}

/** The title on one line, shortened so that it and the suffix fit in a subject line. */
function subject(title: string, suffix: string): string {
  return `${clip(oneLine(title), MAX_SUBJECT_CHARS - suffix.length)}${suffix}`;
}

/**
 * Paragraphs, then the trailers as the last paragraph. No body line may be taken for a
 * trailer or a comment: a blank line always separates them, and lines the agent wrote
 * starting with `#` are indented so `git commit --cleanup=strip` keeps them.
 */
function message(head: string, body: readonly string[], trailers: readonly (readonly [string, string])[]): string {
  const paragraphs = body.map((paragraph) => paragraph.replace(/^#/gm, ' #').trimEnd()).filter((paragraph) => paragraph !== '');
  const trailer = trailers.map(([key, value]) => `${key}: ${value}`).join('\n');
  return `${[head, ...paragraphs, trailer].join('\n\n')}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, Math.max(1, maxChars - 3));
  // Prefer a word boundary when one is near, so the subject does not end mid-word.
  const space = cut.lastIndexOf(' ');
  return `${space > cut.length - 15 && space > 0 ? cut.slice(0, space) : cut}...`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
