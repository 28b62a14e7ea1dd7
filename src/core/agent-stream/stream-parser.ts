import type { AgentEvent, TokenCounts } from './agent-event.js';

/**
 * Reads one CLI's stdout, line by line. Never throws: a line it cannot read becomes an
 * `unknown` event, and lines it knows but has no use for (partial deltas, status pings)
 * produce nothing.
 */
export interface StreamParser {
  /** The events one line of stdout stands for. */
  parseLine(line: string): AgentEvent[];
  /** Events owed once stdout has ended, for CLIs that print no final event of their own. */
  end(): AgentEvent[];
  /**
   * The session's cumulative token counters as the CLI last reported them. CLIs that report
   * usage per session rather than per run (Codex, Qwen) count a resumed session from where
   * the previous run left it: pass this as the next run's `usageBaseline`.
   */
  usageBaseline(): TokenCounts;
}

export interface StreamParserOptions {
  /** The counters a resumed session starts from (the previous run's `usageBaseline()`). */
  usageBaseline?: TokenCounts;
}

/** Runs a whole recorded stream through a parser: every line, then `end()`. */
export function parseAllLines(parser: StreamParser, text: string): AgentEvent[] {
  const events: AgentEvent[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed !== '') events.push(...parser.parseLine(trimmed));
  }
  events.push(...parser.end());
  return events;
}
