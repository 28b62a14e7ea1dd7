import type { AgentEvent, AgentFamily } from './agent-event.js';
import { createClaudeParser } from './claude-stream.js';
import { createCodexParser } from './codex-stream.js';
import { createGeminiParser } from './gemini-stream.js';
import { createOpencodeParser } from './opencode-stream.js';
import { createQwenParser } from './qwen-stream.js';
import { parseAllLines, type StreamParser, type StreamParserOptions } from './stream-parser.js';

/** The families that print a JSON-lines stream of their own (ACP agents speak JSON-RPC). */
export type StreamFamily = Exclude<AgentFamily, 'acp'>;

export const STREAM_FAMILIES: readonly StreamFamily[] = ['claude', 'codex', 'gemini', 'qwen', 'opencode'];

/** A fresh parser for one run of `family`'s CLI. */
export function createStreamParser(family: StreamFamily, options: StreamParserOptions = {}): StreamParser {
  switch (family) {
    case 'claude':
      return createClaudeParser();
    case 'codex':
      return createCodexParser(options);
    case 'gemini':
      return createGeminiParser();
    case 'qwen':
      return createQwenParser(options);
    case 'opencode':
      return createOpencodeParser();
  }
}

/** Every event of a whole recorded stream (stdout of one run). */
export function parseAgentStream(family: StreamFamily, text: string, options: StreamParserOptions = {}): AgentEvent[] {
  return parseAllLines(createStreamParser(family, options), text);
}
