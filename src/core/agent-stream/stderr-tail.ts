/*
 * What an agent printed on stderr, cut down to what explains its end. An agent CLI that dies
 * before its stream says how the session ended leaves the reason only there ("cannot be used
 * with root/sudo privileges", "unknown option"), often after warnings and before a usage text.
 */

export const STDERR_TAIL_MAX_LINES = 20;
export const STDERR_TAIL_MAX_CHARS = 2_000;

// CSI sequences (colours, cursor moves), OSC sequences (titles, links) and lone escapes.
// eslint-disable-next-line no-control-regex -- matching escape characters is the point
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-_]/g;

/** Text as a terminal would show it: no colours or cursor codes; of a `\r`-rewritten line, its last state. */
export function plainText(text: string): string {
  return text
    .replace(ANSI, '')
    .split('\n')
    .map((line) => line.replace(/\r+$/, '').split('\r').at(-1) ?? '')
    .join('\n');
}

/**
 * The end of a stderr text: plain, without blank lines, the last `STDERR_TAIL_MAX_LINES` lines
 * and at most `STDERR_TAIL_MAX_CHARS` characters (a longer last line keeps its start). '' when
 * nothing but blanks was printed.
 */
export function stderrTail(stderr: string): string {
  const lines = plainText(stderr)
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .slice(-STDERR_TAIL_MAX_LINES);
  const kept: string[] = [];
  let chars = 0;
  for (const line of lines.reverse()) {
    if (chars + line.length + 1 > STDERR_TAIL_MAX_CHARS) {
      if (kept.length === 0) kept.push(`${line.slice(0, STDERR_TAIL_MAX_CHARS - 1)}…`);
      break;
    }
    kept.push(line);
    chars += line.length + 1;
  }
  return kept.reverse().join('\n');
}

/** Lines that never say why a program ended: stack frames, usage texts, runtime banners, warnings. */
const NOISE = [
  /^\s/, // indented: stack frames, usage continuations, hints, a source line with its caret
  /^\^+$/,
  /^Node\.js v\d/,
  /^(?:warn(?:ing)?)\b/i,
  /^Usage:/i,
  /^For more information/i,
  /^Require stack:/,
  /^- \//,
  /^Reading additional input from stdin/,
  /^\[baton: /,
];

const ERROR_MARK = /^(?:[\w.]*(?:error|exception)|fatal|panic)\b/i;

/**
 * The one line of a stderr tail that most likely says why the agent ended: the last line
 * marked as an error (`error: …`, `TypeError: …`, `fatal: …`), else the last line that is not
 * noise; null when there is none.
 */
export function telltaleLine(tail: string): string | null {
  const lines = tail.split('\n').filter((line) => line.trim() !== '' && !NOISE.some((pattern) => pattern.test(line)));
  const line = lines.findLast((candidate) => ERROR_MARK.test(candidate)) ?? lines.at(-1);
  return line === undefined ? null : line.trim().slice(0, 300);
}
