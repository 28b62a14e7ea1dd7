/*
 * Reading the arguments of a command line without knowing every option of every program:
 * options are skipped, and the few that take a value are named by the caller.
 */

/** Drops leading options; those in `withValue` take the next word too. Stops after `--`. */
export function skipOptions(words: readonly string[], withValue: readonly string[]): string[] {
  let index = 0;
  while (index < words.length && (words[index] as string).startsWith('-')) {
    const word = words[index] as string;
    index += word === '--' ? 1 : withValue.includes(word) ? 2 : 1;
    if (word === '--') break;
  }
  return words.slice(index);
}

/** The arguments that are not options, without the values of `valueFlags`. */
export function nonOptions(args: readonly string[], valueFlags: readonly string[]): string[] {
  const found: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === '--') break;
    if (valueFlags.includes(arg)) index++;
    else if (!arg.startsWith('-')) found.push(arg);
  }
  return found;
}

/** `"test:* -- --x"` → `test:*`: npm-run-all takes a name with its arguments in one word. */
export function firstWord(text: string): string {
  return text.trim().split(/\s+/)[0] ?? '';
}
