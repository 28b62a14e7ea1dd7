import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BatonError } from '../../core/errors.js';
import { agentPath } from '../../../test/helpers/agent-env.js';
import { resolveExecutor } from './executor-registry.js';
import { findOnPath, firstProgram } from './installed.js';

const options = {};
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

async function rejection(action: () => Promise<unknown>): Promise<unknown> {
  return action().then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('resolveExecutor', () => {
  it('knows claude, codex, acp:<command> and cmd:<command>', () => {
    expect(resolveExecutor('claude', options)).toMatchObject({ name: 'claude', family: 'claude', capabilities: { resume: true, reportsCost: true } });
    expect(resolveExecutor(' codex ', options)).toMatchObject({ name: 'codex', family: 'codex', capabilities: { resume: true, reportsCost: false } });
    expect(resolveExecutor('acp:gemini --experimental-acp', options)).toMatchObject({ name: 'acp:gemini --experimental-acp', family: 'acp' });
    expect(resolveExecutor('cmd:./agent.sh --fast', options)).toMatchObject({ name: 'cmd:./agent.sh --fast', family: 'command', capabilities: { resume: false } });
  });

  it('refuses any other name with UNKNOWN_AGENT, listing the valid forms', () => {
    const error = catchError(() => resolveExecutor('gemini', options));
    expect(error).toBeInstanceOf(BatonError);
    expect(error).toMatchObject({ code: 'UNKNOWN_AGENT' });
    expect((error as Error).message).toBe('unknown agent `gemini`: baton knows `claude`, `codex`, `acp:<command>`, `cmd:<command>`');
    expect(catchError(() => resolveExecutor('cmd:  ', options))).toMatchObject({ code: 'UNKNOWN_AGENT', message: expect.stringContaining('needs a command') });
  });
});

describe('ensureInstalled', () => {
  it('finds the real CLIs on PATH', async () => {
    const env = { PATH: agentPath() };
    await expect(resolveExecutor('claude', options).ensureInstalled(env)).resolves.toBeUndefined();
    await expect(resolveExecutor('codex', options).ensureInstalled(env)).resolves.toBeUndefined();
  });

  it('names the npm package to install when the CLI is not on PATH', async () => {
    const env = { PATH: '/nonexistent:/usr/bin' };
    const claude = await rejection(() => resolveExecutor('claude', options).ensureInstalled(env));
    expect(claude).toMatchObject({ code: 'AGENT_NOT_INSTALLED', message: 'claude is not installed (not on PATH); install it with `npm install -g @anthropic-ai/claude-code`' });
    const codex = await rejection(() => resolveExecutor('codex', options).ensureInstalled(env));
    expect(codex).toMatchObject({ code: 'AGENT_NOT_INSTALLED', message: expect.stringContaining('`npm install -g @openai/codex`') });
  });

  it('checks the program an acp: or cmd: command starts with', async () => {
    const env = { PATH: '/usr/bin:/bin' };
    const missing = await rejection(() => resolveExecutor('acp:no-such-agent-cli --acp', options).ensureInstalled(env));
    expect(missing).toMatchObject({ code: 'AGENT_NOT_INSTALLED', message: expect.stringContaining('no-such-agent-cli is not installed') });
    await expect(resolveExecutor('cmd:FOO=1 sh -c "exit 0"', options).ensureInstalled(env)).resolves.toBeUndefined();
    await expect(resolveExecutor('cmd:exit 3', options).ensureInstalled(env)).resolves.toBeUndefined();
    // Relative to the worktree, which is not known here: left to the run.
    await expect(resolveExecutor('cmd:./agent.sh', options).ensureInstalled(env)).resolves.toBeUndefined();
  });
});

describe('findOnPath and firstProgram', () => {
  it('finds only executable files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-path-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'runnable'), '#!/bin/sh\n');
    chmodSync(join(dir, 'runnable'), 0o755);
    writeFileSync(join(dir, 'plain'), 'text');
    expect(findOnPath('runnable', { PATH: `/nonexistent:${dir}` })).toBe(join(dir, 'runnable'));
    expect(findOnPath('plain', { PATH: dir })).toBeNull();
    expect(findOnPath('runnable', {})).toBeNull();
  });

  it('reads the program from a shell command line', () => {
    expect(firstProgram('gemini --experimental-acp')).toBe('gemini');
    expect(firstProgram('  A=1 B="x y" "my agent" --flag')).toBe('my agent');
    expect(firstProgram("ag'en't x")).toBe('agent');
    expect(firstProgram('$AGENT run')).toBeNull();
    expect(firstProgram('')).toBeNull();
  });
});
