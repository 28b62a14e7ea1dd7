/**
 * Which lines of a tool's output say what went wrong. Error lines carry error words; value
 * lines (`1990 !== 1800`, `+ actual - expected` diff lines, `Received: 4`) often carry none,
 * yet they are what tells one wrong answer from another, so they count when they follow an
 * error line closely.
 */

const ERROR_WORDS = /error|fail|expected|assert|exception|not found|cannot|panic|fatal|traceback|✗|×/i;

const VALUE_LINE = [
  // A comparison between two values: `1990 !== 1800`, `assert 1990 == 1800`.
  /\s(?:!==?|===?)\s/,
  // A diff line: `+ 1990`, `-   lines: 3,`; not a rule of dashes or a `--- a/file` header.
  /^[-+](?![-+])\s*\S/,
  // A labelled value: `Expected: 5`, `Received: 4`, `actual: 1990,`.
  /^(?:expected|received|actual)\b/i,
  // pytest's explanation lines: `E   +  where 1990 = total(...)`.
  /^E\s/,
];

/** How many lines after an error line may hold its values. */
const VALUE_WINDOW_LINES = 12;

export function isErrorLine(line: string): boolean {
  return ERROR_WORDS.test(line);
}

export function isValueLine(line: string): boolean {
  const trimmed = line.trim();
  return VALUE_LINE.some((pattern) => pattern.test(trimmed));
}

/** The indexes of the error lines, and of the value lines among the few that follow each, in order. */
export function errorLineIndexes(lines: readonly string[]): number[] {
  const indexes: number[] = [];
  let lastError = -Infinity;
  lines.forEach((line, index) => {
    if (isErrorLine(line)) {
      lastError = index;
      indexes.push(index);
    } else if (index - lastError <= VALUE_WINDOW_LINES && isValueLine(line)) {
      indexes.push(index);
    }
  });
  return indexes;
}

/** The text without terminal colour and cursor codes or OSC sequences (hyperlinks, titles). */
export function stripTerminalCodes(text: string): string {
  return (
    text
      // Control characters are the point of these patterns.
      /* eslint-disable no-control-regex */
      .replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g, '')
      .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
      .replace(/\u001b[@-Z\\-_]/g, '')
    /* eslint-enable no-control-regex */
  );
}
