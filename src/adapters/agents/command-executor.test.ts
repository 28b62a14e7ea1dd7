import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentRequest } from '../../app/run-ports.js';
import type { AgentEvent } from '../../core/agent-stream/agent-event.js';
import { groupLeft } from '../../../test/model-server/agent-cli.js';
import { commandExecutor } from './command-executor.js';

const options = { killGraceMs: 1_000 };
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function request(overrides: Partial<AgentRequest> = {}): AgentRequest {
  const root = mkdtempSync(join(tmpdir(), 'baton-cmd-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return {
    cwd: root,
    prompt: 'Fix the failing test.\nThen stop.',
    model: null,
    resumeSession: null,
    usageBaseline: null,
    scratchDir: join(root, 'scratch'),
    env: { PATH: '/usr/bin:/bin', GREETING: 'hi' },
    extraArgs: [],
    wallTimeoutMs: 20_000,
    idleTimeoutMs: 20_000,
    ...overrides,
  };
}

describe('cmd: executor', () => {
  it('hands the prompt over in $BATON_PROMPT_FILE and reads each printed line as answer text', async () => {
    const output: string[] = [];
    const events: AgentEvent[] = [];
    const pgids: number[] = [];
    const executor = commandExecutor('echo "$GREETING from $(pwd)"; cat "$BATON_PROMPT_FILE"; echo; echo "arg=$1"; echo oops >&2', options);

    const req = request({ extraArgs: ['--fast'] });
    const result = await executor.run({
      ...req,
      onOutput: (line, stream) => output.push(`${stream}:${line}`),
      onEvent: (event) => events.push(event),
      onStarted: (pgid) => pgids.push(pgid),
    });

    expect(result.events).toEqual([
      { kind: 'assistant_text', text: `hi from ${req.cwd}` },
      { kind: 'assistant_text', text: 'Fix the failing test.' },
      { kind: 'assistant_text', text: 'Then stop.' },
      { kind: 'assistant_text', text: 'arg=--fast' },
    ]);
    expect(events).toEqual(result.events);
    expect(output).toContain('stderr:oops');
    expect(pgids).toHaveLength(1);
    expect(result.outcome.kind).toBe('succeeded');
    expect(result).toMatchObject({ exit: { exitCode: 0, signal: null, timedOut: null }, resumeSession: null, usageBaseline: null, usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0 } });
  });

  it('reports a non-zero exit as failed', async () => {
    const result = await commandExecutor('echo trying; exit 3', options).run(request());
    expect(result.exit.exitCode).toBe(3);
    expect(result.outcome).toEqual({ kind: 'failed', reason: 'the command exited with 3' });
  });

  it('names a failure by what the command said on stderr, and keeps the end of stderr', async () => {
    const result = await commandExecutor('echo working; echo "note: step 1" >&2; echo "fatal: cannot lock ref" >&2; exit 2', options).run(request());
    expect(result.outcome).toEqual({ kind: 'failed', reason: 'the command exited with 2: fatal: cannot lock ref', detail: 'note: step 1\nfatal: cannot lock ref' });
  });

  it('reports a command the shell cannot find as a problem for a person', async () => {
    const result = await commandExecutor('baton-no-such-agent --fast', options).run(request());
    expect(result.exit.exitCode).toBe(127);
    expect(result.outcome.kind).toBe('environment_error');
    expect(result.outcome.reason).toMatch(/^the agent's program could not be started: \S*sh: \d+: baton-no-such-agent: not found; install it/);
    expect(result.outcome.detail).toMatch(/baton-no-such-agent: not found$/);
  });

  it('kills a silent command at the idle timeout: hung, and nothing of it is left', async () => {
    const pgids: number[] = [];
    const result = await commandExecutor('sleep 300 & sleep 300', options).run({ ...request({ idleTimeoutMs: 300 }), onStarted: (pgid) => pgids.push(pgid) });
    expect(result.outcome.kind).toBe('hung');
    expect(result.exit.timedOut).toBe('idle');
    expect(await groupLeft(pgids[0] ?? -1)).toEqual([]);
  });

  it('stops the command when the run is cancelled', async () => {
    const controller = new AbortController();
    const running = commandExecutor('echo started; sleep 300', options).run({ ...request(), signal: controller.signal, onOutput: () => controller.abort() });
    const result = await running;
    expect(result.outcome.kind).toBe('crashed');
    expect(result.outcome.reason).toContain('cancelled');
    expect(result.exit.signal).toBe('SIGTERM');
  });
});
