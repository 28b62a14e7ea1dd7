/**
 * The Claude Code executor driving the real `claude` CLI (node_modules/.bin) against the
 * scripted model server.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentRequest } from '../../app/run-ports.js';
import { startModelServer, type ModelServer } from '../scripted-model/model-server.js';
import { hang, promptContains, rateLimited, runShell, say, type Script } from '../scripted-model/script.js';
import { agentEnv } from '../../../test/helpers/agent-env.js';
import { groupLeft } from '../../../test/model-server/agent-cli.js';
import { claudeArgv, claudeExecutor } from './claude-executor.js';

const TEST_TIMEOUT_MS = 60_000;
const executor = claudeExecutor({ killGraceMs: 2_000 });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(script: Script): Promise<{ server: ModelServer; request: (overrides?: Partial<AgentRequest>) => AgentRequest }> {
  const root = mkdtempSync(join(tmpdir(), 'baton-claude-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const server = await startModelServer(script);
  cleanups.push(() => server.close());
  const env = agentEnv(server, root);
  const request = (overrides: Partial<AgentRequest> = {}): AgentRequest => ({
    cwd: root,
    prompt: 'Create out.txt',
    model: null,
    resumeSession: null,
    usageBaseline: null,
    scratchDir: join(root, 'scratch'),
    env,
    extraArgs: [],
    wallTimeoutMs: 45_000,
    idleTimeoutMs: 30_000,
    ...overrides,
  });
  return { server, request };
}

describe('claude executor', () => {
  it('runs a session that writes a file, then resumes the same session with a new prompt', { timeout: TEST_TIMEOUT_MS }, async () => {
    const retry = promptContains('Previous attempt failed');
    const { server, request } = await setUp([
      { ...runShell('echo hello > out.txt'), when: (view) => !retry(view) },
      { ...say('Wrote out.txt.', { inputTokens: 400, outputTokens: 30 }), when: (view) => !retry(view) },
      { ...say('Nothing left to fix.'), when: retry },
    ]);
    const pgids: number[] = [];
    const first = await executor.run({ ...request(), onStarted: (pgid) => pgids.push(pgid) });

    expect(first.outcome, JSON.stringify(first.events)).toEqual({ kind: 'succeeded', reason: 'the agent finished its turn' });
    expect(readFileSync(join(request().cwd, 'out.txt'), 'utf8')).toBe('hello\n');
    expect(first.events.some((event) => event.kind === 'tool_call')).toBe(true);
    expect(first.usage.inputTokens).toBeGreaterThan(0);
    expect(first.usage.outputTokens).toBeGreaterThan(0);
    expect(first.usage.costUsd).toBeGreaterThan(0);
    expect(first.resumeSession).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.events.find((event) => event.kind === 'session_started')).toMatchObject({ sessionId: first.resumeSession });
    expect(pgids).toHaveLength(1);
    expect(await groupLeft(pgids[0] ?? -1)).toEqual([]);

    const second = await executor.run(request({ prompt: 'Previous attempt failed because: nothing. Check again.', resumeSession: first.resumeSession, model: 'claude-scripted-model' }));

    expect(second.outcome.kind, JSON.stringify(second.events)).toBe('succeeded');
    expect(second.resumeSession).toBe(first.resumeSession);
    expect(second.events).toContainEqual({ kind: 'assistant_text', text: 'Nothing left to fix.' });
    const last = server.conversation().at(-1);
    expect(last?.view?.prompt).toContain('Previous attempt failed because: nothing');
    expect(JSON.stringify(last?.body)).toContain('Wrote out.txt.');
    expect((last?.body as { model?: string }).model).toBe('claude-scripted-model');
  });

  it('reports a 429 from the model as rate_limited', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { request } = await setUp([rateLimited()]);
    const result = await executor.run(request({ prompt: 'Say hello' }));
    expect(result.outcome.kind, JSON.stringify(result.events)).toBe('rate_limited');
    expect(result.exit.exitCode).toBe(1);
  });

  it('waits out a rate limit Claude Code announced, though it is longer than the idle timeout', { timeout: TEST_TIMEOUT_MS }, async () => {
    // Claude Code honours retry-after: it prints `api_retry` with retry_delay_ms 8000, then nothing for 8 s.
    // The idle timeout leaves Claude Code's start-up (about a second) room on a busy machine.
    const { server, request } = await setUp([rateLimited(1, 8), say('Hello after the wait.')]);
    const result = await executor.run(request({ prompt: 'Say hello', idleTimeoutMs: 4_000 }));

    expect(result.outcome, JSON.stringify(result.events)).toEqual({ kind: 'succeeded', reason: 'the agent finished its turn' });
    expect(result.exit.timedOut).toBeNull();
    expect(result.events).toContainEqual({ kind: 'error', message: 'rate_limit', httpStatus: 429, retrying: true, retryDelayMs: 8_000 });
    expect(result.events).toContainEqual({ kind: 'assistant_text', text: 'Hello after the wait.' });
    expect(result.durationMs).toBeGreaterThanOrEqual(8_000);
    expect(server.conversation().map((request) => request.turn)).toEqual([0, 1]);
  });

  it('ends rate_limited, not hung, when the rate limit outlasts the retries it waited', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { server, request } = await setUp([rateLimited(Infinity, 7)]);
    const result = await executor.run(request({ prompt: 'Say hello', idleTimeoutMs: 4_000 }));

    expect(result.outcome.kind, JSON.stringify(result.events)).toBe('rate_limited');
    expect(result.exit).toEqual({ exitCode: 1, signal: null, timedOut: null });
    expect(result.durationMs).toBeGreaterThanOrEqual(7_000);
    // CLAUDE_CODE_MAX_RETRIES=1: the first request and one retry.
    expect(server.conversation()).toHaveLength(2);
  });

  it('says why Claude Code would not start: its own words from stderr, and a person must act', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { server, request } = await setUp([say('never asked')]);
    const result = await executor.run(request({ extraArgs: ['--no-such-flag'] }));

    expect(result.outcome).toEqual({
      kind: 'environment_error',
      reason: `the agent refused its command line: error: unknown option '--no-such-flag'; check "agent.args" in baton.config.json`,
      detail: "error: unknown option '--no-such-flag'",
    });
    expect(result.exit.exitCode).toBe(1);
    expect(server.conversation()).toEqual([]);
  });

  it.skipIf(nodeProcess.getuid?.() !== 0)('as root without IS_SANDBOX: Claude Code refuses, and the outcome says so', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { request } = await setUp([say('never asked')]);
    const env = Object.fromEntries(Object.entries(request().env).filter(([name]) => name !== 'IS_SANDBOX'));
    const stderr: string[] = [];
    const result = await executor.run({ ...request({ env }), onOutput: (line, stream) => void (stream === 'stderr' && stderr.push(line)) });

    expect(stderr).toEqual(['--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons']);
    expect(result.outcome.kind).toBe('environment_error');
    expect(result.outcome.reason).toContain('the agent refuses to run as root: --dangerously-skip-permissions cannot be used with root/sudo privileges');
    expect(result.outcome.detail).toBe(stderr[0]);
  });

  it('kills a session waiting on a silent model at the idle timeout: hung, group gone', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { server, request } = await setUp([hang()]);
    const pgids: number[] = [];
    const result = await executor.run({ ...request({ prompt: 'Say hello', idleTimeoutMs: 5_000 }), onStarted: (pgid) => pgids.push(pgid) });

    expect(result.outcome.kind).toBe('hung');
    expect(result.exit.timedOut).toBe('idle');
    expect(server.conversation().length).toBeGreaterThan(0);
    expect(await groupLeft(pgids[0] ?? -1)).toEqual([]);
    // The id baton gave the session is known even though Claude Code never finished.
    expect(result.resumeSession).toMatch(/^[0-9a-f-]{36}$/);
    expect(existsSync(join(request().cwd, 'out.txt'))).toBe(false);
  });

  it('puts the prompt after `--`, so a prompt starting with a dash stays a prompt', () => {
    const argv = claudeArgv({ prompt: '--version', model: null, resumeSession: null, extraArgs: ['--max-turns', '3'] } as unknown as AgentRequest, 'id-1');
    expect(argv.slice(-5)).toEqual(['id-1', '--max-turns', '3', '--', '--version']);
  });
});
