/** How much of a value an error message shows before it cuts. */
export const QUOTED_MAX_CHARS = 80;

/**
 * A value the user gave, quoted for a message: `'value'`. A long one (a file pasted into a
 * flag by mistake) shows its start and its length instead of filling the terminal with it:
 * `'first 80 characters…' (100000 characters)`.
 */
export function quoted(value: string, mark = "'"): string {
  const chars = [...value];
  if (chars.length <= QUOTED_MAX_CHARS) return `${mark}${value}${mark}`;
  return `${mark}${chars.slice(0, QUOTED_MAX_CHARS).join('')}…${mark} (${chars.length} characters)`;
}
