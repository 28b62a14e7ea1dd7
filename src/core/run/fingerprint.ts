import type { CheckFailure } from './check-failure.js';
import { errorLineIndexes, stripTerminalCodes } from './error-lines.js';
import { failedTests, testKey, type TestReport } from './test-results.js';

/*
 * Two attempts that fail the same way must get the same fingerprint, or a run going in circles
 * is never noticed; two that fail differently must not, or a run making progress is stopped.
 * So the signature drops what changes between identical failures (colours, clocks, durations,
 * addresses, temporary directories, process ids, ports, seeds) and keeps what identifies the
 * failure: messages, the values an assertion compared, file names and their line numbers,
 * counts of failing tests.
 */

/** Value lines now count beside error lines, so a failure takes about twice the lines it did with error lines alone. */
const MAX_SIGNATURE_LINES = 40;

/** Each rule replaces one kind of noise; the order matters (timestamps before durations...). */
const NOISE: readonly (readonly [RegExp, string])[] = [
  // Dates and times: 2024-05-01T12:00:00.123Z, 2024-05-01 12:00:00, 12:00:00.123.
  [/\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g, '<time>'],
  [/\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, '<time>'],
  // Epoch milliseconds (2001 to 2033), common in generated names.
  [/\b1\d{12}\b/g, '<time>'],
  // UUIDs, then memory addresses and hex ids (git objects, hashes): 7+ hex digits with a digit in them.
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>'],
  [/\b0x[0-9a-f]+\b/gi, '0x<hex>'],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b/gi, '<hex>'],
  // Temporary directories: the random part goes, what lies below it stays.
  [/(?:\/private)?\/var\/folders\/[^/\s]+\/[^/\s]+\/T\/[^/\s'"`):]+/g, '<tmp>'],
  [/\/(?:tmp|var\/tmp|dev\/shm)\/[^/\s'"`):]+/g, '<tmp>'],
  [/[a-z]:\\Users\\[^\\\s]+\\AppData\\Local\\Temp\\[^\\\s'"`):]+/gi, '<tmp>'],
  // Hosts with ports, and ports, process ids and seeds named as such.
  [/(?<![\w.:])(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1?\]):\d+\b/gi, '$1:<port>'],
  [/\b(port|pid|process|seed)(\s*[:=#]?\s*)\d+\b/gi, '$1$2<n>'],
  // Durations: 12ms, 1.2s, 3 sec, 2m 5s, 1.5 minutes.
  [/\b\d+(?:\.\d+)?\s?(?:ns|µs|μs|us|ms|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)\b/gi, '<dur>'],
  // Sizes that move with memory use.
  [/\b\d+(?:\.\d+)?\s?(?:[kmgt]i?b)\b/gi, '<size>'],
];

/**
 * The error text with what changes between identical failures removed (see above), each line
 * trimmed with its whitespace collapsed, repeated lines kept once. When some lines carry error
 * words only those are kept, with the value lines just after them (`1990 !== 1800`, diff
 * lines, `Received: 4`: without them two different wrong answers would look alike); at most
 * 40 lines: the first and last twenty, where test runners print the first failures and the summary.
 */
export function errorSignature(text: string): string {
  const lines = normaliseLines(text);
  const errorLines = errorLineIndexes(lines).map((index) => lines[index] as string);
  const kept = [...new Set(errorLines.length > 0 ? errorLines : lines)];
  const half = MAX_SIGNATURE_LINES / 2;
  const bounded = kept.length > MAX_SIGNATURE_LINES ? [...kept.slice(0, half), ...kept.slice(-half)] : kept;
  return bounded.join('\n');
}

/**
 * What identifies a test report's failures: each failing test (file and name) with its
 * message and the expected and actual values, noise removed as for `errorSignature`, in a
 * fixed order. Unlike an output's signature it is not cut short, so a different wrong value in
 * any failing test is a different failure. Empty when no test failed: the command failed for
 * another reason, which its output's signature says better.
 */
export function reportSignature(report: TestReport): string {
  const clean = (text: string | null): string => (text === null ? '' : normaliseLines(text).join(' ⏎ '));
  return failedTests(report)
    .map((test) => [clean(testKey(test)), clean(test.message), `expected ${clean(test.expected)}`, `actual ${clean(test.actual)}`].join(' | '))
    .sort()
    .join('\n');
}

function normaliseLines(text: string): string[] {
  let clean = stripTerminalCodes(text).replace(/\r\n?/g, '\n');
  for (const [pattern, replacement] of NOISE) clean = clean.replace(pattern, replacement);
  return clean
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '');
}

/**
 * A stable id for an attempt's failures: the same checks failing with the same signatures give
 * the same id in any order. 16 hex digits (FNV-1a, 64 bits); null when nothing failed. The
 * summary is signed apart from the detail, so that its one line (`exited with 1` or `timed
 * out`) always counts, even when the detail's error lines would crowd it out. A check whose
 * output was a test report passes its `reportSignature` in `signatures` (by check id), which
 * then stands for its detail (unless it is empty: no test failed); so does a failure's own
 * `signature`, which the judge sets from the failing tests.
 */
export function attemptFingerprint(failures: readonly CheckFailure[], signatures: ReadonlyMap<string, string> = new Map()): string | null {
  if (failures.length === 0) return null;
  const parts = failures.map((failure) => [failure.checkId, errorSignature(failure.summary), signatures.get(failure.checkId) || failure.signature || errorSignature(failure.detail)].join('\u0000')).sort();
  return fnv1a64(parts.join('\u0001'));
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;

/** FNV-1a over the text's UTF-8 bytes, as 16 hex digits. */
export function fnv1a64(text: string): string {
  let hash = FNV_OFFSET;
  for (const byte of utf8Bytes(text)) {
    hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * FNV_PRIME);
  }
  return hash.toString(16).padStart(16, '0');
}

function* utf8Bytes(text: string): Generator<number> {
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (code < 0x80) yield code;
    else if (code < 0x800) yield* [0xc0 | (code >> 6), 0x80 | (code & 0x3f)];
    else if (code < 0x10000) yield* [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
    else yield* [0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
  }
}
