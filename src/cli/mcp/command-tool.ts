import { checkArguments } from '../../adapters/mcp/check-arguments.js';
import type { McpTool, PropertySchema, ToolSchema } from '../../adapters/mcp/tool.js';
import { BatonError } from '../../core/errors.js';
import { validateAgentName } from '../../core/task.js';
import type { OptionValues } from '../args.js';
import type { CommandInput, CommandSpec } from '../command.js';
import { CommandContext, type CliEnvironment, type GlobalOptions } from '../context.js';
import { refuseInsideRun } from '../inside-run.js';
import { errorDocument, jsonDocument } from '../output.js';

/** What every tool call shares: the server's environment and its global options (--db, --as). */
export interface ToolHost {
  io: CliEnvironment;
  global: GlobalOptions;
}

/** The optional `agent` argument: who acts in this call, in place of BATON_AGENT. */
export const AGENT_PROPERTY: PropertySchema = { type: 'string', description: 'acting agent (default: BATON_AGENT)' };

export interface CommandToolSpec {
  name: string;
  description: string;
  properties: Record<string, PropertySchema>;
  required?: readonly string[];
  /** The CLI command the tool runs, and its input as the command's parser would have made it. */
  command: CommandSpec;
  input(args: Record<string, unknown>): CommandInput;
}

/**
 * A tool that runs a CLI command's own `run`, so the tool and the command share every rule,
 * check and JSON shape: the tool only turns named arguments into the command's input. Each
 * call opens the board afresh, as one CLI invocation would, and answers the command's `--json`
 * document; an error answers `{"error":{"code","message"}}` with `isError`.
 */
export function commandTool(host: ToolHost, spec: CommandToolSpec): McpTool {
  const inputSchema: ToolSchema = { type: 'object', properties: spec.properties, ...(spec.required && { required: spec.required }) };
  return {
    name: spec.name,
    description: spec.description,
    inputSchema,
    async call(raw) {
      let ctx: CommandContext | undefined;
      try {
        const args = checkArguments(inputSchema, raw);
        refuseInsideRun(spec.command.name, host.io.env);
        const agent = typeof args.agent === 'string' ? validateAgentName(args.agent, 'agent') : host.global.as;
        ctx = new CommandContext(quiet(host.io), { ...host.global, json: true, noColor: true, ...(agent !== undefined && { as: agent }) }, spec.command.board);
        const output = await spec.command.run(ctx, spec.input(args));
        // An answer that is not a success (a heartbeat that lost a task) is flagged as the CLI's exit code flags it.
        return { text: jsonDocument(output?.json ?? {}), isError: (output?.exitCode ?? 0) !== 0 };
      } catch (error) {
        return { text: errorDocument(asBatonError(error, host.io)), isError: true };
      } finally {
        await ctx?.close();
      }
    },
  };
}

/** stdout carries the protocol: anything a command would print goes to stderr instead. */
function quiet(io: CliEnvironment): CliEnvironment {
  return { cwd: io.cwd, env: io.env, stdout: io.stderr, stderr: io.stderr, stdoutIsTty: false };
}

function asBatonError(error: unknown, io: CliEnvironment): BatonError {
  if (error instanceof BatonError) return error;
  if (error instanceof Error && error.stack) io.stderr(error.stack);
  return new BatonError('FAILED', `unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
}

/** Named arguments to the command's options: strings as typed, integers as their digits. */
export function options(values: Record<string, unknown>): OptionValues {
  const result: OptionValues = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'number') result[name] = String(value);
    else if (Array.isArray(value)) result[name] = value.map(String);
    else if (typeof value === 'string' || typeof value === 'boolean') result[name] = value;
  }
  return result;
}

/** A required id argument as the command's positional text. */
export function idText(value: unknown): string {
  return String(value);
}
