/*
 * Enough of the POSIX shell's word splitting to see what a check command runs: quotes and
 * escapes removed, command separators and subshell parentheses kept as operators, redirections
 * and their targets dropped (`> out.log` names what a command writes, not what defines it),
 * comments skipped. Expansions (`$(...)`, `$VAR`, backticks) stay inside their word as written;
 * nothing is evaluated.
 */

export type ShellOperator = '&&' | '||' | ';' | '|' | '&' | '(' | ')';

export type ShellToken = { kind: 'word'; text: string } | { kind: 'op'; op: ShellOperator };

/** The words and operators of `text`, in order. */
export function shellTokens(text: string): ShellToken[] {
  const tokens: ShellToken[] = [];
  let word: string | null = null;
  let dropNextWord = false;
  const endWord = (): void => {
    if (word === null) return;
    if (dropNextWord) dropNextWord = false;
    else tokens.push({ kind: 'word', text: word });
    word = null;
  };
  const operator = (op: ShellOperator): void => {
    endWord();
    dropNextWord = false;
    tokens.push({ kind: 'op', op });
  };

  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    const next = text[index + 1];
    if (char === ' ' || char === '\t' || char === '\r') endWord();
    else if (char === '\n') operator(';');
    else if (char === '#' && word === null) index = skipComment(text, index);
    else if (char === '\\') {
      if (next !== '\n') word = (word ?? '') + (next ?? '');
      index++;
    } else if (char === "'") {
      const end = text.indexOf("'", index + 1);
      const stop = end < 0 ? text.length : end;
      word = (word ?? '') + text.slice(index + 1, stop);
      index = stop;
    } else if (char === '"') {
      const [content, stop] = doubleQuoted(text, index + 1);
      word = (word ?? '') + content;
      index = stop;
    } else if (char === '$' && (next === '(' || next === '{')) {
      const stop = closingBracket(text, index + 1);
      word = (word ?? '') + text.slice(index, stop + 1);
      index = stop;
    } else if (char === '`') {
      const end = text.indexOf('`', index + 1);
      const stop = end < 0 ? text.length : end;
      word = (word ?? '') + text.slice(index, stop + 1);
      index = stop;
    } else if (char === '<' || char === '>' || (char === '&' && next === '>')) {
      // A number just before the operator is a file descriptor (`2>`), not a word.
      if (word !== null && /^\d+$/.test(word)) word = null;
      else endWord();
      const end = skipWhile(text, index + 1, /[<>&|]/);
      const duplicates = /[<>]&$/.test(text.slice(index, end)) && /[\d-]/.test(text[end] ?? '');
      // `2>&1` and `>&-` name descriptors; every other redirection is followed by its file.
      index = duplicates ? skipWhile(text, end, /[\d-]/) - 1 : end - 1;
      dropNextWord = !duplicates;
    } else if (char === '&' || char === '|') {
      const double = next === char;
      operator(double ? (char === '&' ? '&&' : '||') : char === '&' ? '&' : '|');
      if (double || (char === '|' && next === '&')) index++;
    } else if (char === ';') {
      operator(';');
      if (next === ';') index++;
    } else if (char === '(' || char === ')') operator(char);
    else word = (word ?? '') + char;
  }
  endWord();
  return tokens;
}

function skipComment(text: string, index: number): number {
  const end = text.indexOf('\n', index);
  return end < 0 ? text.length : end - 1;
}

/** The text of a double-quoted string starting at `start`, and the index of its closing quote. */
function doubleQuoted(text: string, start: number): [string, number] {
  let content = '';
  for (let index = start; index < text.length; index++) {
    const char = text[index] as string;
    if (char === '"') return [content, index];
    if (char === '\\' && /["\\$`\n]/.test(text[index + 1] ?? '')) {
      if (text[index + 1] !== '\n') content += text[index + 1];
      index++;
    } else content += char;
  }
  return [content, text.length];
}

/** The index of the bracket closing the one at `open` (`(` or `{`), or the end of the text. */
function closingBracket(text: string, open: number): number {
  const opening = text[open];
  const closing = opening === '(' ? ')' : '}';
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    if (text[index] === opening) depth++;
    else if (text[index] === closing && --depth === 0) return index;
  }
  return text.length;
}

function skipWhile(text: string, index: number, pattern: RegExp): number {
  let at = index;
  while (at < text.length && pattern.test(text[at] as string)) at++;
  return at;
}
