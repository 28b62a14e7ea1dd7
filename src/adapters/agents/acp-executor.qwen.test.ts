/**
 * The `acp:` executor driving a real ACP agent CLI: Qwen Code (`qwen --acp`, a devDependency)
 * against the scripted model server's Chat Completions. Its permission requests are answered
 * by baton's policy (allow once), a second prompt continues the session, a model call that
 * loses its connection fails the turn in Qwen's words, and a model that keeps answering 429
 * ends the attempt as rate limited.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentRequest, Executor } from '../../app/run-ports.js';
import { startModelServer, type ModelServer } from '../scripted-model/model-server.js';
import { disconnect, promptContains, rateLimited, say, shell, tool, type Script } from '../scripted-model/script.js';
import { git } from '../../../test/helpers/baton.js';
import { agentEnv } from '../../../test/helpers/agent-env.js';
import { groupLeft, qwenModelArgs, writeQwenSettings } from '../../../test/model-server/agent-cli.js';
import { acpExecutor } from './acp-executor.js';

const TEST_TIMEOUT_MS = 90_000;
/** Qwen Code tries a rate-limited request 7 times with its own backoff: about 80 s. */
const RATE_LIMIT_TEST_TIMEOUT_MS = 180_000;
const RETRY = 'Previous attempt failed';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  server: ModelServer;
  repo: string;
  home: string;
  executor: Executor;
  request: (overrides?: Partial<AgentRequest>) => AgentRequest;
}

async function setUp(script: Script | ((repo: string) => Script)): Promise<Setup> {
  const root = mkdtempSync(join(tmpdir(), 'baton-acp-qwen-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const repo = join(root, 'repo');
  git(root, ['init', '-q', '-b', 'main', repo]);
  const server = await startModelServer(typeof script === 'function' ? script(repo) : script);
  cleanups.push(() => server.close());
  const env = agentEnv(server, root);
  const home = env.HOME ?? '';
  writeQwenSettings(home);
  const executor = acpExecutor(`qwen --acp ${qwenModelArgs(server).join(' ')}`, { killGraceMs: 2_000 });
  // A devDependency: missing, the test fails here rather than skipping.
  await executor.ensureInstalled(env);
  const request = (overrides: Partial<AgentRequest> = {}): AgentRequest => ({
    cwd: repo,
    prompt: 'Create out.txt',
    model: null,
    resumeSession: null,
    usageBaseline: null,
    scratchDir: join(root, 'scratch'),
    env,
    extraArgs: [],
    wallTimeoutMs: 150_000,
    // Qwen prints nothing while it backs off from 429s (about 80 s in all).
    idleTimeoutMs: 120_000,
    ...overrides,
  });
  return { server, repo, home, executor, request };
}

/** The ACP messages the agent sent, parsed from its stdout lines. */
function fromAgent(lines: readonly string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : []));
}

describe('acp: executor with Qwen Code (qwen --acp)', () => {
  it('runs a shell tool it was allowed once, then continues the same session with a second prompt', { timeout: TEST_TIMEOUT_MS }, async () => {
    const retry = promptContains(RETRY);
    const { server, repo, home, executor, request } = await setUp([
      { kind: 'message', toolCalls: [shell('echo hello > out.txt')], usage: { inputTokens: 300, outputTokens: 20 }, when: (view) => !retry(view) && view.toolResults.length === 0 },
      { kind: 'message', text: 'Wrote out.txt.', usage: { inputTokens: 500, outputTokens: 30 }, when: (view) => !retry(view) },
      { kind: 'message', toolCalls: [shell('echo again >> out.txt')], usage: { inputTokens: 700, outputTokens: 40 }, when: (view) => retry(view) && view.toolResults.length === 0 },
      { kind: 'message', text: 'Appended.', usage: { inputTokens: 900, outputTokens: 50 }, when: retry },
    ]);
    const firstLines: string[] = [];
    const pgids: number[] = [];

    const first = await executor.run({ ...request(), onOutput: (line, stream) => stream === 'stdout' && firstLines.push(line), onStarted: (pgid) => pgids.push(pgid) });

    expect(first.outcome, JSON.stringify(first.events)).toEqual({ kind: 'succeeded', reason: 'the agent finished its turn' });
    expect(readFileSync(join(repo, 'out.txt'), 'utf8')).toBe('hello\n');
    expect(first.events.map((event) => event.kind)).toEqual(['session_started', 'tool_call', 'tool_result', 'assistant_text', 'usage', 'finished']);
    expect(first.events).toContainEqual(expect.objectContaining({ kind: 'tool_call', name: 'run_shell_command', input: expect.objectContaining({ command: 'echo hello > out.txt' }) }));
    expect(first.events).toContainEqual(expect.objectContaining({ kind: 'tool_result', isError: false }));
    expect(first.events).toContainEqual({ kind: 'assistant_text', text: 'Wrote out.txt.' });
    // Qwen reports usage per model call, in its message chunks' `_meta`.
    expect(first.usage).toEqual({ inputTokens: 800, outputTokens: 50, cachedTokens: 0 });
    expect(first.resumeSession).toMatch(/^[0-9a-f-]{36}$/);
    // Asked before the command ran, offering "always" for the project and the user; baton allowed it once.
    const asked = fromAgent(firstLines).filter((message) => message.method === 'session/request_permission');
    expect(asked).toHaveLength(1);
    expect(JSON.stringify(asked[0])).toContain('proceed_always_project');
    // "Always" would have written a rule for `echo` into the project's or the user's settings.
    expect(existsSync(join(repo, '.qwen'))).toBe(false);
    expect(readFileSync(join(home, '.qwen', 'settings.json'), 'utf8')).not.toContain('echo');
    expect(await groupLeft(pgids[0] ?? -1)).toEqual([]);

    const secondLines: string[] = [];
    const second = await executor.run({
      ...request({ prompt: `${RETRY} because: out.txt needs a second line.`, resumeSession: first.resumeSession }),
      onOutput: (line, stream) => stream === 'stdout' && secondLines.push(line),
    });

    expect(second.outcome, JSON.stringify(second.events)).toEqual({ kind: 'succeeded', reason: 'the agent finished its turn' });
    // Qwen advertises session/resume but does not implement it: the session is loaded instead, with no warning.
    expect(second.events.filter((event) => event.kind === 'warning')).toEqual([]);
    expect(second.resumeSession).toBe(first.resumeSession);
    expect(readFileSync(join(repo, 'out.txt'), 'utf8')).toBe('hello\nagain\n');
    // The replayed first turn is not counted again: one tool call, this turn's text and tokens.
    expect(second.events.filter((event) => event.kind === 'tool_call')).toHaveLength(1);
    expect(second.events.filter((event) => event.kind === 'assistant_text')).toEqual([{ kind: 'assistant_text', text: 'Appended.' }]);
    expect(second.usage).toEqual({ inputTokens: 1600, outputTokens: 90, cachedTokens: 0 });
    // Allowed once means asked again, although the command starts with `echo` as before.
    expect(fromAgent(secondLines).filter((message) => message.method === 'session/request_permission')).toHaveLength(1);
    const requests = server.conversation();
    expect(requests.map((request) => request.turn)).toEqual([0, 1, 2, 3]);
    expect(JSON.stringify(requests[2]?.body)).toContain('Create out.txt');
    expect(server.unusedTurns()).toEqual([]);
  });

  it("writes with its write_file tool through baton's fs/write_text_file, inside the worktree only", { timeout: TEST_TIMEOUT_MS }, async () => {
    const outside = join(mkdtempSync(join(tmpdir(), 'baton-acp-qwen-outside-')), 'outside.txt');
    cleanups.push(() => rmSync(dirname(outside), { recursive: true, force: true }));
    const { server, repo, executor, request } = await setUp((cwd) => [
      { kind: 'message', toolCalls: [tool('write_file', { file_path: join(cwd, 'notes.txt'), content: 'inside\n' })], when: (view) => view.toolResults.length === 0 },
      { kind: 'message', toolCalls: [tool('write_file', { file_path: outside, content: 'outside\n' })], when: (view) => view.toolResults.length === 1 },
      say('Wrote both.'),
    ]);
    const lines: string[] = [];

    const result = await executor.run({ ...request(), onOutput: (line, stream) => stream === 'stdout' && lines.push(line) });

    expect(result.outcome.kind, JSON.stringify(result.events)).toBe('succeeded');
    expect(readFileSync(join(repo, 'notes.txt'), 'utf8')).toBe('inside\n');
    // Qwen wrote through the client (baton), not on its own.
    const writes = fromAgent(lines).filter((message) => message.method === 'fs/write_text_file');
    expect(writes.map((message) => (message.params as { path: string }).path)).toEqual([join(repo, 'notes.txt'), outside]);
    const results = result.events.filter((event) => event.kind === 'tool_result');
    // An edit's result is its diff, not Qwen's whole before-and-after file contents.
    expect(results[0]).toMatchObject({ isError: false, output: expect.stringMatching(/^Index: notes\.txt\n[\s\S]*\n\+inside\n$/) });
    expect(results[1]).toMatchObject({ isError: true });
    // Qwen 0.15 shows the model baton's refusal as "[object Object]": it does not read a JSON-RPC error's message.
    expect(server.conversation()[2]?.view?.toolResults[0]).toContain('Error writing to file');
    expect(existsSync(outside)).toBe(false);
  });

  it("ends a turn whose model call loses its connection after a tool ran as failed, in Qwen's words, counting the call made before", { timeout: TEST_TIMEOUT_MS }, async () => {
    const { server, repo, executor, request } = await setUp([
      { kind: 'message', toolCalls: [shell('echo hello > out.txt')], usage: { inputTokens: 300, outputTokens: 20 }, when: (view) => view.toolResults.length === 0 },
      disconnect(),
    ]);

    const result = await executor.run(request());

    // Qwen answers the prompt with the ACP SDK's "Internal error", its own words in the error's data.
    expect(result.outcome).toEqual({ kind: 'failed', reason: 'the agent reported an error: the agent answered with an error: Internal error: Connection error.' });
    expect(readFileSync(join(repo, 'out.txt'), 'utf8')).toBe('hello\n');
    expect(result.events.map((event) => event.kind)).toEqual(['session_started', 'tool_call', 'tool_result', 'usage', 'finished']);
    // The first model call was spent, although the turn never got its response.
    expect(result.usage).toEqual({ inputTokens: 300, outputTokens: 20, cachedTokens: 0 });
    // No retry: Qwen's OpenAI client has its retries off here, and Qwen's own retry does not cover a lost connection.
    expect(server.conversation().map((request) => request.turn)).toEqual([0, 1]);
  });

  it('ends a prompt whose model keeps answering 429 as rate limited', { timeout: RATE_LIMIT_TEST_TIMEOUT_MS }, async () => {
    const { server, repo, executor, request } = await setUp([rateLimited()]);

    const result = await executor.run(request());

    expect(result.outcome.kind, JSON.stringify(result.events)).toBe('rate_limited');
    expect(result.events.at(-1)).toMatchObject({ kind: 'finished', status: 'error', httpStatus: 429 });
    expect(result.exit.timedOut).toBeNull();
    // Qwen's own seven attempts (its OpenAI client's retries are off in its settings).
    expect(server.conversation()).toHaveLength(7);
    expect(existsSync(join(repo, 'out.txt'))).toBe(false);
  });
});
