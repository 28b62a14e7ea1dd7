/**
 * Finding and killing what a command left running outside its process group, with real
 * processes started in sessions of their own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import nodeProcess from 'node:process';
import { afterEach, describe, expect, it } from 'vitest';
import { processAlive } from '../../../test/model-server/agent-cli.js';
import { killMarkedProcesses, MARK_PREFIX, MARK_VARIABLE, markedEnvironment } from './marked-processes.js';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
});

/** A `sleep` in a new session (as Claude Code's Bash tool starts commands), with `env`. */
function detachedSleep(env: Record<string, string | undefined>): Promise<ChildProcess> {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore', env });
  started.push(child);
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child));
    child.once('error', reject);
  });
}

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('marked processes', () => {
  it('marks each environment with a value of its own, keeping the rest', () => {
    const first = markedEnvironment({ PATH: '/bin' });
    const second = markedEnvironment({ PATH: '/bin' });
    expect(first.env).toEqual({ PATH: '/bin', [MARK_VARIABLE]: first.mark });
    expect(first.mark).not.toBe(second.mark);
    // One prefix per baton process: the watchdog finds every mark by it.
    expect(first.mark.startsWith(MARK_PREFIX) && second.mark.startsWith(MARK_PREFIX)).toBe(true);
    expect(MARK_VARIABLE).not.toMatch(/KEY|SECRET|TOKEN/);
  });

  it.runIf(nodeProcess.platform === 'linux')('kills the processes carrying the mark, and only those', async () => {
    const { env, mark } = markedEnvironment({ PATH: nodeProcess.env.PATH });
    const stray = await detachedSleep(env);
    const other = await detachedSleep(markedEnvironment({ PATH: nodeProcess.env.PATH }).env);
    await until(() => readFileSync(`/proc/${stray.pid}/environ`, 'latin1').includes(mark));

    expect(killMarkedProcesses(mark)).toEqual([stray.pid]);
    await until(() => !processAlive(stray.pid as number));
    expect(processAlive(stray.pid as number)).toBe(false);
    expect(processAlive(other.pid as number)).toBe(true);
    expect(killMarkedProcesses(mark)).toEqual([]);
  });
});
