import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import { afterEach, describe, expect, it } from 'vitest';
import { groupMembers } from '../../../test/model-server/agent-cli.js';
import { guardedArgv, spawnGuarded } from './guardian.js';
import { signalGroup } from './group-registry.js';

const execPath = nodeProcess.execPath;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/**
 * A stand-in for baton: a Node process that starts a guarded group the way spawnGroup does
 * (detached, a pipe on the guardian's stdin), prints the group id and then idles.
 */
const PARENT_SOURCE = `
const { spawn } = require('node:child_process');
const argv = JSON.parse(process.argv[1]);
const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
child.on('spawn', () => process.stdout.write(child.pid + '\\n'));
setInterval(() => undefined, 1000);
`;

async function startParent(argv: string[], env: NodeJS.ProcessEnv = nodeProcess.env): Promise<{ parentPid: number; pgid: number }> {
  const parent = spawn(execPath, ['-e', PARENT_SOURCE, '--', JSON.stringify(argv)], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const pgid = await new Promise<number>((resolve, reject) => {
    parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    parent.once('exit', () => reject(new Error('the parent exited before starting its group')));
  });
  cleanups.push(() => signalGroup(pgid, 'SIGKILL'));
  return { parentPid: parent.pid as number, pgid };
}

/** Alive and not a zombie (PID 1 here does not reap orphans). */
function isLive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

describe('guardian', () => {
  it('stops its whole group, grandchildren included, when the baton that started it is SIGKILLed', { timeout: 20_000 }, async () => {
    const argv = guardedArgv(['/bin/sh', '-c', 'sleep 300 & sleep 300'], { execPath, orphanKillGraceMs: 1_000 });
    const { parentPid, pgid } = await startParent(argv);
    // The guardian, the shell and both sleeps.
    expect(await waitFor(() => groupMembers(pgid).length >= 4, 5_000), `members: ${groupMembers(pgid).join(',')}`).toBe(true);

    nodeProcess.kill(parentPid, 'SIGKILL');

    expect(await waitFor(() => groupMembers(pgid).length === 0, 5_000), `left alive: ${groupMembers(pgid).join(',')}`).toBe(true);
  });

  it('also kills what the agent started outside its group, found by the agent mark, when baton is SIGKILLed', { timeout: 20_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-guardian-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const pidFile = join(dir, 'escaped.pid');
    const argv = guardedArgv(['/bin/sh', '-c', `setsid sleep 300 & echo $! > ${pidFile}; sleep 300`], { execPath, orphanKillGraceMs: 500 });
    const { parentPid } = await startParent(argv, { ...nodeProcess.env, BATON_AGENT_MARK: `test-${nodeProcess.pid}-${Date.now()}` });
    expect(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 5_000)).toBe(true);
    const escaped = Number(readFileSync(pidFile, 'utf8').trim());
    cleanups.push(() => signalGroup(escaped, 'SIGKILL'));
    expect(isLive(escaped)).toBe(true);

    nodeProcess.kill(parentPid, 'SIGKILL');

    expect(await waitFor(() => !isLive(escaped), 5_000), `pid ${escaped} outlived baton`).toBe(true);
  });

  it('SIGKILLs a command that ignores SIGTERM once the grace period is over', { timeout: 20_000 }, async () => {
    const argv = guardedArgv(['/bin/sh', '-c', 'trap "" TERM; sleep 300'], { execPath, orphanKillGraceMs: 500 });
    const { parentPid, pgid } = await startParent(argv);
    expect(await waitFor(() => groupMembers(pgid).length >= 3, 5_000)).toBe(true);
    const killedAt = Date.now();

    nodeProcess.kill(parentPid, 'SIGKILL');

    expect(await waitFor(() => groupMembers(pgid).length === 0, 5_000)).toBe(true);
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(400);
  });

  it('mirrors the exit code of the command and passes its output through', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-guardian-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const lines: string[] = [];
    const group = await spawnGuarded(['/bin/sh', '-c', 'echo out; echo err >&2; pwd; exit 3'], { execPath, cwd: dir, env: { PATH: '/usr/bin:/bin' }, onStdoutLine: (line) => lines.push(line) });

    const exit = await group.done;

    expect(exit).toMatchObject({ exitCode: 3, signal: null, timedOut: null, command: "/bin/sh -c 'echo out; echo err >&2; pwd; exit 3'" });
    expect(lines).toEqual(['out', dir]);
    expect(exit.stderrTail).toBe('err\n');
    expect(group.stdin).toBeNull();
  });

  it('mirrors the signal that killed the command', async () => {
    const group = await spawnGuarded(['/bin/sh', '-c', 'kill -INT $$'], { execPath, cwd: tmpdir() });
    expect(await group.done).toMatchObject({ exitCode: null, signal: 'SIGINT' });
  });

  it('lets a stop reach the command and ends with its signal, leaving nothing behind', async () => {
    const group = await spawnGuarded(['sleep', '300'], { execPath, cwd: tmpdir(), killGraceMs: 2_000 });
    expect(await waitFor(() => groupMembers(group.pid).length === 2, 5_000)).toBe(true);

    group.stop();

    expect(await group.done).toMatchObject({ signal: 'SIGTERM', cancelled: true });
    expect(groupMembers(group.pid)).toEqual([]);
  });

  it('exits 127 with a message when the command does not exist', async () => {
    const group = await spawnGuarded(['no-such-command-for-baton'], { execPath, cwd: tmpdir(), env: { PATH: '/usr/bin:/bin' } });
    const exit = await group.done;
    expect(exit.exitCode).toBe(127);
    expect(exit.stderrTail).toContain('could not start no-such-command-for-baton');
  });

  it('relays stdin to the command when asked, and ending it stops the group', { timeout: 20_000 }, async () => {
    const lines: string[] = [];
    const group = await spawnGuarded(['/bin/sh', '-c', 'read line; echo "got $line"; sleep 300'], { execPath, cwd: tmpdir(), relayStdin: true, orphanKillGraceMs: 500, onStdoutLine: (line) => lines.push(line) });

    group.stdin?.write('hello\n');
    expect(await waitFor(() => lines.length > 0, 5_000)).toBe(true);
    group.stdin?.end();

    const exit = await group.done;
    expect(lines).toEqual(['got hello']);
    expect(exit.signal ?? exit.exitCode).not.toBe(0);
    expect(groupMembers(group.pid)).toEqual([]);
  });
});
