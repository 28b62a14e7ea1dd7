import { errorLineIndexes, stripTerminalCodes } from './error-lines.js';
import { countsSummary, countTests, failedTests, type TestCaseResult, type TestReport } from './test-results.js';

/**
 * What the agent is told of a failing check. A blind tail of the output misses the failure as
 * soon as a runner prints anything after it (ten passing tests, a summary), so this picks the
 * failing tests out of a report, or the lines around errors out of output no reader knows.
 */
export interface FeedbackOptions {
  /** The most characters the feedback may have. */
  budgetChars: number;
}

/** Lines of one test's message or output, and characters of one line, before they are cut. */
const MAX_MESSAGE_LINES = 25;
const MAX_LINE_CHARS = 400;

/**
 * The failing tests, each with its name and file, where it failed, its message and the
 * expected and actual values; as many as fit in the budget (the ones after that as one line
 * each, then a count of those left out), then one line of counts, which is kept even when
 * nothing else fits. When no test failed the counts are all it has to say: the command failed
 * for another reason, which its output tells.
 */
export function structuredFeedback(report: TestReport, options: FeedbackOptions): string {
  const summary = `Tests: ${countsSummary(countTests(report.tests))}`;
  const failed = failedTests(report);
  let room = options.budgetChars - summary.length;
  const parts: string[] = [];
  for (const [index, test] of failed.entries()) {
    const later = failed.length - index - 1;
    const available = room - 2 - (later > 0 ? omittedLine(later).length + 2 : 0);
    const entry = testEntry(test);
    const text = entry.length <= available ? entry : index === 0 ? cutToFit(test, available) || cutLine(oneLine(test), available) : oneLine(test);
    if (text === '' || text.length > available) break;
    parts.push(text);
    room -= text.length + 2;
  }
  const left = failed.length - parts.length;
  const omitted = left > 0 ? omittedLine(left) : null;
  // The counts are worth more than the note of what was left out, if both do not fit.
  if (omitted !== null && room - omitted.length - 2 >= 0) parts.push(omitted);
  parts.push(summary);
  return bounded(parts.join('\n\n'), options.budgetChars);
}

function omittedLine(count: number): string {
  return `[… ${count} more failing ${count === 1 ? 'test' : 'tests'} not shown …]`;
}

/** One failing test as the agent reads it. */
export function testEntry(test: TestCaseResult): string {
  const { head, message, values } = entryParts(test);
  return [...head, ...message, ...values].join('\n');
}

/** The parts of an entry: what names the test, the message, and the values, which matter most when room is short. */
function entryParts(test: TestCaseResult): { head: string[]; message: string[]; values: string[] } {
  const head = [`✗ ${test.name}${test.file === null || test.name === test.file ? '' : `  (${test.file})`}`];
  if (test.location !== null) head.push(`  at ${test.location}`);
  const text = test.message ?? (test.block === '' ? null : withoutForeignFrames(test.block));
  const message = text === null ? [] : capped(text.split('\n')).map((line) => (line === '' ? '' : `  ${line}`));
  const values: string[] = [];
  if (test.expected !== null) values.push(`  expected: ${cutLine(test.expected)}`);
  if (test.actual !== null) values.push(`  actual:   ${cutLine(test.actual)}`);
  return { head, message, values };
}

function oneLine(test: TestCaseResult): string {
  const first = test.message?.split('\n').find((line) => line.trim() !== '') ?? '';
  const values = test.expected !== null || test.actual !== null ? ` (expected ${test.expected ?? '?'}, actual ${test.actual ?? '?'})` : '';
  return cutLine(`✗ ${test.name}${test.location === null ? '' : ` at ${test.location}`}${values}: ${first.trim()}`);
}

/** Stack frames of dependencies and the runtime say nothing the agent can change. */
function withoutForeignFrames(block: string): string {
  return block
    .split('\n')
    .filter((line) => !/node_modules[\\/]|\(node:|^\s*(?:at\s+)?node:|<anonymous>/.test(line))
    .join('\n');
}

/** At most MAX_MESSAGE_LINES lines, runs of blank lines made one, each line cut to MAX_LINE_CHARS. */
function capped(lines: readonly string[]): string[] {
  const kept = lines.filter((line, index) => line.trim() !== '' || (index > 0 && (lines[index - 1] as string).trim() !== ''));
  while (kept.length > 0 && (kept.at(-1) as string).trim() === '') kept.pop();
  const shown = kept.slice(0, MAX_MESSAGE_LINES).map((line) => cutLine(line.trimEnd()));
  if (kept.length > MAX_MESSAGE_LINES) shown.push(`[… ${kept.length - MAX_MESSAGE_LINES} lines …]`);
  return shown;
}

function cutLine(line: string, maxChars = MAX_LINE_CHARS): string {
  if (line.length <= maxChars) return line;
  return maxChars < 20 ? '' : `${line.slice(0, maxChars - 1)}…`;
}

/** The entry in `room` characters: its name, location and values, and as much of its message as fits, with a mark of what was cut. */
function cutToFit(test: TestCaseResult, room: number): string {
  const { head, message, values } = entryParts(test);
  const size = (lines: readonly string[]): number => lines.reduce((sum, line) => sum + line.length + 1, 0);
  let left = room - size(head) - size(values);
  if (left < 0) return '';
  const kept: string[] = [];
  for (const [index, line] of message.entries()) {
    const mark = `  [… ${message.length - index} lines …]`;
    const after = index + 1 < message.length ? mark.length + 1 : 0;
    if (line.length + 1 + after > left) {
      if (mark.length + 1 <= left) kept.push(mark);
      break;
    }
    kept.push(line);
    left -= line.length + 1;
  }
  return [...head, ...kept, ...values].join('\n');
}

/** Lines kept from the start (where the command and its set-up are) and the end (where the summary is). */
const HEAD_LINES = 5;
const TAIL_LINES = 15;
/** Lines kept before and after each error line. */
const BEFORE_LINES = 3;
const AFTER_LINES = 6;
const GAP_MARK_CHARS = 24;
/** The most of the budget the tail may take. */
const TAIL_SHARE = 0.4;

/**
 * For output no reader understands: the end, a window of lines around each line that looks
 * like an error (or the values just after one), and the start, with each gap marked
 * `[… N lines …]`. The end comes first (at most 40% of the budget), then the windows in the
 * order they appear, then the start, until the budget is spent; what does not fit is left
 * out, never a part of a line.
 */
export function unstructuredFeedback(output: string, options: FeedbackOptions): string {
  const lines = stripTerminalCodes(output).replace(/\r\n?/g, '\n').trimEnd().split('\n').map((line) => cutLine(line));
  const whole = lines.join('\n');
  if (whole.length <= options.budgetChars) return whole;

  const selection = lineSelection(lines);
  const within = (): boolean => selection.chars() <= options.budgetChars;

  // The tail first (where the summary is), but not so much of it that no failure fits.
  for (let take = TAIL_LINES; take > 0; take--) {
    const added = selection.add(lines.length - take, lines.length);
    if (selection.chars() <= options.budgetChars * TAIL_SHARE) break;
    selection.remove(added);
  }
  // Then the failures in the order they appear, a window around each, or the line alone when the window does not fit.
  for (const index of errorLineIndexes(lines)) {
    if (selection.has(index)) continue;
    const window = selection.add(index - BEFORE_LINES, index + AFTER_LINES + 1);
    if (within()) continue;
    selection.remove(window);
    const alone = selection.add(index, index + 1);
    if (within()) continue;
    selection.remove(alone);
    break;
  }
  // Then the start (the command and its set-up) with what room is left.
  for (let take = HEAD_LINES; take > 0; take--) {
    const added = selection.add(0, take);
    if (within()) break;
    selection.remove(added);
  }
  return bounded(render(lines, selection), options.budgetChars);
}

interface LineSelection {
  has(index: number): boolean;
  /** Chooses the lines from `from` to before `to`; returns those it newly chose. */
  add(from: number, to: number): number[];
  /** Leaves out again lines `add` returned. */
  remove(indexes: readonly number[]): void;
  /** About how long the rendering would be: the chosen lines and a gap mark per run left out. */
  chars(): number;
}

/** Which lines of the output are shown, with its rendered length kept up to date as lines come and go. */
function lineSelection(lines: readonly string[]): LineSelection {
  const chosen = new Set<number>();
  let cost = 0;
  let gaps = lines.length > 0 ? 1 : 0;
  const isOut = (index: number): boolean => index >= 0 && index < lines.length && !chosen.has(index);
  const toggle = (index: number, choose: boolean): void => {
    const sides = (isOut(index - 1) ? 1 : 0) + (isOut(index + 1) ? 1 : 0);
    // Choosing a line splits the run it was in (two sides out), shortens it (one) or ends it (none); leaving it out undoes that.
    const change = sides === 2 ? 1 : sides === 0 ? -1 : 0;
    gaps += choose ? change : -change;
    if (choose) chosen.add(index);
    else chosen.delete(index);
    cost += (choose ? 1 : -1) * ((lines[index] as string).length + 1);
  };
  return {
    has: (index) => chosen.has(index),
    add(from, to) {
      const added: number[] = [];
      for (let index = Math.max(0, from); index < Math.min(lines.length, to); index++) {
        if (chosen.has(index)) continue;
        toggle(index, true);
        added.push(index);
      }
      return added;
    },
    remove(indexes) {
      for (const index of [...indexes].reverse()) toggle(index, false);
    },
    chars: () => cost + gaps * GAP_MARK_CHARS,
  };
}

function render(lines: readonly string[], selection: LineSelection): string {
  const out: string[] = [];
  let skipped = 0;
  lines.forEach((line, index) => {
    if (!selection.has(index)) {
      skipped += 1;
      return;
    }
    if (skipped > 0) out.push(gapMark(skipped));
    skipped = 0;
    out.push(line);
  });
  if (skipped > 0) out.push(gapMark(skipped));
  return out.join('\n');
}

function gapMark(count: number): string {
  return `[… ${count} ${count === 1 ? 'line' : 'lines'} …]`;
}

/** The last resort when even the shortest form is too long: cut at a line start. */
function bounded(text: string, budgetChars: number): string {
  if (text.length <= budgetChars) return text;
  const cut = text.slice(0, Math.max(0, budgetChars));
  const newline = cut.lastIndexOf('\n');
  return newline > 0 ? cut.slice(0, newline) : cut;
}
