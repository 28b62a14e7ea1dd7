/**
 * The watchdog with real processes: a stand-in for baton starts it and a process group, tells
 * it of the group, and is then SIGKILLed or exits, as baton would be or do.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import { afterEach, describe, expect, it } from 'vitest';
import { groupMembers, processAlive } from '../../../test/model-server/agent-cli.js';
import { signalGroup } from './group-registry.js';
import { MARK_VARIABLE } from './marked-processes.js';
import { watchdogArgv } from './watchdog.js';

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
 * A stand-in for baton: starts the watchdog, then a command in a group of its own (as
 * spawnGroup does), tells the watchdog `+pgid` (and `-pgid` when asked to forget it), prints
 * both pids and idles, or exits when asked to.
 */
const PARENT_SOURCE = `
const { spawn } = require('node:child_process');
const { watchdog, command, env, forget, exit } = JSON.parse(process.argv[1]);
const dog = spawn(watchdog[0], watchdog.slice(1), { detached: true, stdio: ['pipe', 'ignore', 'inherit'] });
const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: 'ignore', env: { ...process.env, ...env } });
child.on('spawn', () => {
  dog.stdin.write('+' + child.pid + '\\n');
  if (forget) dog.stdin.write('-' + child.pid + '\\n');
  process.stdout.write(JSON.stringify({ pgid: child.pid, watchdog: dog.pid }) + '\\n');
  if (exit) setTimeout(() => process.exit(0), 200);
});
setInterval(() => undefined, 1000);
`;

interface ParentOptions {
  command: string;
  graceMs?: number;
  /** The mark prefix the watchdog looks for. */
  prefix?: string;
  env?: Record<string, string>;
  forget?: boolean;
  exit?: boolean;
}

async function startParent(options: ParentOptions): Promise<{ parentPid: number; pgid: number; watchdog: number }> {
  const prefix = options.prefix ?? `test-${nodeProcess.pid}-${Date.now()}.`;
  const spec = { watchdog: watchdogArgv(nodeProcess.execPath, options.graceMs ?? 500, prefix), command: options.command, env: options.env ?? {}, forget: options.forget ?? false, exit: options.exit ?? false };
  const parent = spawn(nodeProcess.execPath, ['-e', PARENT_SOURCE, '--', JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = await new Promise<{ pgid: number; watchdog: number }>((resolve, reject) => {
    parent.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()) as { pgid: number; watchdog: number }));
    parent.once('exit', () => reject(new Error('the parent exited before starting its group')));
  });
  cleanups.push(() => {
    signalGroup(started.pgid, 'SIGKILL');
    signalGroup(started.watchdog, 'SIGKILL');
    if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
  });
  return { parentPid: parent.pid as number, ...started };
}

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-watchdog-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe.runIf(nodeProcess.platform === 'linux')('watchdog', () => {
  it('stops a group it was told of, grandchildren included, when baton is SIGKILLed, then exits', { timeout: 20_000 }, async () => {
    const { parentPid, pgid, watchdog } = await startParent({ command: 'sleep 300 & sleep 300' });
    expect(await waitFor(() => groupMembers(pgid).length >= 3, 5_000), `members: ${groupMembers(pgid).join(',')}`).toBe(true);
    expect(processAlive(watchdog)).toBe(true);

    nodeProcess.kill(parentPid, 'SIGKILL');

    expect(await waitFor(() => groupMembers(pgid).length === 0, 5_000), `left alive: ${groupMembers(pgid).join(',')}`).toBe(true);
    expect(await waitFor(() => !processAlive(watchdog), 2_000), 'the watchdog to exit').toBe(true);
  });

  it('kills what carries a mark with its prefix outside any group it knows, and nothing with another mark', { timeout: 20_000 }, async () => {
    const dir = scratch();
    const prefix = `test-${nodeProcess.pid}-${Date.now()}.`;
    const ours = join(dir, 'ours.pid');
    const theirs = join(dir, 'theirs.pid');
    const { parentPid } = await startParent({
      prefix,
      env: { [MARK_VARIABLE]: `${prefix}attempt-1` },
      command: `setsid sleep 300 & echo $! > ${ours}; ${MARK_VARIABLE}=another-baton.x setsid sleep 300 & echo $! > ${theirs}; sleep 300`,
    });
    const pidIn = (file: string) => Number(readFileSync(file, 'utf8').trim());
    expect(await waitFor(() => [ours, theirs].every((file) => existsSync(file) && readFileSync(file, 'utf8').trim() !== ''), 5_000)).toBe(true);
    const [stray, foreign] = [pidIn(ours), pidIn(theirs)];
    cleanups.push(() => [stray, foreign].forEach((pid) => signalGroup(pid, 'SIGKILL')));
    expect(processAlive(stray) && processAlive(foreign)).toBe(true);

    nodeProcess.kill(parentPid, 'SIGKILL');

    expect(await waitFor(() => !processAlive(stray), 5_000), `pid ${stray} outlived baton`).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(processAlive(foreign)).toBe(true);
  });

  it('SIGKILLs a command that ignores SIGTERM once the grace period is over', { timeout: 20_000 }, async () => {
    const { parentPid, pgid } = await startParent({ command: 'trap "" TERM; sleep 300', graceMs: 600 });
    expect(await waitFor(() => groupMembers(pgid).length >= 2, 5_000)).toBe(true);
    const killedAt = Date.now();

    nodeProcess.kill(parentPid, 'SIGKILL');

    // The shell and its sleep (which inherits the ignored SIGTERM) live until the grace period ends.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(groupMembers(pgid).length).toBeGreaterThanOrEqual(2);
    expect(await waitFor(() => groupMembers(pgid).length === 0, 5_000)).toBe(true);
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(500);
  });

  it('leaves alone a group baton said was over', { timeout: 20_000 }, async () => {
    const { parentPid, pgid } = await startParent({ command: 'sleep 300', forget: true });
    expect(await waitFor(() => groupMembers(pgid).length > 0, 5_000)).toBe(true);
    const members = groupMembers(pgid);

    nodeProcess.kill(parentPid, 'SIGKILL');

    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(groupMembers(pgid)).toEqual(members);
  });

  it('exits at once when baton exits with nothing left to stop', { timeout: 20_000 }, async () => {
    const { pgid, watchdog } = await startParent({ command: 'true', exit: true });
    expect(await waitFor(() => groupMembers(pgid).length === 0, 5_000)).toBe(true);
    expect(await waitFor(() => !processAlive(watchdog), 2_000), 'the watchdog to exit').toBe(true);
  });
});
