/**
 * The scripted model server, proven against the real Claude Code and Codex CLIs: they run
 * scripted tool calls in a temp git repository, hit scripted rate limits, hang on a silent
 * model, and resume a session with a retry prompt picked out by a matcher.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/baton.js';
import { claudeCommand, codexCommand, describeRun, groupAlive, runAgent, startAgent, writeCodexConfig, type AgentRun } from './agent-cli.js';
import { startModelServer, type ModelServer } from '../../src/adapters/scripted-model/model-server.js';
import { callTools, hang, mcpTool, offersTool, promptContains, rateLimited, runShell, say, tool, type Script } from '../../src/adapters/scripted-model/script.js';

/** Copied into the repository (see PROVENANCE.md there): the tests read nothing outside the checkout. */
const FIXTURES = resolve(import.meta.dirname, '../fixtures/agent-streams');
const RETRY_PROMPT = 'Previous attempt failed because: out.txt says broken. Fix only these issues. Do not change anything else.';
const CLI_TEST_TIMEOUT_MS = 180_000;

interface Workspace {
  repo: string;
  home: string;
  codexHome: string;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function workspace(): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'baton-model-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const repo = join(root, 'repo');
  git(root, ['init', '-q', '-b', 'main', repo]);
  return { repo, home: join(root, 'home'), codexHome: join(root, 'codex-home') };
}

async function serve(script: Script): Promise<ModelServer> {
  const server = await startModelServer(script);
  cleanups.push(() => server.close());
  return server;
}

function fixtureEvents(name: string): Record<string, unknown>[] {
  return readFileSync(join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function lastOfType(run: AgentRun, type: string): Record<string, unknown> {
  const event = run.events.filter((candidate) => candidate.type === type).at(-1);
  if (!event) throw new Error(`no ${type} event\n${describeRun(run)}`);
  return event;
}

async function waitForConversation(server: ModelServer, count: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (server.conversation().length < count) {
    if (Date.now() > deadline) throw new Error(`the model got ${server.conversation().length} conversation requests, expected ${count}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}

/** A side question over `agent`'s connections; whether it went over one an earlier request had used. */
function askOver(agent: Agent, server: ModelServer): Promise<{ status: number; reusedSocket: boolean }> {
  return new Promise((resolveAnswer, reject) => {
    const request = httpRequest(`${server.url}/v1/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
      response.resume();
      response.on('end', () => resolveAnswer({ status: response.statusCode ?? 0, reusedSocket: request.reusedSocket }));
    });
    request.on('error', reject);
    request.end(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'a title?' }] }));
  });
}

describe('scripted model server on its own', () => {
  it('answers side requests, logs unknown paths, and refuses a request the script has no turn for', async () => {
    const server = await serve([say('only turn')]);
    const head = await fetch(server.url, { method: 'HEAD' });
    const count = await fetch(`${server.url}/v1/messages/count_tokens`, { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }) });
    const unknown = await fetch(`${server.url}/v1/whatever?x=1`);
    const conversation = { model: 'm', stream: false, tools: [{ name: 'Bash' }], messages: [{ role: 'user', content: 'first' }] };
    const first = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: JSON.stringify(conversation) });
    const second = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: JSON.stringify(conversation) });

    expect(head.status).toBe(200);
    expect(((await count.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
    expect(unknown.status).toBe(404);
    expect(await first.json()).toMatchObject({ role: 'assistant', content: [{ type: 'text', text: 'only turn' }], stop_reason: 'end_turn' });
    expect(second.status).toBe(400);
    expect(await second.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(server.requests.map((request) => request.role)).toEqual(['side', 'side', 'unknown', 'conversation', 'conversation']);
    expect(server.requests[2]?.url).toBe('/v1/whatever?x=1');
    expect(server.conversation().map((request) => request.turn)).toEqual([0, null]);
    expect(server.unusedTurns()).toEqual([]);
  });

  it('calls any offered tool by name with arguments (an MCP tool as mcp__<server>__<tool>), once the request offers it', async () => {
    const server = await serve([{ ...callTools(mcpTool('baton', 'note', { id: 1, text: 'hi' }), tool('Read', { file_path: '/x' })), when: offersTool('mcp__baton__note') }, say('done')]);
    const ask = (tools: string[]) =>
      fetch(`${server.url}/v1/messages`, { method: 'POST', body: JSON.stringify({ model: 'm', stream: false, tools: tools.map((name) => ({ name })), messages: [{ role: 'user', content: 'go' }] }) });

    const withoutIt = await ask(['Bash']);
    const withIt = await ask(['Bash', 'mcp__baton__note']);

    // The first request does not offer the tool, so the turn after it answers; the tool turn waits for the second.
    expect(await withoutIt.json()).toMatchObject({ content: [{ type: 'text', text: 'done' }] });
    expect(await withIt.json()).toMatchObject({
      content: [
        { type: 'tool_use', name: 'mcp__baton__note', input: { id: 1, text: 'hi' } },
        { type: 'tool_use', name: 'Read', input: { file_path: '/x' } },
      ],
      stop_reason: 'tool_use',
    });
    expect(server.conversation().map((request) => request.view?.tools)).toEqual([['Bash'], ['Bash', 'mcp__baton__note']]);
    expect(server.conversation().map((request) => request.turn)).toEqual([1, 0]);
  });

  it("renders an MCP tool call as Codex's Responses namespace function, and lists a namespace's tools by their flat names", async () => {
    const server = await serve([{ ...callTools(mcpTool('baton', 'claim_next', { ttl: '1h' })), when: offersTool('mcp__baton__claim_next') }]);
    const tools = [{ type: 'function', name: 'exec_command' }, { type: 'namespace', name: 'mcp__baton', tools: [{ type: 'function', name: 'claim_next' }, { type: 'function', name: 'note' }] }];
    const response = await fetch(`${server.url}/v1/responses`, { method: 'POST', body: JSON.stringify({ model: 'm', stream: true, tools, input: [{ role: 'user', content: [{ type: 'input_text', text: 'go' }] }] }) });

    const completed = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice('data: '.length)) as { type: string; response?: { output: Record<string, unknown>[] } })
      .find((event) => event.type === 'response.completed');
    expect(completed?.response?.output).toEqual([expect.objectContaining({ type: 'function_call', namespace: 'mcp__baton', name: 'claim_next', arguments: '{"ttl":"1h"}' })]);
    expect(server.conversation()[0]?.view?.tools).toEqual(['exec_command', 'mcp__baton__claim_next', 'mcp__baton__note']);
  });

  // Node's default closes a connection idle for about 5 s: an agent sending its next request
  // just then lost it ("Connection error."), a flake of the Qwen Code scenarios on a loaded machine.
  it('leaves closing an idle connection to the client: a request 7 s later goes over the same one', { timeout: 20_000 }, async () => {
    const server = await serve([]);
    const agent = new Agent({ keepAlive: true });
    cleanups.push(() => agent.destroy());

    const first = await askOver(agent, server);
    await sleep(7_000);
    const second = await askOver(agent, server);

    expect([first, second]).toEqual([
      { status: 200, reusedSocket: false },
      { status: 200, reusedSocket: true },
    ]);
  });
});

describe('Claude Code against the scripted model', () => {
  it('runs a scripted Bash tool, then finishes with text and the usage the model reported', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const { repo, home } = workspace();
    const server = await serve([
      { kind: 'message', toolCalls: [{ kind: 'shell', command: 'echo hello > out.txt && ls' }], usage: { inputTokens: 300, outputTokens: 20 } },
      say('Done: wrote out.txt.', { inputTokens: 500, outputTokens: 30 }),
    ]);

    const run = await runAgent(claudeCommand({ server, home, cwd: repo, prompt: 'Create out.txt containing hello' }));

    expect(run.code, describeRun(run)).toBe(0);
    expect(readFileSync(join(repo, 'out.txt'), 'utf8')).toBe('hello\n');
    const result = lastOfType(run, 'result');
    expect(result).toMatchObject({ subtype: 'success', is_error: false, result: 'Done: wrote out.txt.', num_turns: 2 });
    expect(result.usage).toMatchObject({ input_tokens: 800, output_tokens: 50 });
    const [first, second] = server.conversation();
    expect(first?.view?.prompt).toContain('Create out.txt containing hello');
    expect(first?.view?.toolResults).toEqual([]);
    expect(second?.view?.toolResults).toEqual(['out.txt']);
    expect(server.unusedTurns()).toEqual([]);
    expect(server.requests.filter((request) => request.role === 'unknown')).toEqual([]);
  });

  it('ends a rate-limited run the way the recorded 429 stream does', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const { repo, home } = workspace();
    const server = await serve([rateLimited()]);

    const run = await runAgent(claudeCommand({ server, home, cwd: repo, prompt: 'Say hello' }));

    const recorded = fixtureEvents('claude-2.1.197-rate-limit-429.jsonl');
    const pick = (event: Record<string, unknown> | undefined): Record<string, unknown> => ({
      type: event?.type,
      subtype: event?.subtype,
      is_error: event?.is_error,
      api_error_status: event?.api_error_status,
    });
    expect(pick(lastOfType(run, 'result')), describeRun(run)).toEqual(pick(recorded.at(-1)));
    expect(lastOfType(run, 'result').result).toContain('429');
    const retries = run.events.filter((event) => event.subtype === 'api_retry');
    expect(retries.map((event) => [event.error_status, event.error])).toEqual([[429, 'rate_limit']]);
    expect(run.code).toBe(1);
    expect(server.conversation().length).toBe(2);
  });

  it('resumes its session with a retry prompt that a matcher picks out', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const { repo, home } = workspace();
    const server = await serve([
      { ...runShell('echo broken > out.txt'), when: (request) => !request.prompt.includes('Previous attempt failed') },
      { ...say('Attempt one done.'), when: (request) => request.toolResults.length > 0 && !request.prompt.includes('Previous attempt failed') },
      // Claude Code edits only files it has read in the session.
      { kind: 'message', toolCalls: [tool('Read', { file_path: join(repo, 'out.txt') })], when: promptContains('Previous attempt failed') },
      { kind: 'message', toolCalls: [tool('Edit', { file_path: join(repo, 'out.txt'), old_string: 'broken', new_string: 'fixed' })], when: promptContains('Previous attempt failed') },
      { ...say('Fixed out.txt.'), when: promptContains('Previous attempt failed') },
    ]);
    const sessionId = randomUUID();

    const first = await runAgent(claudeCommand({ server, home, cwd: repo, prompt: 'Write out.txt', sessionId }));
    expect(first.code, describeRun(first)).toBe(0);
    expect(readFileSync(join(repo, 'out.txt'), 'utf8')).toBe('broken\n');
    const second = await runAgent(claudeCommand({ server, home, cwd: repo, prompt: RETRY_PROMPT, resume: sessionId }));

    expect(second.code, describeRun(second)).toBe(0);
    expect(lastOfType(second, 'result')).toMatchObject({ is_error: false, result: 'Fixed out.txt.', session_id: sessionId });
    expect(readFileSync(join(repo, 'out.txt'), 'utf8'), describeRun(second)).toBe('fixed\n');
    const requests = server.conversation();
    expect(requests.map((request) => request.turn)).toEqual([0, 1, 2, 3, 4]);
    expect(requests[2]?.view?.prompt).toContain('Previous attempt failed because: out.txt says broken');
    expect(requests[3]?.view?.toolResults[0]).toContain('broken');
    expect(requests[4]?.view?.toolResults[0]).not.toContain('error');
    // The resumed request carries the first attempt's conversation before the new prompt.
    expect(JSON.stringify(requests[2]?.body)).toContain('Attempt one done.');
  });

  it('waits on a model that never answers until its process group is killed', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const { repo, home } = workspace();
    const server = await serve([hang()]);
    const agent = startAgent(claudeCommand({ server, home, cwd: repo, prompt: 'Say hello' }));

    await waitForConversation(server, 1);
    const run = await agent.stop();

    expect(run.events.some((event) => event.type === 'result')).toBe(false);
    expect(groupAlive(agent.pgid)).toBe(false);
    await server.close();
  });
});

describe('Codex against the scripted model', () => {
  it('runs a scripted exec_command, then finishes with text and the usage the model reported', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const { repo, home, codexHome } = workspace();
    const server = await serve([
      { kind: 'message', toolCalls: [{ kind: 'shell', command: 'echo hello > out.txt && ls' }], usage: { inputTokens: 300, outputTokens: 20, cachedInputTokens: 100 } },
      say('Done: wrote out.txt.', { inputTokens: 500, outputTokens: 30, cachedInputTokens: 200, reasoningTokens: 7 }),
    ]);
    writeCodexConfig(codexHome, server);

    const run = await runAgent(codexCommand({ codexHome, home, cwd: repo, prompt: 'Create out.txt containing hello' }));

    expect(run.code, describeRun(run)).toBe(0);
    expect(readFileSync(join(repo, 'out.txt'), 'utf8')).toBe('hello\n');
    const command = run.events.find((event) => event.type === 'item.completed' && (event.item as { type?: string }).type === 'command_execution');
    expect(command?.item).toMatchObject({ exit_code: 0, status: 'completed' });
    expect(lastOfType(run, 'item.completed').item).toMatchObject({ type: 'agent_message', text: 'Done: wrote out.txt.' });
    expect(lastOfType(run, 'turn.completed').usage).toMatchObject({ input_tokens: 800, cached_input_tokens: 300, output_tokens: 50, reasoning_output_tokens: 7 });
    const [first, second] = server.conversation();
    expect(first?.view?.prompt).toBe('Create out.txt containing hello');
    expect((first?.body as { tools?: { name?: string }[] }).tools?.map((offered) => offered.name)).toContain('exec_command');
    expect(second?.view?.toolResults).toHaveLength(1);
    expect(second?.view?.toolResults[0]).toContain('out.txt');
    expect(server.unusedTurns()).toEqual([]);
    expect(server.requests.filter((request) => request.role !== 'conversation')).toEqual([]);
  });

  it('ends a rate-limited run the way the recorded 429 stream does', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const { repo, home, codexHome } = workspace();
    const server = await serve([rateLimited()]);
    writeCodexConfig(codexHome, server);

    const run = await runAgent(codexCommand({ codexHome, home, cwd: repo, prompt: 'Say hello' }));

    const recorded = fixtureEvents('codex-0.169.0-rate-limit-429.jsonl');
    expect(run.events.map((event) => event.type), describeRun(run)).toEqual(recorded.map((event) => event.type));
    expect(lastOfType(run, 'turn.failed')).toEqual(recorded.at(-1));
    expect(run.code).toBe(1);
    expect(server.conversation().length).toBe(2);
  });

  it('resumes its thread with a retry prompt that a matcher picks out', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const { repo, home, codexHome } = workspace();
    const retrying = promptContains('Previous attempt failed');
    const server = await serve([
      { ...runShell('echo broken > out.txt'), when: (request) => !retrying(request) },
      { ...say('Attempt one done.'), when: (request) => request.toolResults.length > 0 && !retrying(request) },
      { ...runShell('echo fixed > out.txt'), when: (request) => retrying(request) && request.toolResults.length === 0 },
      { ...say('Fixed out.txt.'), when: retrying },
    ]);
    writeCodexConfig(codexHome, server);

    const first = await runAgent(codexCommand({ codexHome, home, cwd: repo, prompt: 'Write out.txt' }));
    expect(first.code, describeRun(first)).toBe(0);
    expect(readFileSync(join(repo, 'out.txt'), 'utf8')).toBe('broken\n');
    const threadId = lastOfType(first, 'thread.started').thread_id as string;
    const second = await runAgent(codexCommand({ codexHome, home, cwd: repo, prompt: RETRY_PROMPT, resume: threadId }));

    expect(second.code, describeRun(second)).toBe(0);
    expect(lastOfType(second, 'thread.started').thread_id).toBe(threadId);
    expect(lastOfType(second, 'item.completed').item).toMatchObject({ type: 'agent_message', text: 'Fixed out.txt.' });
    expect(readFileSync(join(repo, 'out.txt'), 'utf8')).toBe('fixed\n');
    const requests = server.conversation();
    expect(requests.map((request) => request.turn)).toEqual([0, 1, 2, 3]);
    expect(requests[2]?.view?.prompt).toBe(RETRY_PROMPT);
    expect(JSON.stringify(requests[2]?.body)).toContain('Attempt one done.');
  });

  it('waits on a model that never answers until its process group is killed', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const { repo, home, codexHome } = workspace();
    const server = await serve([hang()]);
    writeCodexConfig(codexHome, server);
    const agent = startAgent(codexCommand({ codexHome, home, cwd: repo, prompt: 'Say hello' }));

    await waitForConversation(server, 1);
    const run = await agent.stop();

    expect(run.events.some((event) => event.type === 'turn.completed' || event.type === 'turn.failed')).toBe(false);
    expect(groupAlive(agent.pgid)).toBe(false);
    expect(existsSync(join(repo, 'out.txt'))).toBe(false);
    await server.close();
  });
});
