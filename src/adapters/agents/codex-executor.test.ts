/**
 * The Codex executor driving the real `codex` CLI (node_modules/.bin) against the scripted
 * model server.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentRequest } from '../../app/run-ports.js';
import { startModelServer, type ModelServer } from '../scripted-model/model-server.js';
import { hang, promptContains, rateLimited, say, shell, type Script } from '../scripted-model/script.js';
import { git } from '../../../test/helpers/baton.js';
import { agentEnv } from '../../../test/helpers/agent-env.js';
import { groupLeft } from '../../../test/model-server/agent-cli.js';
import { codexArgv, codexExecutor } from './codex-executor.js';

const TEST_TIMEOUT_MS = 60_000;
const executor = codexExecutor({ killGraceMs: 2_000 });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(script: Script): Promise<{ server: ModelServer; repo: string; request: (overrides?: Partial<AgentRequest>) => AgentRequest }> {
  const root = mkdtempSync(join(tmpdir(), 'baton-codex-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  // Codex wants a git repository to work in.
  const repo = join(root, 'repo');
  git(root, ['init', '-q', '-b', 'main', repo]);
  const server = await startModelServer(script);
  cleanups.push(() => server.close());
  const env = agentEnv(server, root);
  const request = (overrides: Partial<AgentRequest> = {}): AgentRequest => ({
    cwd: repo,
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
  return { server, repo, request };
}

describe('codex executor', () => {
  it('runs a session that writes a file, then resumes the same thread, counting only the new tokens', { timeout: TEST_TIMEOUT_MS }, async () => {
    const retry = promptContains('Previous attempt failed');
    const { server, repo, request } = await setUp([
      { kind: 'message', toolCalls: [shell('echo hello > out.txt')], usage: { inputTokens: 300, outputTokens: 20 }, when: (view) => !retry(view) },
      { ...say('Wrote out.txt.', { inputTokens: 500, outputTokens: 30 }), when: (view) => !retry(view) },
      { ...say('Nothing left to fix.', { inputTokens: 900, outputTokens: 5 }), when: retry },
    ]);
    const pgids: number[] = [];
    const first = await executor.run({ ...request(), onStarted: (pgid) => pgids.push(pgid) });

    expect(first.outcome, JSON.stringify(first.events)).toEqual({ kind: 'succeeded', reason: 'the agent finished its turn' });
    expect(readFileSync(join(repo, 'out.txt'), 'utf8')).toBe('hello\n');
    expect(first.usage).toMatchObject({ inputTokens: 800, outputTokens: 50 });
    expect(first.usage.costUsd).toBeUndefined();
    expect(first.usageBaseline).toMatchObject({ inputTokens: 800, outputTokens: 50 });
    expect(first.resumeSession).toBeTruthy();
    expect(await groupLeft(pgids[0] ?? -1)).toEqual([]);

    const second = await executor.run(request({ prompt: 'Previous attempt failed because: nothing. Check again.', resumeSession: first.resumeSession, usageBaseline: first.usageBaseline }));

    expect(second.outcome.kind, JSON.stringify(second.events)).toBe('succeeded');
    expect(second.resumeSession).toBe(first.resumeSession);
    expect(second.events).toContainEqual({ kind: 'assistant_text', text: 'Nothing left to fix.' });
    // Codex reports the thread's running total; the executor counts this run's part.
    expect(second.usage).toMatchObject({ inputTokens: 900, outputTokens: 5 });
    const last = server.conversation().at(-1);
    expect(last?.view?.prompt).toBe('Previous attempt failed because: nothing. Check again.');
    expect(JSON.stringify(last?.body)).toContain('Wrote out.txt.');
  });

  it('reports a 429 from the model as rate_limited', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { request } = await setUp([rateLimited()]);
    const result = await executor.run(request({ prompt: 'Say hello' }));
    expect(result.outcome.kind, JSON.stringify(result.events)).toBe('rate_limited');
  });

  it('kills a session waiting on a silent model at the idle timeout: hung, group gone', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { server, request } = await setUp([hang()]);
    const pgids: number[] = [];
    const result = await executor.run({ ...request({ prompt: 'Say hello', idleTimeoutMs: 2_500 }), onStarted: (pgid) => pgids.push(pgid) });

    expect(result.outcome.kind).toBe('hung');
    expect(result.exit.timedOut).toBe('idle');
    expect(server.conversation().length).toBeGreaterThan(0);
    expect(await groupLeft(pgids[0] ?? -1)).toEqual([]);
  });

  it('passes the model and extra arguments before `--` and the prompt after it', () => {
    const base = { cwd: '/w', prompt: '-p', model: 'gpt-x', extraArgs: ['-c', 'a=1'] } as unknown as AgentRequest;
    expect(codexArgv({ ...base, resumeSession: null })).toEqual(['codex', 'exec', '--json', '--sandbox', 'workspace-write', '-C', '/w', '-m', 'gpt-x', '-c', 'a=1', '--', '-p']);
    expect(codexArgv({ ...base, resumeSession: 'T1' })).toEqual(['codex', 'exec', 'resume', '--json', '-c', 'sandbox_mode="workspace-write"', '-m', 'gpt-x', '-c', 'a=1', '--', 'T1', '-p']);
  });
});
