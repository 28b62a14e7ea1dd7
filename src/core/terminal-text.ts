/*
 * What baton prints can hold text others wrote: task titles, notes, agent output. A board made
 * before control characters were refused, or written around baton, may hold escape sequences
 * that move the cursor, retitle the terminal or hide text when printed raw. So every line
 * printed shows such characters as `\x1b`-style escapes; baton's own colours (the few SGR
 * sequences of cli/output.ts) stay, and JSON never holds a raw control character anyway. Only
 * those: any SGR sequence is not harmless, since `ESC [ 8 m` (concealed) or black on black
 * hides the text after it.
 */

/**
 * Control characters but newline and tab (an ESC only where it opens one of baton's own colour
 * sequences), and the line separators and bidirectional overrides that reorder what a reader sees.
 * The control characters are Unicode's Cc category, spelled out (see CONTROL in task.ts).
 */
// eslint-disable-next-line no-control-regex -- matching the control characters is the point
const UNPRINTABLE = /\u001b\[(?:1|2|22|31|32|33|36|39)m|(?![\n\t])[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Any character UNPRINTABLE may match, newline and tab aside: one scan with a plain character
 * class, several times cheaper than UNPRINTABLE's, finds that most output has nothing to escape.
 */
// eslint-disable-next-line no-control-regex -- matching the control characters is the point
const MAYBE_UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** `text` with every such character shown as an escape (`\x1b`, `\u202e`), colour sequences kept. */
export function terminalSafe(text: string): string {
  if (!MAYBE_UNPRINTABLE.test(text)) return text;
  return text.replace(UNPRINTABLE, (found) => {
    if (found.length > 1) return found;
    const code = found.codePointAt(0) as number;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
