import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import type { CommandResult, CommandRunner, CommandWrap, Environment } from '../../app/run-ports.js';
import { killMarkedProcesses, markedEnvironment } from './marked-processes.js';
import { runGroup } from './spawn-group.js';

export interface ShellCommandRunnerOptions {
  /** How much output a result keeps: the last this many characters. */
  outputLimitChars?: number;
  /** How long a timed-out command's group gets between SIGTERM and SIGKILL. */
  killGraceMs?: number;
}

export const COMMAND_OUTPUT_LIMIT_CHARS = 64 * 1024;
const COMMAND_KILL_GRACE_MS = 3_000;
/** What `/bin/sh` (dash) searches when PATH is unset. */
const SHELL_DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Words the shell runs itself: POSIX builtins and reserved words, plus bash's common ones
 * (`/bin/sh` is bash on some systems). Listing too many only lets a typo fail later, when the
 * command runs; listing too few would refuse a command that works.
 */
const SHELL_WORDS = new Set([
  '.', ':', '[', '[[', '!', '{', '}', '(', 'alias', 'bg', 'break', 'builtin', 'case', 'cd', 'command', 'continue', 'declare',
  'echo', 'eval', 'exec', 'exit', 'export', 'false', 'fc', 'fg', 'for', 'function', 'getopts', 'hash', 'if', 'jobs', 'kill',
  'let', 'local', 'printf', 'pwd', 'read', 'readonly', 'return', 'select', 'set', 'shift', 'source', 'test', 'time', 'times',
  'trap', 'true', 'type', 'typeset', 'ulimit', 'umask', 'unalias', 'unset', 'until', 'wait', 'while',
]);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const OPERATOR_CHARS = ';&|<>()';

/**
 * Runs check and setup commands with `/bin/sh -c` in a process group of their own, stdin
 * closed, the whole group killed at the timeout, and anything the command left running (in
 * its group or, marked, outside it) killed once it is over: a service the checks need is
 * started by the check that needs it. Output keeps stdout and stderr interleaved line by line
 * in the order the lines arrived, and only its tail when it is long: the end of a failing
 * command's output is where the failure is.
 */
export class ShellCommandRunner implements CommandRunner {
  constructor(private readonly options: ShellCommandRunnerOptions = {}) {}

  async run(
    command: string,
    options: { cwd: string; env: Environment; timeoutMs: number; signal?: AbortSignal; onLine?: (line: string, stream: 'stdout' | 'stderr') => void; wrap?: CommandWrap },
  ): Promise<CommandResult> {
    const output = new OutputTailLines(this.options.outputLimitChars ?? COMMAND_OUTPUT_LIMIT_CHARS);
    const onStdoutLine = (line: string) => {
      output.push(line);
      options.onLine?.(line, 'stdout');
    };
    const onStderrLine = (line: string) => {
      output.push(line);
      options.onLine?.(line, 'stderr');
    };
    const marked = markedEnvironment(options.env);
    const exit = await runGroup([command], {
      cwd: options.cwd,
      env: marked.env,
      shell: true,
      stdin: { kind: 'closed' },
      timeoutMs: options.timeoutMs,
      killGraceMs: this.options.killGraceMs ?? COMMAND_KILL_GRACE_MS,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.wrap ? { wrap: options.wrap } : {}),
      onStdoutLine,
      onStderrLine,
      // The interleaved tail above is the output; the group's own per-stream tails are not used.
      tailChars: 1,
    });
    // A server or watcher the command started in the background is not a result of it.
    killMarkedProcesses(marked.mark);
    return { exitCode: exit.exitCode, signal: exit.signal, timedOut: exit.timedOut !== null, output: output.text(), durationMs: exit.durationMs };
  }

  /**
   * Looks at the first word after any `NAME=value` assignments, without starting anything: a
   * shell builtin or reserved word, a path (from `cwd`) to an executable file, or a name found
   * executable on PATH. A word the shell would expand (`$TOOL`) cannot be judged: true.
   */
  async commandExists(command: string, options: { cwd: string; env: Environment }): Promise<boolean> {
    const word = firstCommandWord(command, options.env.HOME);
    if (word.kind !== 'word') return word.kind !== 'none';
    if (SHELL_WORDS.has(word.text)) return true;
    if (word.text.includes('/')) return isExecutableFile(resolve(options.cwd, word.text));
    for (const dir of (options.env.PATH ?? SHELL_DEFAULT_PATH).split(delimiter)) {
      // An empty PATH entry means the current directory.
      if (await isExecutableFile(resolve(options.cwd, dir, word.text))) return true;
    }
    return false;
  }
}

type CommandWord = { kind: 'word'; text: string } | { kind: 'dynamic' } | { kind: 'none' };

/**
 * The command word of a shell command line, unquoted: `FOO=1 "./my tool" --x` gives `./my tool`.
 * `dynamic` when the word holds an expansion or the line starts with an operator or a
 * redirection (the shell decides those); `none` when there is no word at all.
 */
export function firstCommandWord(command: string, home: string | undefined): CommandWord {
  let index = 0;
  for (;;) {
    while (index < command.length && /\s/.test(command[index] as string)) index++;
    if (index >= command.length) return { kind: 'none' };
    const char = command[index] as string;
    if (char === '(') return { kind: 'word', text: '(' };
    if (OPERATOR_CHARS.includes(char)) return { kind: 'dynamic' };
    const word = readWord(command, index);
    index = word.end;
    if (ASSIGNMENT.test(command.slice(word.start, word.end))) continue;
    if (word.dynamic) return { kind: 'dynamic' };
    const text = word.text === '~' || word.text.startsWith('~/') ? (home === undefined ? null : join(home, word.text.slice(1))) : word.text;
    return text === null ? { kind: 'dynamic' } : { kind: 'word', text };
  }
}

/** One shell word from `start`: quotes and backslashes undone; `dynamic` if it holds `$` or a backquote outside single quotes. */
function readWord(command: string, start: number): { start: number; end: number; text: string; dynamic: boolean } {
  let text = '';
  let dynamic = false;
  let index = start;
  let quote: "'" | '"' | null = null;
  while (index < command.length) {
    const char = command[index] as string;
    if (quote === "'") {
      if (char === "'") quote = null;
      else text += char;
    } else if (char === '\\') {
      const next = command[index + 1] ?? '';
      // Inside double quotes a backslash only escapes $ ` " \ and a newline.
      text += quote === '"' && !'$`"\\\n'.includes(next) ? `\\${next}` : next === '\n' ? '' : next;
      index++;
    } else if (char === '`' || (char === '$' && '({'.includes(command[index + 1] ?? ''))) {
      // A substitution is part of the word, whatever operators it holds.
      const end = substitutionEnd(command, index);
      text += command.slice(index, end);
      dynamic = true;
      index = end;
      continue;
    } else if (quote === '"') {
      if (char === '"') quote = null;
      else text += char;
      if (char === '$') dynamic = true;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (/\s/.test(char) || OPERATOR_CHARS.includes(char)) {
      break;
    } else {
      if (char === '$' || char === '*' || char === '?') dynamic = true;
      text += char;
    }
    index++;
  }
  return { start, end: index, text, dynamic };
}

/** Where `$(...)`, `${...}` or a backquoted command starting at `start` ends; nesting counted, quotes inside not. */
function substitutionEnd(command: string, start: number): number {
  if (command[start] === '`') {
    const close = command.indexOf('`', start + 1);
    return close === -1 ? command.length : close + 1;
  }
  const [open, close] = command[start + 1] === '(' ? ['(', ')'] : ['{', '}'];
  let depth = 0;
  for (let index = start + 1; index < command.length; index++) {
    if (command[index] === open) depth++;
    else if (command[index] === close && --depth === 0) return index + 1;
  }
  return command.length;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The last `limitChars` characters of an output, kept as whole lines where it can, with a
 * first line saying how much was cut before them.
 */
export class OutputTailLines {
  private lines: string[] = [];
  private first = 0;
  private chars = 0;
  private cutLines = 0;
  private cutChars = 0;

  constructor(private readonly limitChars: number) {}

  push(line: string): void {
    let kept = line;
    if (kept.length + 1 > this.limitChars) {
      const cut = kept.length + 1 - this.limitChars;
      this.cutChars += cut;
      kept = kept.slice(cut);
    }
    this.lines.push(kept);
    this.chars += kept.length + 1;
    while (this.chars > this.limitChars && this.first < this.lines.length - 1) {
      const dropped = this.lines[this.first++] as string;
      this.chars -= dropped.length + 1;
      this.cutChars += dropped.length + 1;
      this.cutLines += 1;
    }
    // Dropped lines are released in batches, not one array shift per line.
    if (this.first > 1024 && this.first * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.first);
      this.first = 0;
    }
  }

  text(): string {
    const kept = this.lines.slice(this.first);
    const body = kept.length === 0 ? '' : `${kept.join('\n')}\n`;
    if (this.cutChars === 0) return body;
    return `[baton: output cut: the first ${this.cutChars} characters (${this.cutLines} whole lines) are not shown]\n${body}`;
  }
}
