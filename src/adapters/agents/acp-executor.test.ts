import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import nodeProcess from 'node:process';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentRequest } from '../../app/run-ports.js';
import type { AgentEvent } from '../../core/agent-stream/agent-event.js';
import { groupLeft } from '../../../test/model-server/agent-cli.js';
import { acpExecutor } from './acp-executor.js';

const AGENT = resolve(import.meta.dirname, '../../../test/fixtures/acp-echo-agent.mjs');
const COMMAND = `'${nodeProcess.execPath}' '${AGENT}'`;
const options = { killGraceMs: 1_000 };
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function workspace(): { cwd: string; request: (overrides?: Partial<AgentRequest>) => AgentRequest } {
  const root = mkdtempSync(join(tmpdir(), 'baton-acp-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const request = (overrides: Partial<AgentRequest> = {}): AgentRequest => ({
    cwd: root,
    prompt: 'write it down',
    model: null,
    resumeSession: null,
    usageBaseline: null,
    scratchDir: join(root, 'scratch'),
    env: { PATH: '/usr/bin:/bin', ACP_ECHO_STATE_DIR: join(root, 'agent-state') },
    extraArgs: [],
    wallTimeoutMs: 20_000,
    idleTimeoutMs: 10_000,
    ...overrides,
  });
  return { cwd: root, request };
}

const kinds = (events: readonly AgentEvent[]): string[] => events.map((event) => event.kind);

describe('acp: executor', () => {
  it('runs one prompt turn: permission granted, file written through the client, answer and usage read', async () => {
    const { cwd, request } = workspace();
    const output: string[] = [];
    const streamed: AgentEvent[] = [];
    const pgids: number[] = [];

    const result = await acpExecutor(COMMAND, options).run({
      ...request(),
      onOutput: (line, stream) => output.push(`${stream}:${line}`),
      onEvent: (event) => streamed.push(event),
      onStarted: (pgid) => pgids.push(pgid),
    });

    expect(result.outcome, JSON.stringify(result.events)).toEqual({ kind: 'succeeded', reason: 'the agent finished its turn' });
    expect(readFileSync(join(cwd, 'echo.txt'), 'utf8')).toBe('write it down\n');
    expect(kinds(result.events)).toEqual(['session_started', 'tool_call', 'tool_result', 'assistant_text', 'usage', 'finished']);
    expect(result.events).toContainEqual({ kind: 'tool_result', id: 'call_1', isError: false, output: `wrote ${join(cwd, 'echo.txt')}` });
    expect(result.events).toContainEqual({ kind: 'assistant_text', text: 'echo: write it down (turn 1)' });
    expect(result.usage).toEqual({ inputTokens: 120, outputTokens: 10, cachedTokens: 20 });
    expect(result.resumeSession).toMatch(/^echo-/);
    expect(result.events[0]).toEqual({ kind: 'session_started', sessionId: result.resumeSession, model: null });
    expect(streamed).toEqual(result.events);
    expect(output).toContain('stderr:acp-echo-agent ready');
    expect(output.some((line) => line.startsWith('stdout:{"jsonrpc"'))).toBe(true);
    // baton stopped the agent after its turn; nothing of it is left.
    expect(await groupLeft(pgids[0] ?? -1)).toEqual([]);
  });

  it('continues the same session with session/load, without counting the replayed history', async () => {
    const { cwd, request } = workspace();
    const executor = acpExecutor(COMMAND, options);
    const first = await executor.run(request({ prompt: 'first' }));

    const second = await executor.run(request({ prompt: 'second', resumeSession: first.resumeSession }));

    expect(second.outcome.kind).toBe('succeeded');
    expect(second.resumeSession).toBe(first.resumeSession);
    expect(second.events.filter((event) => event.kind === 'assistant_text')).toEqual([{ kind: 'assistant_text', text: 'echo: second (turn 2)' }]);
    expect(readFileSync(join(cwd, 'echo.txt'), 'utf8')).toBe('first\nsecond\n');
  });

  it('falls back on session/load when the agent advertises session/resume but does not implement it (Qwen Code 0.15)', async () => {
    const { cwd, request } = workspace();
    const executor = acpExecutor(`${COMMAND} --claim-resume`, options);
    const first = await executor.run(request({ prompt: 'first' }));

    const second = await executor.run(request({ prompt: 'second', resumeSession: first.resumeSession }));

    expect(second.events.filter((event) => event.kind === 'warning')).toEqual([]);
    expect(second.resumeSession).toBe(first.resumeSession);
    expect(second.events.filter((event) => event.kind === 'assistant_text')).toEqual([{ kind: 'assistant_text', text: 'echo: second (turn 2)' }]);
    expect(readFileSync(join(cwd, 'echo.txt'), 'utf8')).toBe('first\nsecond\n');
  });

  it('reports a prompt answered with JSON-RPC error 429 as rate limited, keeping the status', async () => {
    const { request } = workspace();
    const result = await acpExecutor(COMMAND, options).run(request({ prompt: 'RATE' }));
    expect(result.outcome.kind).toBe('rate_limited');
    expect(result.events.at(-1)).toMatchObject({ kind: 'finished', status: 'error', httpStatus: 429, message: expect.stringContaining('Rate limit exceeded') });
  });

  it('starts a new session, with a warning, when the old one cannot be loaded', async () => {
    const { request } = workspace();
    const result = await acpExecutor(COMMAND, options).run(request({ resumeSession: 'echo-missing' }));
    expect(result.outcome.kind).toBe('succeeded');
    expect(result.resumeSession).not.toBe('echo-missing');
    expect(result.events.find((event) => event.kind === 'warning')).toMatchObject({ message: expect.stringContaining('could not continue session echo-missing') });
  });

  it('passes extra arguments to the agent command', async () => {
    const { request } = workspace();
    const result = await acpExecutor(COMMAND, options).run(request({ extraArgs: ['--greeting', 'Hello there,'] }));
    expect(result.events).toContainEqual({ kind: 'assistant_text', text: 'Hello there, echo: write it down (turn 1)' });
  });

  it('refuses file writes outside the worktree', async () => {
    const { request } = workspace();
    const result = await acpExecutor(COMMAND, options).run(request({ prompt: 'OUTSIDE please' }));
    const toolResult = result.events.find((event) => event.kind === 'tool_result');
    expect(toolResult).toMatchObject({ isError: true, output: expect.stringContaining('inside') });
    expect(existsSync('/tmp/acp-echo-outside.txt')).toBe(false);
  });

  it('reports a turn the agent ends other than end_turn as failed', async () => {
    const { request } = workspace();
    const result = await acpExecutor(COMMAND, options).run(request({ prompt: 'REFUSE' }));
    expect(result.outcome).toEqual({ kind: 'failed', reason: 'the agent reported an error: the agent stopped: refusal' });
  });

  it('reports an agent that dies mid-turn as crashed', async () => {
    const { request } = workspace();
    const result = await acpExecutor(COMMAND, options).run(request({ prompt: 'CRASH' }));
    expect(result.exit.exitCode).toBe(3);
    expect(result.outcome.kind).toBe('crashed');
  });

  it('kills an agent that goes silent at the idle timeout: hung, group gone', async () => {
    const { request } = workspace();
    const pgids: number[] = [];
    const result = await acpExecutor(COMMAND, options).run({ ...request({ prompt: 'HANG', idleTimeoutMs: 1_000 }), onStarted: (pgid) => pgids.push(pgid) });
    expect(result.outcome.kind).toBe('hung');
    expect(result.exit.timedOut).toBe('idle');
    expect(result.resumeSession).toMatch(/^echo-/);
    expect(await groupLeft(pgids[0] ?? -1)).toEqual([]);
  });
});
