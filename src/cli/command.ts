import type { ArgSpec, OptionSpec, OptionValues } from './args.js';
import type { CommandContext } from './context.js';
import type { CommandOutput } from './output.js';

export interface CommandInput {
  args: string[];
  options: OptionValues;
}

/** A CLI command: its grammar (for parsing and help) and what it does. */
export interface CommandSpec {
  name: string;
  aliases?: readonly string[];
  summary: string;
  args: readonly ArgSpec[];
  options: readonly OptionSpec[];
  /**
   * `read`: the command only reads the board, so it neither creates, migrates nor converts it
   * (a missing or older board is refused with the command that makes or upgrades it). Default `write`.
   */
  board?: 'read' | 'write';
  /** Returns one document, or nothing when the command streamed its own output (`watch --follow`). */
  run(ctx: CommandContext, input: CommandInput): Promise<CommandOutput | void>;
}

export function stringOption(options: OptionValues, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(options: OptionValues, name: string): string[] {
  const value = options[name];
  return Array.isArray(value) ? value : [];
}

export function flag(options: OptionValues, name: string): boolean {
  return options[name] === true;
}
