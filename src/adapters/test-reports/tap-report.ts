import { Parser, type Result } from 'tap-parser';
import type { TestCaseResult, TestReport, TestStatus } from '../../core/run/test-results.js';
import { assertionValues, valueText } from './assertion-values.js';
import { looksLikeTap } from './detect-format.js';
import { firstRepositoryFrame, isFrameLine, repositoryLocation, repositoryPath, type ReaderOptions } from './source-location.js';

/** Diagnostics as node's test runner writes them in TAP's YAML block; other producers use some of the same keys. */
interface Diagnostics {
  error?: unknown;
  message?: unknown;
  expected?: unknown;
  actual?: unknown;
  location?: unknown;
  stack?: unknown;
  failureType?: unknown;
}

/** A test with subtests that failed only because a subtest did: its subtests say why. */
const SUBTESTS_FAILED = /^\d+ subtests? failed$/;
/** What node's runner says of a file that exited non-zero without a failing test of its own: the reason is in the output before it. */
const GENERIC_FAILURE = 'test failed';
/** A file's name where node's runner names a test after the file that holds it. */
const FILE_NAME = /^(?:[A-Za-z]:[\\/]|\/|\.{0,2}[\\/]?[\w@.-]+[\\/]).*\.(?:[cm]?[jt]sx?|mts|cts)$/;
/** The counts node's runner prints after the last test: not any test's output. */
const SUMMARY_COMMENT = /^# (?:tests|suites|pass|fail|cancelled|skipped|todo|duration_ms)\b/;
const MAX_OUTPUT_LINES = 20;

/** What one parser level has seen since its last test point. */
interface LevelState {
  output: string[];
  hadChild: boolean;
}

/**
 * Reads TAP, as node's test runner prints it (subtests nested by indentation under
 * `# Subtest:` comments, YAML diagnostics, `# SKIP` and `# TODO` directives) and as other
 * producers do. A test with subtests is not a test case unless it failed for a reason of its
 * own; a top-level test named after a file (node's runner did that for each file, and still
 * does for a file that fails to load) lends its file to the tests under it. Null when the text
 * is not TAP or cannot be read.
 */
export function readTapReport(text: string, options: ReaderOptions = {}): TestReport | null {
  if (!looksLikeTap(text)) return null;
  try {
    return { format: 'tap', tests: collect(text, options.root) };
  } catch {
    return null;
  }
}

function collect(text: string, root: string | undefined): TestCaseResult[] {
  const lines = text.split(/\r?\n/);
  const tests: TestCaseResult[] = [];
  const parser = new Parser();
  let lineCount = 0;
  parser.on('line', () => {
    lineCount += 1;
  });

  const watch = (level: Parser, fileWrapper: string | null): void => {
    const state: LevelState = { output: [], hadChild: false };
    level.on('comment', (comment: string) => {
      const line = comment.replace(/\n$/, '');
      if (!line.startsWith('# Subtest:') && !SUMMARY_COMMENT.test(line)) state.output.push(line);
    });
    level.on('extra', (extra: string) => state.output.push(extra.replace(/\n$/, '')));
    level.on('child', (child: Parser) => {
      state.hadChild = true;
      const wrapper = fileWrapper ?? (level === parser && FILE_NAME.test(child.name) ? child.name : null);
      watch(child, wrapper);
    });
    level.on('assert', (result: Result) => {
      const wasParent = state.hadChild;
      const output = state.output;
      state.hadChild = false;
      state.output = [];
      const test = testCase(result, { wasParent, output, fileWrapper, root, block: () => failureBlock(lines, lineCount, result) });
      if (test) tests.push(test);
    });
  };
  watch(parser, null);
  parser.end(text);
  return tests;
}

interface CaseContext {
  wasParent: boolean;
  output: string[];
  fileWrapper: string | null;
  root: string | undefined;
  block: () => string;
}

function testCase(result: Result, context: CaseContext): TestCaseResult | null {
  const status = statusOf(result);
  const diag = (typeof result.diag === 'object' && result.diag !== null ? result.diag : {}) as Diagnostics;
  const error = typeof diag.error === 'string' ? diag.error : typeof diag.message === 'string' ? diag.message : null;
  if (context.wasParent && (status !== 'failed' || error === null || SUBTESTS_FAILED.test(error) || diag.failureType === 'subtestsFailed')) return null;
  const { file, name } = identity(result, context);
  if (status !== 'failed') {
    return { file, name, status, message: null, expected: null, actual: null, location: null, block: '' };
  }
  const output = context.output.map((line) => line.replace(/^# ?/, ''));
  const message = error === GENERIC_FAILURE && output.length > 0 ? outputMessage(output) : error;
  const values = 'expected' in diag || 'actual' in diag ? { expected: valueText(diag.expected), actual: valueText(diag.actual) } : assertionValues(message);
  const stack = typeof diag.stack === 'string' ? diag.stack : '';
  const declared = typeof diag.location === 'string' ? repositoryLocation(diag.location, context.root) : null;
  const location = firstRepositoryFrame(stack, context.root, { anyLine: true }) ?? firstRepositoryFrame(output.join('\n'), context.root) ?? declared;
  const block = [...context.output, context.block()].filter((part) => part !== '').join('\n');
  return { file, name, status, message, expected: values.expected, actual: values.actual, location, block };
}

function statusOf(result: Result): TestStatus {
  if (result.todo !== false) return 'todo';
  if (result.skip !== false) return 'skipped';
  return result.ok ? 'passed' : 'failed';
}

/** The file and the full name; a file-named top-level test gives its file and leaves the name. */
function identity(result: Result, context: CaseContext): { file: string | null; name: string } {
  const fullname = (result.fullname || result.name).trim();
  if (context.fileWrapper === null) {
    if (!FILE_NAME.test(fullname)) return { file: null, name: fullname };
    const file = repositoryPath(fullname, context.root);
    return { file, name: file };
  }
  const file = repositoryPath(context.fileWrapper, context.root);
  const prefix = `${context.fileWrapper} > `;
  return { file, name: fullname.startsWith(prefix) ? fullname.slice(prefix.length) : fullname };
}

/** The error a file printed before node's runner reported it as failed, up to its stack. */
function outputMessage(output: readonly string[]): string {
  const lines = output.filter((line) => line.trim() !== '');
  const errorAt = Math.max(0, lines.findIndex((line) => /\b\w*Error\b/.test(line)));
  const stackAt = lines.findIndex((line, index) => index > errorAt && isFrameLine(line));
  return lines.slice(errorAt, Math.min(stackAt < 0 ? lines.length : stackAt, errorAt + MAX_OUTPUT_LINES)).join('\n');
}

/**
 * The test point line and its YAML block as printed, found backwards from where the parser
 * was when it emitted the result (the block's last line, or the line after).
 */
function failureBlock(lines: readonly string[], lineCount: number, result: Result): string {
  let start = Math.min(lineCount, lines.length) - 1;
  while (start >= 0 && !isTestPoint(lines[start] as string, result.name)) start -= 1;
  if (start < 0) return `not ok ${result.id} - ${result.name}`;
  const indent = /^\s*/.exec(lines[start] as string)?.[0].length ?? 0;
  let end = start;
  if ((lines[start + 1] ?? '').trim() === '---') {
    end = start + 1;
    while (end + 1 < lines.length && (lines[end] as string).trim() !== '...') end += 1;
  }
  return lines
    .slice(start, end + 1)
    .map((line) => line.slice(Math.min(indent, /^\s*/.exec(line)?.[0].length ?? 0)))
    .join('\n');
}

function isTestPoint(line: string, name: string): boolean {
  return /^\s*not ok\b/.test(line) && line.includes(name);
}
