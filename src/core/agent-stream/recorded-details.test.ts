/* eslint-disable no-restricted-imports -- the recorded streams are files beside the checkout; the parsers never read files */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AcpUpdateReader } from './acp-updates.js';
import { sumUsage, type AgentEvent } from './agent-event.js';
import { classifyAttempt } from './classify-attempt.js';
import { parseAgentStream } from './create-parser.js';
import { parseClaudeDocument, parseGeminiDocument } from './single-document.js';

/** Copied into the repository (see PROVENANCE.md there): the tests read nothing outside the checkout. */
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/agent-streams/', import.meta.url));
const read = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

const SHELL_INPUT = { command: 'echo hello > out.txt && ls', description: 'write file' };
const SUCCESS = { kind: 'finished', status: 'success', httpStatus: null, deniedTools: [] } as const;

describe('recorded streams, event by event', () => {
  it('Claude: a refused tool shows as an error result and in the final event only', () => {
    expect(parseAgentStream('claude', read('claude-2.1.197-tool-denied-default-mode.jsonl'))).toEqual([
      { kind: 'session_started', sessionId: '784c8d3e-a79e-41ef-8841-5567271c312e', model: 'claude-opus-4-8[1m]' },
      { kind: 'tool_call', id: 'toolu_mock4', name: 'Bash', input: SHELL_INPUT },
      { kind: 'tool_result', id: 'toolu_mock4', isError: true, output: expect.stringContaining("Output redirection to '/home/dev/ws1/out.txt' was blocked") as unknown },
      { kind: 'assistant_text', text: 'Done: wrote out.txt.' },
      { kind: 'usage', inputTokens: 240, outputTokens: 24, cachedTokens: 0, costUsd: 0.0018000000000000002 },
      { ...SUCCESS, message: 'Done: wrote out.txt.', deniedTools: ['Bash'], turns: 2 },
    ]);
  });

  it('Claude: a 429 says success in its subtype, but is_error and the API status tell', () => {
    const events = parseAgentStream('claude', read('claude-2.1.197-rate-limit-429.jsonl'));
    expect(events.slice(1)).toEqual([
      { kind: 'error', message: 'rate_limit', httpStatus: 429, retrying: true, retryDelayMs: 1000 },
      { kind: 'error', message: 'rate_limit', httpStatus: 429, retrying: true, retryDelayMs: 1226 },
      { kind: 'error', message: 'API Error: Request rejected (429) · mock rate limit', httpStatus: 429, retrying: false, retryDelayMs: null },
      { kind: 'usage', inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 },
      { kind: 'finished', status: 'error', message: 'API Error: Request rejected (429) · mock rate limit', httpStatus: 429, deniedTools: [], turns: 1 },
    ]);
    expect(classifyAttempt('claude', events, { exitCode: 1, signal: null, timedOut: null })).toEqual({
      kind: 'rate_limited',
      reason: 'rate limited: API Error: Request rejected (429) · mock rate limit',
    });
  });

  it('Codex: a command, its failed result, the answer, and the usage of the turn', () => {
    expect(parseAgentStream('codex', read('codex-0.169.0-tool-default-readonly-sandbox.jsonl'))).toEqual([
      { kind: 'session_started', sessionId: '01a1fe36-d809-7600-8c6e-388dd0dfbc05', model: null },
      { kind: 'warning', message: 'Model metadata for `gpt-mock` not found. Defaulting to fallback metadata; this can degrade performance and cause issues.' },
      { kind: 'tool_call', id: 'item_1', name: 'command_execution', input: { command: "/bin/bash -lc 'echo hello > out.txt && ls'" } },
      { kind: 'tool_result', id: 'item_1', isError: true, output: "pyenv: cannot rehash: /home/dev/.shims isn't writable\n/bin/bash: line 1: out.txt: Read-only file system\n" },
      { kind: 'assistant_text', text: 'Done: wrote out.txt.' },
      { kind: 'usage', inputTokens: 400, outputTokens: 40, cachedTokens: 100 },
      { ...SUCCESS, message: null, turns: null },
    ]);
  });

  it('Codex: a resumed thread counts from zero without the previous run, its whole total', () => {
    expect(sumUsage(parseAgentStream('codex', read('codex-0.169.0-exec-resume.jsonl')))).toEqual({ inputTokens: 800, outputTokens: 80, cachedTokens: 200 });
  });

  it('Codex: the unreachable server only ever says it is reconnecting', () => {
    const events = parseAgentStream('codex', read('codex-0.169.0-server-unreachable-hangs.jsonl'));
    expect(events.filter((event) => event.kind === 'error')).toHaveLength(7);
    expect(events.every((event) => event.kind !== 'error' || event.retrying)).toBe(true);
    expect(classifyAttempt('codex', events, { exitCode: null, signal: 'SIGTERM', timedOut: 'wall' }).kind).toBe('hung');
  });

  it('Gemini: a tool call with its id, and the rate limit that only the exit code names', () => {
    expect(parseAgentStream('gemini', read('gemini-0.61.0-tool-yolo.jsonl')).slice(1, 3)).toEqual([
      { kind: 'tool_call', id: 'run_shell_command__run_shell_command_1795266622595_0', name: 'run_shell_command', input: SHELL_INPUT },
      { kind: 'tool_result', id: 'run_shell_command__run_shell_command_1795266622595_0', isError: false, output: 'out.txt' },
    ]);
    const limited = parseAgentStream('gemini', read('gemini-0.61.0-rate-limit-429-exit173.jsonl'));
    expect(limited.at(-1)).toMatchObject({ kind: 'finished', status: 'error', message: expect.stringContaining('[API Error: mock quota exceeded]') as unknown });
    expect(classifyAttempt('gemini', limited, { exitCode: 173, signal: null, timedOut: null }).kind).toBe('rate_limited');
  });

  it('Qwen: at the turn limit there is no result, and exit 53 says why', () => {
    const events = parseAgentStream('qwen', read('qwen-0.15.10-max-session-turns-exit53.jsonl'));
    expect(events.some((event) => event.kind === 'finished')).toBe(false);
    expect(classifyAttempt('qwen', events, { exitCode: 53, signal: null, timedOut: null })).toEqual({ kind: 'turn_limit', reason: 'the agent reached its turn limit (exit 53)' });
    expect(classifyAttempt('qwen', events, { exitCode: 1, signal: null, timedOut: null }).kind).toBe('crashed');
  });

  it('OpenCode: the last step_finish stands for the final event; each step reports its own usage', () => {
    expect(parseAgentStream('opencode', read('opencode-1.18.33-tool.jsonl'))).toEqual([
      { kind: 'session_started', sessionId: 'ses_e01c496bcffev4Hxq24QctMweP', model: null },
      { kind: 'tool_call', id: 'call_mock27', name: 'bash', input: SHELL_INPUT },
      { kind: 'tool_result', id: 'call_mock27', isError: false, output: 'opencode.json\nout.txt\n' },
      { kind: 'usage', inputTokens: 150, outputTokens: 15, cachedTokens: 0, costUsd: 0.00018 },
      { kind: 'assistant_text', text: 'Done: wrote out.txt.' },
      { kind: 'usage', inputTokens: 150, outputTokens: 15, cachedTokens: 0, costUsd: 0.00018 },
      { ...SUCCESS, message: null, turns: null },
    ]);
    const limited = parseAgentStream('opencode', read('opencode-1.18.33-rate-limit-429.jsonl'));
    expect(limited.at(-1)).toEqual({ kind: 'error', message: 'mock rate limit', httpStatus: 429, retrying: false, retryDelayMs: null });
    expect(classifyAttempt('opencode', limited, { exitCode: 0, signal: null, timedOut: null }).kind).toBe('rate_limited');
  });
});

describe('single JSON documents', () => {
  it('reads Claude --output-format json', () => {
    const events = parseClaudeDocument(read('claude-2.1.197-output-json.json'));
    expect(events).toEqual([
      { kind: 'session_started', sessionId: 'd1948e7c-1f18-46aa-82c2-d8f928d3dfe1', model: null },
      { kind: 'assistant_text', text: 'Hello from mock.' },
      { kind: 'usage', inputTokens: 120, outputTokens: 12, cachedTokens: 0, costUsd: 0.0009000000000000001 },
      { ...SUCCESS, message: 'Hello from mock.', turns: 1 },
    ]);
    expect(classifyAttempt('claude', events, { exitCode: 0, signal: null, timedOut: null }).kind).toBe('succeeded');
  });

  it('reads Gemini --output-format json, summing the tokens of every model', () => {
    expect(parseGeminiDocument(read('gemini-0.61.0-output-json.json'))).toEqual([
      { kind: 'session_started', sessionId: 'e9a9f8ad-dba8-4d1f-bac8-f2f99c648bb0', model: null },
      { kind: 'assistant_text', text: 'Hello from mock.' },
      { kind: 'usage', inputTokens: 600, outputTokens: 60, cachedTokens: 0 },
      { ...SUCCESS, message: null, turns: null },
    ]);
  });
});

interface RpcMessage {
  method?: string;
  params?: { update?: unknown; toolCall?: object };
  result?: { sessionId?: string; stopReason?: string };
}

/**
 * The agent's side of an ACP probe transcript (`<<` lines). The transcripts cut lines at 700
 * characters: of those, only the `session/new` result matters here, for its session id.
 */
function probeMessages(name: string): RpcMessage[] {
  return read(name)
    .split('\n')
    .filter((line) => line.startsWith('<< '))
    .map((line) => {
      try {
        return JSON.parse(line.slice(3)) as RpcMessage;
      } catch {
        const sessionId = /^<< \{"jsonrpc":"2\.0",(?:"id":\d+,)?"result":\{"sessionId":"([^"]+)"/.exec(line)?.[1];
        return sessionId ? { result: { sessionId } } : {};
      }
    });
}

/** Replays a probe transcript through the reader the way an ACP client would. */
function replayProbe(name: string): AgentEvent[] {
  const reader = new AcpUpdateReader();
  const events: AgentEvent[] = [];
  for (const message of probeMessages(name)) {
    if (typeof message.result?.sessionId === 'string') events.push(...reader.sessionStarted(message.result.sessionId));
    if (message.method === 'session/update') events.push(...reader.update(message.params?.update));
    if (message.method === 'session/request_permission') events.push(...reader.update({ sessionUpdate: 'tool_call', ...message.params?.toolCall }));
    if (typeof message.result?.stopReason === 'string') events.push(...reader.promptFinished(message.result));
  }
  return events;
}

describe('ACP probe transcripts', () => {
  const probes = {
    'acp-probe-claude.txt': { sessionId: '5cc790f7-abb1-48fb-9a96-3b98412079bf', tool: { id: 'toolu_mock57', name: 'Bash', input: SHELL_INPUT }, output: 'out.txt', usage: { inputTokens: 240, outputTokens: 24, cachedTokens: 0 } },
    'acp-probe-gemini.txt': { sessionId: 'df54707e-a3e3-492f-98c7-d1be31aaf357', tool: { id: 'run_shell_command__run_shell_command_1795266721665_0', name: 'execute', input: {} }, output: '', usage: { inputTokens: 600, outputTokens: 60, cachedTokens: 0 } },
    'acp-probe-opencode.txt': { sessionId: 'ses_e01c3b31dffeMyVhvBBcQqRKM5', tool: { id: 'call_mock48', name: 'execute', input: { ...SHELL_INPUT, cwd: '/home/dev/ws5' } }, output: 'opencode.json\nout.txt\n', usage: { inputTokens: 150, outputTokens: 15, cachedTokens: 0 } },
    'acp-probe-qwen.txt': { sessionId: '5006da33-282b-4f45-81a7-f6ab168d740f', tool: { id: 'call_mock50', name: 'run_shell_command', input: SHELL_INPUT }, output: 'out.txt', usage: { inputTokens: 300, outputTokens: 30, cachedTokens: 0 } },
  };

  it.each(Object.entries(probes))('%s', (name, expected) => {
    const events = replayProbe(name);
    expect(events).toEqual([
      { kind: 'session_started', sessionId: expected.sessionId, model: null },
      { kind: 'tool_call', ...expected.tool },
      { kind: 'tool_result', id: expected.tool.id, isError: false, output: expected.output },
      { kind: 'assistant_text', text: 'Done: wrote out.txt.' },
      { kind: 'usage', ...expected.usage },
      { ...SUCCESS, message: null, turns: null },
    ]);
    // The client ends the agent after its turn, so the exit code does not count against it.
    expect(classifyAttempt('acp', events, { exitCode: null, signal: 'SIGTERM', timedOut: null }).kind).toBe('succeeded');
  });

  it('acp-probe-codex.txt: a call that never reports back is still recorded; no usage is reported', () => {
    const events = replayProbe('acp-probe-codex.txt');
    expect(events.map((event) => event.kind)).toEqual(['session_started', 'assistant_text', 'assistant_text', 'tool_call', 'finished']);
    expect(events[3]).toMatchObject({ kind: 'tool_call', id: 'call_mock59', name: 'execute', input: { command: ['/bin/bash', '-lc', 'echo hello > out.txt && ls'] } });
    expect(events[2]).toEqual({ kind: 'assistant_text', text: 'Done: wrote out.txt.' });
  });
});
