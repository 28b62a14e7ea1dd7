import type { OptionSpec } from './args.js';
import type { CommandSpec } from './command.js';

export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'json', kind: 'boolean', help: 'one JSON document on stdout (NDJSON for watch --follow)' },
  { name: 'db', kind: 'string', value: 'PATH', help: 'board file (default: <git common dir>/baton/baton.db; or BATON_DB)' },
  { name: 'as', kind: 'string', value: 'AGENT', help: 'act as AGENT (default: BATON_AGENT, worktree task, git user)' },
  { name: 'no-color', kind: 'boolean', help: 'plain output even on a terminal (also NO_COLOR)' },
  { name: 'help', short: 'h', kind: 'boolean', help: 'show help' },
];

export function usageLine(command: CommandSpec): string {
  const args = command.args.map((arg) => (arg.required ? arg.name : `[${arg.name}]`) + (arg.variadic ? '...' : '')).join(' ');
  return `usage: baton ${command.name}${args ? ` ${args}` : ''}${command.options.length > 0 ? ' [options]' : ''}`;
}

function optionLines(options: readonly OptionSpec[]): string[] {
  return options.map((option) => {
    const names = `${option.short ? `-${option.short}, ` : '    '}--${option.name}${option.value ? ` ${option.value}` : ''}`;
    const notWith = option.conflicts?.length ? ` (not with ${option.conflicts.map((name) => `--${name}`).join(', ')})` : '';
    const onlyWith = option.requires ? ` (with --${option.requires})` : '';
    return `  ${names.padEnd(34)} ${option.help}${option.kind === 'list' ? ' (repeatable)' : ''}${notWith}${onlyWith}`;
  });
}

export function commandHelp(command: CommandSpec): string {
  const aliases = command.aliases?.length ? `\naliases: ${command.aliases.join(', ')}` : '';
  const options = command.options.length > 0 ? ['', 'options:', ...optionLines(command.options)] : [];
  return [usageLine(command), '', command.summary + aliases, ...options, '', 'global options:', ...optionLines(GLOBAL_OPTIONS)].join('\n');
}

export function generalHelp(commands: readonly CommandSpec[], version: string): string {
  const width = Math.max(...commands.map((command) => command.name.length)) + 2;
  return [
    `baton ${version} — a shared task board and harness for parallel coding agents`,
    '',
    'usage: baton <command> [args] [options]',
    '',
    'commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)} ${command.summary}`),
    '',
    'global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'exit codes: 0 ok, 1 failed, 2 usage, 3 not found, 4 conflict',
    'run `baton <command> --help` for its options',
  ].join('\n');
}
