import type { TestCaseResult, TestReport, TestStatus } from '../../core/run/test-results.js';
import { assertionValues } from './assertion-values.js';
import { repositoryLocation, type ReaderOptions } from './source-location.js';

/*
 * Rust's test harness (libtest) as `cargo test` prints it: per test binary a `running N tests`
 * line, one `test <path> ... ok|FAILED|ignored` line per test, the failures' captured output in
 * `---- <path> stdout ----` blocks, and a `test result:` line. Its JSON output needs a nightly
 * toolchain, so the text is what a stable project has. cargo says which binary runs (`Running
 * unittests src/lib.rs (...)`, `Running tests/api.rs (...)`, `Doc-tests cart`) on its stderr,
 * one such line per `running N tests` section, in the same order: read from two pipes, the
 * lines of one may arrive among the other's anywhere, so the k-th binary line names the k-th
 * section whenever the counts agree (else each section takes the binary line above it). Without
 * those lines, tests have no file.
 */

const RUNNING_COUNT = /^running \d+ tests?$/m;
const RESULT_LINE = /^test result: (?:ok|FAILED)\. \d+ passed; \d+ failed; \d+ ignored;/m;
const BINARY_LINE = /^\s*Running (?:unittests |benches )?(\S.*?) \(.*\)\s*$/;
const DOC_TESTS_LINE = /^\s*Doc-tests \S+\s*$/;
const SECTION_START = /^running \d+ tests?$/;
const TEST_LINE = /^test (.+?) \.\.\. (ok|FAILED|ignored(?:, .*)?)\s*$/;
const BLOCK_START = /^---- (.+) stdout ----$/;
const SECTION_END = /^(?:failures:|test result: |running \d+ tests?$)/;
/** Rust 1.73 and later: `thread 'x' (123) panicked at src/lib.rs:25:9:` then the message; before: `panicked at 'message', src/lib.rs:25:9`. */
const PANIC_AT = /panicked at (\S+?:\d+:\d+):\s*$/;
const OLD_PANIC = /panicked at '(.*)', (\S+?:\d+:\d+)\s*$/;
/** Where the message of a panic ends: the backtrace, or libtest's hint about one. */
const MESSAGE_END = /^(?:stack backtrace:|note: )/;
const BACKTRACE_FRAME = /^\s+(?:\d+: |at )/;

/** Whether the output holds libtest's report: a `running N tests` line and a `test result:` line. */
export function looksLikeLibtest(output: string): boolean {
  return RUNNING_COUNT.test(output) && RESULT_LINE.test(output);
}

/**
 * The tests of every binary in `cargo test` output. A doc test is named without its line
 * (`src/lib.rs - with_tax`), which moves whenever code above it changes; two doc tests of
 * one item are told apart by their order (`#2`). Null when the text is not libtest's.
 */
export function readLibtestReport(text: string, options: ReaderOptions = {}): TestReport | null {
  if (!looksLikeLibtest(text)) return null;
  const tests: TestCaseResult[] = [];
  const lines = text.split(/\r?\n/);
  const binaries = lines.flatMap((line) => (BINARY_LINE.test(line) || DOC_TESTS_LINE.test(line) ? [BINARY_LINE.exec(line)?.[1] ?? null] : []));
  const inOrder = binaries.length === lines.filter((line) => SECTION_START.test(line)).length;
  let sections = 0;
  let file: string | null = null;
  // This binary's tests by the name libtest prints, which its failure blocks repeat, and the names given.
  let section = new Map<string, TestCaseResult>();
  let names = new Set<string>();
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    if (!inOrder && (BINARY_LINE.test(line) || DOC_TESTS_LINE.test(line))) file = BINARY_LINE.exec(line)?.[1] ?? null;
    if (SECTION_START.test(line)) {
      if (inOrder) file = binaries[sections] ?? null;
      sections += 1;
      section = new Map();
      names = new Set();
      continue;
    }
    const test = TEST_LINE.exec(line);
    if (test) {
      const printed = plainName(test[1] as string);
      const result = testCase(printed, statusOf(test[2] as string), file, names);
      section.set(printed, result);
      names.add(result.name);
      tests.push(result);
      continue;
    }
    const block = BLOCK_START.exec(line);
    if (!block) continue;
    const end = lines.findIndex((candidate, at) => at > index && (BLOCK_START.test(candidate) || SECTION_END.test(candidate)));
    const body = lines.slice(index + 1, end < 0 ? lines.length : end);
    const failed = section.get(plainName(block[1] as string));
    if (failed && failed.status === 'failed') Object.assign(failed, failureOf(body, options.root));
    index = (end < 0 ? lines.length : end) - 1;
  }
  return { format: 'libtest', tests };
}

function statusOf(word: string): TestStatus {
  if (word === 'ok') return 'passed';
  if (word === 'FAILED') return 'failed';
  return 'skipped';
}

function testCase(printed: string, status: TestStatus, file: string | null, taken: ReadonlySet<string>): TestCaseResult {
  const doc = docTestName(printed);
  let name = doc.name;
  // Two doc tests on one item differ only in the line this name leaves out.
  for (let count = 2; taken.has(name); count += 1) name = `${doc.name} #${count}`;
  return { file: doc.file ?? file, name, status, message: null, expected: null, actual: null, location: null, block: '' };
}

/** `tests::refuses_empty - should panic` → `tests::refuses_empty`. */
function plainName(printed: string): string {
  return printed.replace(/ - should panic(?: with .*)?$/, '');
}

/** `src/lib.rs - with_tax (line 3)` → file `src/lib.rs`, name `src/lib.rs - with_tax`; other names are not doc tests. */
function docTestName(printed: string): { file: string | null; name: string } {
  const match = /^(\S+\.rs) - (.+?) \(line \d+\)(?: - .*)?$/.exec(printed);
  return match ? { file: match[1] as string, name: `${match[1]} - ${match[2]}` } : { file: null, name: printed };
}

/** What a failure block says: the panic's message and place, `left`/`right` of an `assert_eq!`, the block without its backtrace. */
function failureOf(body: readonly string[], root: string | undefined): Pick<TestCaseResult, 'message' | 'expected' | 'actual' | 'location' | 'block'> {
  const kept = body.filter((line) => !BACKTRACE_FRAME.test(line));
  const block = kept.join('\n').trim();
  let message: string | null = null;
  let location: string | null = null;
  const panic = body.findIndex((line) => PANIC_AT.test(line) || OLD_PANIC.test(line));
  if (panic >= 0) {
    const line = body[panic] as string;
    const old = OLD_PANIC.exec(line);
    location = old ? (old[2] as string) : (PANIC_AT.exec(line)?.[1] as string);
    const rest = body.slice(panic + 1);
    const end = rest.findIndex((candidate) => MESSAGE_END.test(candidate));
    message = old ? (old[1] as string) : rest.slice(0, end < 0 ? rest.length : end).join('\n').trim();
  } else {
    message = kept.find((line) => line.trim() !== '')?.trim() ?? null;
  }
  const left = /^\s*left: (.*)$/m.exec(block);
  const right = /^\s*right: (.*)$/m.exec(block);
  const values = left && right ? { actual: left[1] as string, expected: right[1] as string } : assertionValues(message ?? '');
  return { message: message || null, expected: values.expected, actual: values.actual, location: location === null ? null : repositoryLocation(location, root), block };
}
