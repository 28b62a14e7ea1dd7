/**
 * The scripted model server's OpenAI Chat Completions format, first over plain HTTP (the chunks
 * a provider streams), then against the real Qwen Code CLI run headless, compared with the
 * recorded Qwen stream.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/baton.js';
import { describeRun, qwenCommand, runAgent } from './agent-cli.js';
import { startModelServer, type ModelServer } from '../../src/adapters/scripted-model/model-server.js';
import { promptContains, rateLimited, say, shell, tool, type Script } from '../../src/adapters/scripted-model/script.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/agent-streams');
const CLI_TEST_TIMEOUT_MS = 120_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(script: Script): Promise<ModelServer> {
  const server = await startModelServer(script);
  cleanups.push(() => server.close());
  return server;
}

type Chunk = Record<string, unknown> & { choices: { delta?: Record<string, unknown>; finish_reason?: string | null }[]; usage?: Record<string, unknown> };

function post(server: ModelServer, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** The `data:` payloads of an event stream; the last must be `[DONE]`. */
async function chunksOf(response: Response): Promise<Chunk[]> {
  const data = (await response.text())
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
  expect(data.at(-1)).toBe('[DONE]');
  return data.slice(0, -1).map((payload) => JSON.parse(payload) as Chunk);
}

const SHELL_TOOL = { type: 'function', function: { name: 'run_shell_command', parameters: { type: 'object', properties: { command: { type: 'string' } } } } };

function conversation(messages: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'scripted-model', stream: true, stream_options: { include_usage: true }, tools: [SHELL_TOOL], messages, ...extra };
}

describe('Chat Completions on its own', () => {
  it('streams text, a stop chunk and the usage chunk the request asked for', async () => {
    const server = await serve([say('Hello there.', { inputTokens: 40, outputTokens: 3, cachedInputTokens: 10 })]);

    const response = await post(server, conversation([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'Say hello' }]));

    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const chunks = await chunksOf(response);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === 'scripted-model')).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe('Hello there.');
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual(['stop']);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 40, completion_tokens: 3, total_tokens: 43, prompt_tokens_details: { cached_tokens: 10 } } });
    expect(server.conversation()[0]?.view).toMatchObject({ protocol: 'openai-chat', prompt: 'Say hello', toolResults: [], tools: ['run_shell_command'] });
  });

  it("renders the script's shell step as run_shell_command {command}, and any tool as named", async () => {
    const server = await serve([{ kind: 'message', toolCalls: [shell('echo hi > a.txt'), tool('write_file', { file_path: '/x', content: 'y' })] }]);

    const chunks = await chunksOf(await post(server, conversation([{ role: 'user', content: [{ type: 'text', text: 'Write a.txt' }] }], { stream_options: undefined })));

    const deltas = chunks.flatMap((chunk) => (chunk.choices[0]?.delta?.tool_calls as { index: number; id?: string; function: { name?: string; arguments: string } }[] | undefined) ?? []);
    const calls = [0, 1].map((index) => {
      const parts = deltas.filter((delta) => delta.index === index);
      return { id: parts[0]?.id, name: parts[0]?.function.name, input: JSON.parse(parts.map((part) => part.function.arguments).join('')) as unknown };
    });
    expect(calls).toEqual([
      { id: 'call_scripted_1_0', name: 'run_shell_command', input: { command: 'echo hi > a.txt', description: 'scripted command' } },
      { id: 'call_scripted_1_1', name: 'write_file', input: { file_path: '/x', content: 'y' } },
    ]);
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual(['tool_calls']);
    // No `stream_options.include_usage`: no usage chunk.
    expect(chunks.some((chunk) => chunk.usage !== undefined)).toBe(false);
  });

  it('shows a matcher the prompt and the tool results that follow the last assistant message', async () => {
    const server = await serve([{ ...say('Second.'), when: (view) => view.toolResults.length === 2 }]);
    const messages = [
      { role: 'user', content: 'Context for the chat' },
      { role: 'assistant', content: 'Got it.' },
      { role: 'user', content: [{ type: 'text', text: 'Run both' }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'run_shell_command', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'a', content: 'first output' },
      { role: 'tool', tool_call_id: 'b', content: [{ type: 'text', text: 'second output' }] },
    ];

    const response = await post(server, conversation(messages));

    expect(response.status).toBe(200);
    expect(server.conversation()[0]?.view).toMatchObject({ prompt: 'Run both', toolResults: ['first output', 'second output'] });
  });

  it('answers without a stream when none was asked for, and side questions (no tools) without using the script', async () => {
    const server = await serve([say('From the script.')]);

    const side = await post(server, { model: 'm', stream: false, messages: [{ role: 'user', content: 'Title this session' }] });
    const plain = await post(server, conversation([{ role: 'user', content: 'hi' }], { stream: false }));

    expect(await side.json()).toMatchObject({ object: 'chat.completion', choices: [{ message: { role: 'assistant' }, finish_reason: 'stop' }] });
    expect(await plain.json()).toMatchObject({ object: 'chat.completion', choices: [{ message: { role: 'assistant', content: 'From the script.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 120 } });
    expect(server.requests.map((request) => request.role)).toEqual(['side', 'conversation']);
    expect(server.unusedTurns()).toEqual([]);
  });

  it("answers a rate limit with OpenAI's 429 body and retry-after", async () => {
    const server = await serve([rateLimited(1, 3)]);

    const response = await post(server, conversation([{ role: 'user', content: 'hi' }]));

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual({ error: { message: 'scripted rate limit', type: 'requests', param: null, code: 'rate_limit_exceeded' } });
  });
});

describe('Qwen Code against the scripted model', () => {
  it('runs a scripted run_shell_command, then finishes as the recorded stream does', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'baton-qwen-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const repo = join(root, 'repo');
    git(root, ['init', '-q', '-b', 'main', repo]);
    const server = await serve([
      { kind: 'message', toolCalls: [{ kind: 'shell', command: 'echo hello > out.txt && ls' }], usage: { inputTokens: 300, outputTokens: 20 }, when: promptContains('Create out.txt') },
      say('Done: wrote out.txt.', { inputTokens: 500, outputTokens: 30 }),
    ]);

    const run = await runAgent(qwenCommand({ server, home: join(root, 'home'), cwd: repo, prompt: 'Create out.txt containing hello' }));

    expect(run.code, describeRun(run)).toBe(0);
    expect(readFileSync(join(repo, 'out.txt'), 'utf8')).toBe('hello\n');
    const recorded = readFileSync(join(FIXTURES, 'qwen-0.15.10-tool-yolo.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(run.events.map((event) => event.type), describeRun(run)).toEqual(recorded.map((event) => event.type));
    expect(run.events.at(-1)).toMatchObject({ type: 'result', subtype: 'success', is_error: false, result: 'Done: wrote out.txt.', usage: { input_tokens: 800, output_tokens: 50 } });
    const [first, second] = server.conversation();
    expect(first?.view?.prompt).toBe('Create out.txt containing hello');
    expect((first?.body as { tools?: { function?: { name?: string } }[] }).tools?.map((offered) => offered.function?.name)).toContain('run_shell_command');
    expect(second?.view?.toolResults).toHaveLength(1);
    expect(second?.view?.toolResults[0]).toContain('Output: out.txt');
    expect(server.unusedTurns()).toEqual([]);
    expect(server.requests.filter((request) => request.role === 'unknown')).toEqual([]);
  });
});
