/**
 * What the scripted model "says": a list of turns, each answering one conversation request of
 * an agent CLI. The same script drives Claude Code (Anthropic Messages), Codex (OpenAI
 * Responses) and Qwen Code (OpenAI Chat Completions); protocol-neutral tool calls (`shell`) are
 * rendered as each CLI's own tool.
 */

export type Protocol = 'anthropic' | 'openai-responses' | 'openai-chat';

/** Token counts the model reports for one turn. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
}

export type ToolCall =
  /** A shell command: Claude Code's `Bash {command}`, Codex's `exec_command {cmd}`, Qwen Code's `run_shell_command {command}`. */
  | { kind: 'shell'; command: string }
  /** A tool by the name and input the CLI offers, sent as is (e.g. Claude's `Write`, `Edit`). */
  | { kind: 'tool'; name: string; input: Record<string, unknown> }
  /**
   * A tool of an MCP server the CLI connected: Claude Code's `mcp__<server>__<tool>`; for Codex a
   * function call `<tool>` in the namespace `mcp__<server>` (how Codex offers a server's tools).
   */
  | { kind: 'mcp'; server: string; tool: string; input: Record<string, unknown> };

export type Reply =
  | { kind: 'message'; text?: string; toolCalls?: readonly ToolCall[]; usage?: Usage }
  /** An HTTP error with the protocol's error body (429 is a rate limit). */
  | { kind: 'error'; status: number; message?: string; retryAfterSeconds?: number }
  /** The request is accepted and never answered, as a stuck model service would. */
  | { kind: 'hang' }
  /** The connection is dropped before any answer, as a network failure would: the client sees it closed. */
  | { kind: 'disconnect' };

/** What a matcher sees of a conversation request, the same shape for every protocol. */
export interface ConversationView {
  protocol: Protocol;
  /** Text of the latest user message that carries text (not only tool results): the prompt being worked on. */
  prompt: string;
  /** Outputs of the tool calls answered since the model last spoke; empty on a fresh prompt. */
  toolResults: readonly string[];
  /** Names of the tools the request offers the model; an MCP server's as `mcp__<server>__<tool>` (see mcpToolName). */
  tools: readonly string[];
  /** The request body as parsed JSON. */
  body: Record<string, unknown>;
}

export type Turn = Reply & {
  /** Answer only requests this accepts; turns without one accept any request. */
  when?: (request: ConversationView) => boolean;
  /** How many requests this turn answers before it is used up (default 1; `Infinity` for all). */
  times?: number;
};

export type Script = readonly Turn[];

export const DEFAULT_USAGE: Usage = { inputTokens: 120, outputTokens: 12 };

/** A turn that answers with text and ends the agent's turn. */
export function say(text: string, usage?: Usage): Turn {
  return usage ? { kind: 'message', text, usage } : { kind: 'message', text };
}

/** A turn that runs shell commands, one tool call each. */
export function runShell(...commands: string[]): Turn {
  return { kind: 'message', toolCalls: commands.map((command) => shell(command)) };
}

export function shell(command: string): ToolCall {
  return { kind: 'shell', command };
}

export function tool(name: string, input: Record<string, unknown>): ToolCall {
  return { kind: 'tool', name, input };
}

/** A turn that calls tools by name with their arguments (any tool the CLI offers), one call each. */
export function callTools(...calls: ToolCall[]): Turn {
  return { kind: 'message', toolCalls: calls };
}

/** A call of tool `name` of the MCP server the CLI knows as `server`. */
export function mcpTool(server: string, name: string, input: Record<string, unknown> = {}): ToolCall {
  return { kind: 'mcp', server, tool: name, input };
}

/** The one name an MCP server's tool has in a flat tool list (Claude Code's, and `view.tools` for every protocol). */
export function mcpToolName(server: string, tool: string): string {
  return `mcp__${server}__${tool}`;
}

/** The names of the tools in a request's `tools` list, read by `nameOf` (each protocol nests it differently). */
export function offeredTools(tools: unknown, nameOf: (tool: Record<string, unknown>) => unknown): string[] {
  if (!Array.isArray(tools)) return [];
  return (tools as Record<string, unknown>[]).map(nameOf).filter((name): name is string => typeof name === 'string');
}

/**
 * A 429 with the protocol's rate-limit body and a `retry-after` header (Codex retries a 429 only
 * when told when to; Claude Code waits what it is told, announcing it in an `api_retry` line,
 * then is silent for that long). `times: Infinity` outlasts every client retry.
 */
export function rateLimited(times = Infinity, retryAfterSeconds = 0): Turn {
  return { kind: 'error', status: 429, message: 'scripted rate limit', retryAfterSeconds, times };
}

export function hang(): Turn {
  return { kind: 'hang' };
}

export function disconnect(): Turn {
  return { kind: 'disconnect' };
}

/** A matcher: the request offers the model a tool of this name. */
export function offersTool(name: string): (request: ConversationView) => boolean {
  return (request) => request.tools.includes(name);
}

/** A matcher: the current prompt contains `text`. */
export function promptContains(text: string): (request: ConversationView) => boolean {
  return (request) => request.prompt.includes(text);
}

/** Hands out turns in script order: the first turn with uses left that accepts the request. */
export class ScriptCursor {
  private readonly usesLeft: number[];

  constructor(private readonly turns: Script) {
    this.usesLeft = turns.map((turn) => turn.times ?? 1);
  }

  /** The turn for this request and its index in the script, or undefined when none is left. */
  take(request: ConversationView): { turn: Turn; index: number } | undefined {
    for (const [index, turn] of this.turns.entries()) {
      if ((this.usesLeft[index] ?? 0) <= 0) continue;
      if (turn.when && !turn.when(request)) continue;
      this.usesLeft[index] = (this.usesLeft[index] ?? 0) - 1;
      return { turn, index };
    }
    return undefined;
  }

  /** Turns never used, so a test can check the agent went through the whole script. */
  unused(): number[] {
    return this.turns.flatMap((turn, index) => (this.usesLeft[index] === (turn.times ?? 1) ? [index] : []));
  }
}
