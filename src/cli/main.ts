import { BatonError } from '../core/errors.js';
import { closest, parseArgs, UsageError } from './args.js';
import { CommandContext, explicitActor, explicitBoard, type CliEnvironment, type GlobalOptions } from './context.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { commandHelp, GLOBAL_OPTIONS, generalHelp, usageLine } from './help.js';
import { refuseInsideRun } from './inside-run.js';
import { errorDocument, jsonDocument } from './output.js';
import { COMMANDS, findCommand } from './registry.js';
import { terminalSafe } from '../core/terminal-text.js';
import { quoted } from '../core/quoted.js';

declare const BATON_VERSION: string;
const VERSION = typeof BATON_VERSION === 'string' ? BATON_VERSION : 'dev';

/** Global flags that take a value, so the command name search can skip their values. */
const VALUE_FLAGS = new Set(['--db', '--as']);

/**
 * Runs one baton invocation and returns its exit code. The only place that maps errors to
 * exit codes; it never calls process.exit itself, so tests can run it in-process.
 */
export async function runCli(argv: readonly string[], given: CliEnvironment): Promise<number> {
  // Text from the board or an agent reaches the terminal only with its control characters escaped.
  const io: CliEnvironment = { ...given, stdout: (text) => given.stdout(terminalSafe(text)), stderr: (text) => given.stderr(terminalSafe(text)) };
  const json = argv.includes('--json');
  try {
    const commandIndex = argv.findIndex((token, index) => !token.startsWith('-') && !VALUE_FLAGS.has(argv[index - 1] ?? ''));
    if (commandIndex < 0) {
      if (argv.includes('--version') || argv.includes('-V') || argv.includes('-v')) return print(io, json, { version: VERSION }, VERSION);
      return print(io, json, { commands: COMMANDS.map((c) => c.name) }, generalHelp(COMMANDS, VERSION));
    }
    const name = argv[commandIndex] as string;
    if (name === 'help') {
      const topicName = argv.slice(commandIndex + 1).find((token) => !token.startsWith('-'));
      const topic = topicName === undefined ? undefined : findCommand(topicName);
      if (topicName !== undefined && !topic) throw unknownCommand(topicName);
      return print(io, json, { help: topic?.name ?? null }, topic ? commandHelp(topic) : generalHelp(COMMANDS, VERSION));
    }
    const command = findCommand(name);
    if (!command) throw unknownCommand(name);
    const rest = [...argv.slice(0, commandIndex), ...argv.slice(commandIndex + 1)];
    if (rest.includes('--help') || rest.includes('-h')) return print(io, json, { help: command.name }, commandHelp(command));
    refuseInsideRun(command.name, io.env);
    const usage = `${usageLine(command)} (see \`baton ${command.name} --help\`)`;
    const parsed = parseArgs(rest, [...command.options, ...GLOBAL_OPTIONS], command.args, usage);
    const global: GlobalOptions = {
      json,
      noColor: parsed.options['no-color'] === true,
      // Checked here, not when a command first needs them: every command refuses a bad --db or --as.
      ...(typeof parsed.options.db === 'string' && { db: explicitBoard(parsed.options.db, '--db') }),
      ...(typeof parsed.options.as === 'string' && { as: explicitActor(parsed.options.as, '--as') }),
    };
    const ctx = new CommandContext(io, global, command.board);
    try {
      const output = await command.run(ctx, parsed);
      if (!output) return EXIT.ok;
      if (output.streamed === true) return output.exitCode ?? EXIT.ok;
      return print(io, json, output.json, output.text, output.exitCode);
    } finally {
      await ctx.close();
    }
  } catch (error) {
    return report(io, json, error);
  }
}

function unknownCommand(name: string): UsageError {
  const hint = closest(name, COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]));
  return new UsageError(`unknown command ${quoted(name)}${hint ? ` (did you mean ${quoted(hint)}?)` : ''}; run \`baton --help\` for the list`);
}

function print(io: CliEnvironment, json: boolean, body: Record<string, unknown>, text: string | (() => string), exitCode: number = EXIT.ok): number {
  const rendered = json ? jsonDocument(body) : typeof text === 'function' ? text() : text;
  // Nothing to say prints nothing: a git hook's output would otherwise add blank lines to every commit.
  if (json || rendered !== '') io.stdout(rendered);
  return exitCode;
}

function report(io: CliEnvironment, json: boolean, error: unknown): number {
  const known = error instanceof BatonError ? error : new BatonError('FAILED', `unexpected failure: ${describe(error)}`);
  if (json) io.stdout(errorDocument(known));
  else io.stderr(`baton: ${known.message}`);
  if (!(error instanceof BatonError) && error instanceof Error && error.stack) io.stderr(error.stack);
  return exitCodeFor(known.code);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
