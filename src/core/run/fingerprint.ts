import type { CheckFailure } from './check-failure.js';

/*
 * Two attempts that fail the same way must get the same fingerprint, or a run going in circles
 * is never noticed; two that fail differently must not, or a run making progress is stopped.
 * So the signature drops what changes between identical failures (colours, clocks, durations,
 * addresses, temporary directories, process ids, ports, seeds) and keeps what identifies the
 * failure: messages, file names and their line numbers, counts of failing tests.
 */

const MAX_SIGNATURE_LINES = 20;

const ERROR_WORDS = /error|fail|expected|assert|exception|not found|cannot|panic|fatal|traceback|✗|×/i;

/** Each rule replaces one kind of noise; the order matters (timestamps before durations...). */
const NOISE: readonly (readonly [RegExp, string])[] = [
  // ANSI colour and cursor codes, and OSC sequences (hyperlinks, titles): control characters are the point.
  /* eslint-disable no-control-regex */
  [/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g, ''],
  [/\u001b\[[0-?]*[ -/]*[@-~]/g, ''],
  [/\u001b[@-Z\\-_]/g, ''],
  /* eslint-enable no-control-regex */
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
 * words only those are kept; at most 20 lines: the first and last ten, where test runners
 * print the first failure and the summary.
 */
export function errorSignature(text: string): string {
  const lines = normaliseLines(text);
  const errorLines = lines.filter((line) => ERROR_WORDS.test(line));
  const kept = [...new Set(errorLines.length > 0 ? errorLines : lines)];
  const half = MAX_SIGNATURE_LINES / 2;
  const bounded = kept.length > MAX_SIGNATURE_LINES ? [...kept.slice(0, half), ...kept.slice(-half)] : kept;
  return bounded.join('\n');
}

function normaliseLines(text: string): string[] {
  let clean = text.replace(/\r\n?/g, '\n');
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
 * out`) always counts, even when the detail's error lines would crowd it out.
 */
export function attemptFingerprint(failures: readonly CheckFailure[]): string | null {
  if (failures.length === 0) return null;
  const parts = failures.map((failure) => [failure.checkId, errorSignature(failure.summary), errorSignature(failure.detail)].join('\u0000')).sort();
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
