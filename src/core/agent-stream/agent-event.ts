/**
 * What an agent CLI did, in one vocabulary for every CLI. Each family's parser turns the
 * lines its CLI prints into these; the runner stores them as evidence, sums the usage and
 * hands the list to `classifyAttempt`.
 */
export type AgentEvent =
  | SessionStartedEvent
  | AssistantTextEvent
  | ToolCallEvent
  | ToolResultEvent
  | UsageEvent
  | AgentErrorEvent
  | AgentWarningEvent
  | FinishedEvent
  | UnknownEvent;

/** The CLI families baton can drive; `acp` is any Agent Client Protocol agent. */
export type AgentFamily = 'claude' | 'codex' | 'gemini' | 'qwen' | 'opencode' | 'acp';

export interface SessionStartedEvent {
  kind: 'session_started';
  /** What `--resume` (or the CLI's equivalent) takes to continue this conversation. */
  sessionId: string;
  model: string | null;
}

export interface AssistantTextEvent {
  kind: 'assistant_text';
  text: string;
}

export interface ToolCallEvent {
  kind: 'tool_call';
  /** The CLI's id for the call, which its result repeats; null when the CLI gives none. */
  id: string | null;
  name: string;
  input: unknown;
}

export interface ToolResultEvent {
  kind: 'tool_result';
  id: string | null;
  isError: boolean;
  /** The start of what the tool printed (see `TOOL_OUTPUT_MAX_CHARS`). */
  output: string;
}

/**
 * Tokens spent since the previous usage event: summing every usage event of an attempt gives
 * its total. `inputTokens` counts every prompt token, cached ones included; `cachedTokens` is
 * the part of them served from a cache.
 */
export interface UsageEvent extends TokenCounts {
  kind: 'usage';
  costUsd?: number;
}

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}

/** The model server or the CLI reported an error; `retrying` when the CLI said it would try again. */
export interface AgentErrorEvent {
  kind: 'error';
  message: string;
  httpStatus: number | null;
  retrying: boolean;
  /**
   * How long the CLI said it waits before that next try (Claude Code's `api_retry`); null when
   * it did not say. The CLI prints nothing while it waits.
   */
  retryDelayMs: number | null;
}

/** Something the CLI wanted noticed that does not stop it (a missing model profile...). */
export interface AgentWarningEvent {
  kind: 'warning';
  message: string;
}

/**
 * How the CLI said the session ended. Some CLIs never print one (OpenCode: the parser derives
 * it from the last step; Qwen at its turn limit: there is none).
 */
export interface FinishedEvent {
  kind: 'finished';
  status: FinishStatus;
  /** The final answer, or what went wrong. */
  message: string | null;
  /** The model server's HTTP status when the session ended on an API error. */
  httpStatus: number | null;
  /** Tools the CLI refused to run for lack of permission. */
  deniedTools: readonly string[];
  turns: number | null;
}

export type FinishStatus = 'success' | 'error' | 'turn_limit' | 'budget_limit';

/** A line the parser could not read or did not expect; kept whole as evidence, never thrown. */
export interface UnknownEvent {
  kind: 'unknown';
  reason: 'not_json' | 'not_an_object' | 'unknown_type' | 'unexpected_shape';
  line: string;
}

/** Tool output kept in an event; the raw stream keeps all of it. */
export const TOOL_OUTPUT_MAX_CHARS = 2_000;

export const NO_TOKENS: TokenCounts = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };

/** The attempt's total usage: the sum of its usage events; `costUsd` only when some event had one. */
export function sumUsage(events: readonly AgentEvent[]): TokenCounts & { costUsd?: number } {
  const total: TokenCounts & { costUsd?: number } = { ...NO_TOKENS };
  for (const event of events) {
    if (event.kind !== 'usage') continue;
    total.inputTokens += event.inputTokens;
    total.outputTokens += event.outputTokens;
    total.cachedTokens += event.cachedTokens;
    if (event.costUsd !== undefined) total.costUsd = (total.costUsd ?? 0) + event.costUsd;
  }
  return total;
}
