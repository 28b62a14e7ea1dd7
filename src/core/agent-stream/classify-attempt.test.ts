import { describe, expect, it } from 'vitest';
import type { AgentEvent, FinishedEvent } from './agent-event.js';
import { classifyAttempt, needsHuman, type AgentExit } from './classify-attempt.js';

const exited = (exitCode: number): AgentExit => ({ exitCode, signal: null, timedOut: null });
const killed = (signal: string): AgentExit => ({ exitCode: null, signal, timedOut: null });
const finished = (fields: Partial<FinishedEvent> = {}): FinishedEvent => ({ kind: 'finished', status: 'success', message: null, httpStatus: null, deniedTools: [], turns: null, ...fields });
const apiError = (message: string, httpStatus: number | null = null): AgentEvent => ({ kind: 'error', message, httpStatus, retrying: false, retryDelayMs: null });

describe('classifyAttempt', () => {
  it('succeeds only on a final success together with exit 0', () => {
    expect(classifyAttempt('claude', [finished()], exited(0))).toEqual({ kind: 'succeeded', reason: 'the agent finished its turn' });
    expect(classifyAttempt('claude', [finished()], exited(1))).toEqual({ kind: 'crashed', reason: 'the agent reported success but exited with 1' });
    expect(classifyAttempt('codex', [finished()], killed('SIGSEGV'))).toEqual({ kind: 'crashed', reason: 'the agent reported success but was killed by SIGSEGV' });
  });

  it('calls a timeout hung, whatever the stream said before', () => {
    expect(classifyAttempt('claude', [finished()], { exitCode: null, signal: 'SIGTERM', timedOut: 'idle' }).kind).toBe('hung');
    expect(classifyAttempt('codex', [], { exitCode: null, signal: 'SIGKILL', timedOut: 'wall' })).toEqual({
      kind: 'hung',
      reason: 'the agent was still running at the wall-clock timeout and was killed',
    });
  });

  it('calls a refused tool permission_denied even though the agent exits 0 and says success', () => {
    expect(classifyAttempt('claude', [finished({ deniedTools: ['Bash', 'Bash', 'Edit'] })], exited(0))).toEqual({
      kind: 'permission_denied',
      reason: 'the agent was refused permission to use Bash, Edit',
    });
  });

  it('reads limits from the final event', () => {
    expect(classifyAttempt('claude', [finished({ status: 'turn_limit', message: 'Reached maximum number of turns (1)' })], exited(1))).toEqual({
      kind: 'turn_limit',
      reason: 'the agent reached its turn limit: Reached maximum number of turns (1)',
    });
    expect(classifyAttempt('claude', [finished({ status: 'budget_limit' })], exited(1)).kind).toBe('budget_exceeded');
  });

  it('tells rate limits and refused credentials from other errors by HTTP status, then by message', () => {
    expect(classifyAttempt('claude', [finished({ status: 'error', httpStatus: 429 })], exited(1)).kind).toBe('rate_limited');
    expect(classifyAttempt('claude', [finished({ status: 'error', httpStatus: 529, message: 'Overloaded' })], exited(1)).kind).toBe('rate_limited');
    expect(classifyAttempt('claude', [finished({ status: 'error', httpStatus: 401, message: 'Invalid API key · Please run /login' })], exited(1))).toEqual({
      kind: 'auth_error',
      reason: 'refused credentials: Invalid API key · Please run /login',
    });
    expect(classifyAttempt('codex', [finished({ status: 'error', message: 'unexpected status 401 Unauthorized' })], exited(1)).kind).toBe('auth_error');
    expect(classifyAttempt('codex', [apiError('stream error: 429'), finished({ status: 'error', message: 'turn failed' })], exited(1)).kind).toBe('failed');
    expect(classifyAttempt('codex', [apiError('too busy', 429), finished({ status: 'error', message: 'turn failed' })], exited(1)).kind).toBe('rate_limited');
    expect(classifyAttempt('claude', [finished({ status: 'error', message: 'Tool crashed\nstack...' })], exited(1))).toEqual({
      kind: 'failed',
      reason: 'the agent reported an error: Tool crashed',
    });
  });

  it('uses the Gemini family exit codes when the stream does not say', () => {
    const gemini = (code: number) => classifyAttempt('gemini', [{ kind: 'session_started', sessionId: 's', model: null }], exited(code)).kind;
    expect([gemini(41), gemini(53), gemini(55), gemini(173)]).toEqual(['auth_error', 'turn_limit', 'permission_denied', 'rate_limited']);
    expect(classifyAttempt('gemini', [finished({ status: 'error', message: 'quota' })], exited(173)).kind).toBe('rate_limited');
    expect(classifyAttempt('qwen', [], exited(53)).kind).toBe('turn_limit');
    // Exit codes mean nothing special for other families.
    expect(classifyAttempt('claude', [], exited(53)).kind).toBe('crashed');
    expect(classifyAttempt('qwen', [], exited(173)).kind).toBe('crashed');
  });

  it('falls back on the last API error when there is no final event', () => {
    expect(classifyAttempt('opencode', [apiError('mock rate limit', 429)], exited(0)).kind).toBe('rate_limited');
    expect(classifyAttempt('opencode', [apiError('Unauthorized', 401)], exited(1)).kind).toBe('auth_error');
  });

  it('calls a stream that ends without a final event crashed, naming the exit', () => {
    expect(classifyAttempt('claude', [], exited(0))).toEqual({ kind: 'crashed', reason: 'the agent exited with 0 without reporting how its session ended' });
    expect(classifyAttempt('codex', [apiError('Reconnecting... waiting for network')], killed('SIGTERM'))).toEqual({
      kind: 'crashed',
      reason: 'the agent was killed by SIGTERM before it finished',
    });
  });

  it('names a crash by the line of stderr that says why, and keeps the end of stderr as its detail', () => {
    const stderr = 'Warning: slow disk\n\u001b[31mError: ENOSPC: no space left on device, write\u001b[0m\n    at writeSync (node:fs:1)\n\nNode.js v20.20.2\n';
    expect(classifyAttempt('claude', [], exited(1), stderr)).toEqual({
      kind: 'crashed',
      reason: 'the agent exited with 1 without reporting how its session ended: Error: ENOSPC: no space left on device, write',
      detail: 'Warning: slow disk\nError: ENOSPC: no space left on device, write\n    at writeSync (node:fs:1)\nNode.js v20.20.2',
    });
    expect(classifyAttempt('codex', [], killed('SIGSEGV'), 'panicked at src/main.rs:1\n')).toMatchObject({ reason: 'the agent was killed by SIGSEGV before it finished: panicked at src/main.rs:1' });
    expect(classifyAttempt('claude', [finished()], exited(2), 'error: lost the session file\n')).toMatchObject({ kind: 'crashed', reason: 'the agent reported success but exited with 2: error: lost the session file' });
  });

  it('keeps stderr out of an outcome the stream told in its own words', () => {
    expect(classifyAttempt('claude', [finished()], exited(0), 'Warning: deprecated flag\n')).toEqual({ kind: 'succeeded', reason: 'the agent finished its turn' });
    const limited = classifyAttempt('claude', [finished({ status: 'error', httpStatus: 429, message: 'API Error: 429' })], exited(1), 'not logged in\n');
    expect(limited).toEqual({ kind: 'rate_limited', reason: 'rate limited: API Error: 429' });
    expect(classifyAttempt('acp', [finished({ status: 'error', message: 'refusal' })], killed('SIGTERM'), 'agent ready\n')).toEqual({ kind: 'failed', reason: 'the agent reported an error: refusal' });
    // A timeout or a crash after the final event is not the stream's to tell.
    expect(classifyAttempt('claude', [finished()], { exitCode: null, signal: 'SIGTERM', timedOut: 'wall' }, 'busy\n').detail).toBe('busy');
    expect(classifyAttempt('claude', [], { exitCode: null, signal: 'SIGTERM', timedOut: 'idle' }, 'still thinking\n').detail).toBe('still thinking');
    expect(classifyAttempt('claude', [], exited(1), ' \n').detail).toBeUndefined();
  });

  it('tells which outcomes need a person before another attempt', () => {
    const kinds = ['succeeded', 'failed', 'rate_limited', 'auth_error', 'turn_limit', 'budget_exceeded', 'permission_denied', 'environment_error', 'hung', 'crashed'] as const;
    expect(kinds.filter((kind) => needsHuman({ kind }))).toEqual(['auth_error', 'permission_denied', 'environment_error']);
  });

  it('ignores the exit of an ACP agent, which the client ends itself', () => {
    expect(classifyAttempt('acp', [finished()], killed('SIGTERM')).kind).toBe('succeeded');
    expect(classifyAttempt('acp', [finished({ status: 'turn_limit' })], killed('SIGTERM')).kind).toBe('turn_limit');
  });
});
