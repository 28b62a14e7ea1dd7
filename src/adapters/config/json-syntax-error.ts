/** Where a JSON text first goes wrong, and why, in words a person fixing it by hand can use. */
export interface JsonSyntaxError {
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  reason: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

/**
 * Scans `text` as JSON and reports the first syntax error, or null when it is valid. JSON.parse
 * says where only in some Node versions and never in these words, so the loader calls this
 * once JSON.parse has failed.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let pos = 0;
  function stop(reason: string, at = pos): never {
    throw new Stop(at, reason);
  }
  const found = (): string => (pos < text.length ? `'${text[pos]}'` : 'the end of the file');

  function skipSpace(): void {
    while (pos < text.length) {
      const char = text[pos]!;
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r') pos++;
      else if (char === '/' && (text[pos + 1] === '/' || text[pos + 1] === '*')) stop('comments are not allowed in JSON');
      else return;
    }
  }

  function value(): void {
    skipSpace();
    const char = text[pos];
    if (char === '{') return container('}', member);
    if (char === '[') return container(']', value);
    if (char === '"') return string();
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return number();
    for (const word of ['true', 'false', 'null']) if (text.startsWith(word, pos)) return void (pos += word.length);
    if (char === "'") stop('strings need double quotes');
    stop(char === undefined ? 'unexpected end of the file' : `expected a value (a string, number, object, list, true, false or null) but found ${found()}`);
  }

  function member(): void {
    skipSpace();
    if (text[pos] === "'") stop('keys need double quotes');
    if (text[pos] !== '"') stop(/[A-Za-z_$]/.test(text[pos] ?? '') ? 'keys need double quotes' : `expected a key in double quotes but found ${found()}`);
    string();
    skipSpace();
    if (text[pos] !== ':') stop(`expected ':' after the key but found ${found()}`);
    pos++;
    value();
  }

  function container(close: string, item: () => void): void {
    const open = pos++;
    skipSpace();
    if (text[pos] === close) return void pos++;
    for (;;) {
      item();
      skipSpace();
      if (text[pos] === close) return void pos++;
      if (pos >= text.length) stop(`missing '${close}' for the '${text[open]}' at ${where(text, open)}`);
      if (text[pos] !== ',') stop(text[pos] === '"' ? "missing ',' before this" : `expected ',' or '${close}' but found ${found()}`);
      const comma = pos++;
      skipSpace();
      if (text[pos] === close) stop(`trailing comma before '${close}'`, comma);
    }
  }

  function string(): void {
    const open = pos++;
    while (pos < text.length && text[pos] !== '"') {
      const code = text.charCodeAt(pos);
      if (code < 0x20) stop(code === 10 ? 'line break inside a string (write \\n)' : 'control character inside a string');
      if (text[pos] === '\\') {
        const escape = text[pos + 1] ?? '';
        if (escape === 'u' ? !/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6)) : !'"\\/bfnrt'.includes(escape) || escape === '') {
          stop(`invalid escape '\\${escape}' in a string (write \\\\ for a backslash)`);
        }
        pos += escape === 'u' ? 6 : 2;
      } else pos++;
    }
    if (pos >= text.length) stop('string not closed', open);
    pos++;
  }

  function number(): void {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos, pos + 400));
    if (!match) stop('invalid number');
    pos += match[0].length;
  }

  try {
    skipSpace();
    if (pos >= text.length) stop('the file is empty; write {} to use every default');
    value();
    skipSpace();
    if (pos < text.length) stop(`unexpected ${found()} after the end of the JSON value`);
    return null;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    return { ...lineAndColumn(text, error.offset), reason: error.reason };
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

function where(text: string, offset: number): string {
  const { line, column } = lineAndColumn(text, offset);
  return `line ${line}, column ${column}`;
}
