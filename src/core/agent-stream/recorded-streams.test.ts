/* eslint-disable no-restricted-imports -- the recorded streams are files beside the checkout; the parsers never read files */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sumUsage, type AgentEvent, type FinishStatus, type TokenCounts } from './agent-event.js';
import { classifyAttempt, type AgentExit, type AttemptOutcomeKind } from './classify-attempt.js';
import { createStreamParser, parseAgentStream, type StreamFamily } from './create-parser.js';
import { parseAllLines } from './stream-parser.js';

/** Copied into the repository (see PROVENANCE.md there): the tests read nothing outside the checkout. */
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/agent-streams/', import.meta.url));
const read = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

const OK: AgentExit = { exitCode: 0, signal: null, timedOut: null };
const EXIT_1: AgentExit = { exitCode: 1, signal: null, timedOut: null };
/** The hanging Codex run ends only when baton's idle timeout kills it. */
const KILLED_IDLE: AgentExit = { exitCode: null, signal: 'SIGTERM', timedOut: 'idle' };

interface Tool {
  name: string;
  input: unknown;
  /** The result's isError; undefined when the stream shows no result. */
  isError?: boolean;
}

interface Recorded {
  exit: AgentExit;
  outcome: AttemptOutcomeKind;
  sessionId: string;
  tools: Tool[];
  text: string[];
  finished: FinishStatus | null;
  usage: TokenCounts & { costUsd?: number };
  /** The previous run of the same session, for CLIs that count usage per session. */
  resumes?: string;
}

const SHELL_INPUT = { command: 'echo hello > out.txt && ls', description: 'write file' };
const CODEX_SHELL = { command: "/bin/bash -lc 'echo hello > out.txt && ls'" };
const HELLO = ['Hello from mock.'];
const DONE = ['Done: wrote out.txt.'];
const CLAUDE_HELLO_USAGE = { inputTokens: 120, outputTokens: 12, cachedTokens: 0, costUsd: 0.0009000000000000001 };
const GEMINI_HELLO_USAGE = { inputTokens: 600, outputTokens: 60, cachedTokens: 0 };
const OPENCODE_TOOL_RUN = {
  tools: [{ name: 'bash', input: SHELL_INPUT, isError: false }],
  text: DONE,
  usage: { inputTokens: 300, outputTokens: 30, cachedTokens: 0, costUsd: 0.00036 },
};

/** What every recorded stream shows, file by file. Exit codes not in a file's name are the CLI's usual ones. */
const RECORDED: Record<string, Recorded> = {
  'claude-2.1.197-hello.jsonl': { exit: OK, outcome: 'succeeded', sessionId: '1b4dced9-90b8-4416-9681-35b861f348be', tools: [], text: HELLO, finished: 'success', usage: CLAUDE_HELLO_USAGE },
  'claude-2.1.197-include-partial-messages.jsonl': { exit: OK, outcome: 'succeeded', sessionId: 'da9c2377-6a18-4731-8464-262eccb66d1a', tools: [], text: HELLO, finished: 'success', usage: CLAUDE_HELLO_USAGE },
  'claude-2.1.197-max-turns-1.jsonl': {
    exit: EXIT_1,
    outcome: 'turn_limit',
    sessionId: '60ce3599-314c-41ca-9c83-00eb66b0e420',
    tools: [{ name: 'Bash', input: SHELL_INPUT, isError: false }],
    text: [],
    finished: 'turn_limit',
    usage: CLAUDE_HELLO_USAGE,
  },
  'claude-2.1.197-ollama-style-env.jsonl': { exit: OK, outcome: 'succeeded', sessionId: 'ed078743-9953-4fc6-989e-46e787e18936', tools: [], text: HELLO, finished: 'success', usage: CLAUDE_HELLO_USAGE },
  'claude-2.1.197-rate-limit-429.jsonl': {
    exit: EXIT_1,
    outcome: 'rate_limited',
    sessionId: '3a0e06c3-8cc9-4abd-aa66-bf49c1ce377c',
    tools: [],
    text: [],
    finished: 'error',
    usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 },
  },
  'claude-2.1.197-resume.jsonl': { exit: OK, outcome: 'succeeded', sessionId: 'd1948e7c-1f18-46aa-82c2-d8f928d3dfe1', tools: [], text: HELLO, finished: 'success', usage: CLAUDE_HELLO_USAGE },
  'claude-2.1.197-tool-allowedTools-Bash.jsonl': {
    exit: OK,
    outcome: 'succeeded',
    sessionId: 'de90587e-4d99-404c-aa6f-5a91cab9b7cb',
    tools: [{ name: 'Bash', input: SHELL_INPUT, isError: false }],
    text: DONE,
    finished: 'success',
    usage: { inputTokens: 240, outputTokens: 24, cachedTokens: 0, costUsd: 0.0018000000000000002 },
  },
  'claude-2.1.197-tool-denied-default-mode.jsonl': {
    exit: OK,
    outcome: 'permission_denied',
    sessionId: '784c8d3e-a79e-41ef-8841-5567271c312e',
    tools: [{ name: 'Bash', input: SHELL_INPUT, isError: true }],
    text: DONE,
    finished: 'success',
    usage: { inputTokens: 240, outputTokens: 24, cachedTokens: 0, costUsd: 0.0018000000000000002 },
  },
  'claude-2.1.330-hello-with-AGENTS.md.jsonl': {
    exit: OK,
    outcome: 'succeeded',
    sessionId: 'c4c5549d-a77a-41df-9422-c6fdbceee93d',
    tools: [],
    text: HELLO,
    finished: 'success',
    usage: { inputTokens: 120, outputTokens: 12, cachedTokens: 0, costUsd: 0.00072 },
  },
  'claude-2.1.330-max-turns-1.jsonl': {
    exit: EXIT_1,
    outcome: 'turn_limit',
    sessionId: '6720cfe2-93d6-48d5-a108-6a01b825695a',
    tools: [{ name: 'Bash', input: SHELL_INPUT, isError: false }],
    text: [],
    finished: 'turn_limit',
    usage: { inputTokens: 120, outputTokens: 12, cachedTokens: 0, costUsd: 0.00072 },
  },
  'claude-2.1.330-rate-limit-429.jsonl': {
    exit: EXIT_1,
    outcome: 'rate_limited',
    sessionId: '63774f0b-fb71-44ed-9cec-d5f0d39baaec',
    tools: [],
    text: [],
    finished: 'error',
    usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 },
  },
  'codex-0.169.0-exec-resume.jsonl': {
    exit: OK,
    outcome: 'succeeded',
    sessionId: '01a1fe36-e84f-7eb3-8c64-ac85b1f262b0',
    tools: [{ name: 'command_execution', input: CODEX_SHELL, isError: true }],
    text: DONE,
    finished: 'success',
    // The thread's running total is 800/80/200; the run before it (tool-workspace-write) spent 400/40/100.
    usage: { inputTokens: 400, outputTokens: 40, cachedTokens: 100 },
    resumes: 'codex-0.169.0-tool-workspace-write.jsonl',
  },
  'codex-0.169.0-hello.jsonl': { exit: OK, outcome: 'succeeded', sessionId: '01a1fe36-cda2-7391-9a26-840838b7d171', tools: [], text: HELLO, finished: 'success', usage: { inputTokens: 200, outputTokens: 20, cachedTokens: 50 } },
  'codex-0.169.0-rate-limit-429.jsonl': { exit: EXIT_1, outcome: 'rate_limited', sessionId: '01a1fe37-2148-7591-9ea3-8e8f28ba2c5b', tools: [], text: [], finished: 'error', usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0 } },
  'codex-0.169.0-server-unreachable-hangs.jsonl': { exit: KILLED_IDLE, outcome: 'hung', sessionId: '01a1fe37-26be-7410-b983-d71c2db074e8', tools: [], text: [], finished: null, usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0 } },
  'codex-0.169.0-tool-default-readonly-sandbox.jsonl': {
    exit: OK,
    outcome: 'succeeded',
    sessionId: '01a1fe36-d809-7600-8c6e-388dd0dfbc05',
    tools: [{ name: 'command_execution', input: CODEX_SHELL, isError: true }],
    text: DONE,
    finished: 'success',
    usage: { inputTokens: 400, outputTokens: 40, cachedTokens: 100 },
  },
  'codex-0.169.0-tool-workspace-write.jsonl': {
    exit: OK,
    outcome: 'succeeded',
    sessionId: '01a1fe36-e84f-7eb3-8c64-ac85b1f262b0',
    tools: [{ name: 'command_execution', input: CODEX_SHELL, isError: false }],
    text: DONE,
    finished: 'success',
    usage: { inputTokens: 400, outputTokens: 40, cachedTokens: 100 },
  },
  'gemini-0.61.0-hello.jsonl': { exit: OK, outcome: 'succeeded', sessionId: '0e1c8d5f-397a-40a7-924f-b1d1947f5805', tools: [], text: HELLO, finished: 'success', usage: GEMINI_HELLO_USAGE },
  'gemini-0.61.0-rate-limit-429-exit173.jsonl': {
    exit: { exitCode: 173, signal: null, timedOut: null },
    outcome: 'rate_limited',
    sessionId: '91afc334-1cd9-4076-b766-4fd6483a92ae',
    tools: [],
    text: [],
    finished: 'error',
    usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0 },
  },
  'gemini-0.61.0-resume-by-uuid.jsonl': { exit: OK, outcome: 'succeeded', sessionId: '3963cfa5-0920-41a7-bdbe-bd8acd3d32b4', tools: [], text: HELLO, finished: 'success', usage: GEMINI_HELLO_USAGE },
  'gemini-0.61.0-tool-default-mode-shell-not-offered.jsonl': { exit: OK, outcome: 'succeeded', sessionId: '1f38ea19-5f27-47cd-b8ec-7565465fcb82', tools: [], text: HELLO, finished: 'success', usage: GEMINI_HELLO_USAGE },
  'gemini-0.61.0-tool-yolo.jsonl': {
    exit: OK,
    outcome: 'succeeded',
    sessionId: '3963cfa5-0920-41a7-bdbe-bd8acd3d32b4',
    tools: [{ name: 'run_shell_command', input: SHELL_INPUT, isError: false }],
    text: DONE,
    finished: 'success',
    usage: { inputTokens: 900, outputTokens: 90, cachedTokens: 0 },
  },
  'opencode-1.18.33-continue-session.jsonl': { exit: OK, outcome: 'succeeded', sessionId: 'ses_e01c496bcffev4Hxq24QctMweP', finished: 'success', ...OPENCODE_TOOL_RUN },
  'opencode-1.18.33-hello.jsonl': {
    exit: OK,
    outcome: 'succeeded',
    sessionId: 'ses_e01c4b2c1ffek5BfiREtWifaMQ',
    tools: [],
    text: HELLO,
    finished: 'success',
    usage: { inputTokens: 150, outputTokens: 15, cachedTokens: 0, costUsd: 0.00018 },
  },
  'opencode-1.18.33-rate-limit-429.jsonl': { exit: EXIT_1, outcome: 'rate_limited', sessionId: 'ses_e01c475bfffeQZTfcdNfcHawEI', tools: [], text: [], finished: null, usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0 } },
  'opencode-1.18.33-tool.jsonl': { exit: OK, outcome: 'succeeded', sessionId: 'ses_e01c496bcffev4Hxq24QctMweP', finished: 'success', ...OPENCODE_TOOL_RUN },
  'qwen-0.15.10-hello.jsonl': { exit: OK, outcome: 'succeeded', sessionId: 'e6424663-9200-4737-b2bf-16e8eb01a660', tools: [], text: HELLO, finished: 'success', usage: { inputTokens: 300, outputTokens: 30, cachedTokens: 0 } },
  'qwen-0.15.10-max-session-turns-exit53.jsonl': {
    exit: { exitCode: 53, signal: null, timedOut: null },
    outcome: 'turn_limit',
    sessionId: '605a397f-4658-4ef6-9b60-9ff546aa3d61',
    tools: [{ name: 'run_shell_command', input: SHELL_INPUT, isError: false }],
    text: [],
    finished: null,
    // No result line: the one assistant message's usage is all there is.
    usage: { inputTokens: 150, outputTokens: 15, cachedTokens: 0 },
  },
  'qwen-0.15.10-resume.jsonl': {
    exit: OK,
    outcome: 'succeeded',
    sessionId: '7a965dbc-0f53-4e64-9b4a-9d1e6b9d8798',
    tools: [],
    text: HELLO,
    finished: 'success',
    // The session's running total is 600/60; the run before it (tool-yolo) spent 300/30.
    usage: { inputTokens: 300, outputTokens: 30, cachedTokens: 0 },
    resumes: 'qwen-0.15.10-tool-yolo.jsonl',
  },
  'qwen-0.15.10-tool-yolo.jsonl': {
    exit: OK,
    outcome: 'succeeded',
    sessionId: '7a965dbc-0f53-4e64-9b4a-9d1e6b9d8798',
    tools: [{ name: 'run_shell_command', input: SHELL_INPUT, isError: false }],
    text: DONE,
    finished: 'success',
    usage: { inputTokens: 300, outputTokens: 30, cachedTokens: 0 },
  },
};

/** The single documents and ACP transcripts, whose tests are in recorded-details.test.ts. */
const TESTED_IN_DETAIL = [
  'claude-2.1.197-output-json.json',
  'gemini-0.61.0-output-json.json',
  ...['claude', 'codex', 'gemini', 'opencode', 'qwen'].map((agent) => `acp-probe-${agent}.txt`),
];

function familyOf(name: string): StreamFamily {
  return name.slice(0, name.indexOf('-')) as StreamFamily;
}

function parseRecorded(name: string): AgentEvent[] {
  const { resumes } = RECORDED[name] ?? {};
  const family = familyOf(name);
  const usageBaseline = resumes ? parseAndKeepBaseline(family, resumes) : undefined;
  return parseAgentStream(family, read(name), usageBaseline ? { usageBaseline } : {});
}

function parseAndKeepBaseline(family: StreamFamily, name: string): TokenCounts {
  const parser = createStreamParser(family);
  parseAllLines(parser, read(name));
  return parser.usageBaseline();
}

/** A tool call with its result's isError, matched by id. */
function toolsOf(events: readonly AgentEvent[]): Tool[] {
  return events.flatMap((event) => {
    if (event.kind !== 'tool_call') return [];
    const result = events.find((other) => other.kind === 'tool_result' && other.id === event.id);
    return [{ name: event.name, input: event.input, ...(result?.kind === 'tool_result' ? { isError: result.isError } : {}) }];
  });
}

describe('recorded agent streams', () => {
  it('has an expectation for every recorded file, and every expectation a file', () => {
    expect(readdirSync(FIXTURES).sort()).toEqual([...Object.keys(RECORDED), ...TESTED_IN_DETAIL, 'README.md', 'PROVENANCE.md'].sort());
  });

  it('never throws on a stream cut off in the middle of a line, keeping the cut line as evidence', () => {
    for (const name of Object.keys(RECORDED)) {
      for (const line of read(name).split('\n').filter((text) => text.trim() !== '')) {
        for (const cut of [1, 7, Math.floor(line.length / 2), line.length - 1]) {
          const parser = createStreamParser(familyOf(name));
          expect(parser.parseLine(line.slice(0, cut))).toEqual([{ kind: 'unknown', reason: 'not_json', line: line.slice(0, cut) }]);
          expect(() => parser.end()).not.toThrow();
        }
      }
    }
  });

  it.each(Object.entries(RECORDED))('%s', (name, expected) => {
    const events = parseRecorded(name);
    const finished = events.filter((event) => event.kind === 'finished');
    expect(events.filter((event) => event.kind === 'session_started').map((event) => event.sessionId)).toEqual([expected.sessionId]);
    expect(toolsOf(events)).toEqual(expected.tools);
    expect(events.flatMap((event) => (event.kind === 'assistant_text' ? [event.text] : []))).toEqual(expected.text);
    expect(finished.map((event) => event.status)).toEqual(expected.finished ? [expected.finished] : []);
    expect(sumUsage(events)).toEqual(expected.usage);
    expect(events.filter((event) => event.kind === 'unknown')).toEqual([]);
    expect(classifyAttempt(familyOf(name), events, expected.exit).kind).toBe(expected.outcome);
  });
});
