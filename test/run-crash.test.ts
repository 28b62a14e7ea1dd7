/**
 * Crash safety of `baton run`: when baton dies mid-run (SIGKILL) its agent dies with it, the
 * lease runs out and the task comes back, and the next `baton run` resumes from the task
 * branch's last checkpoint; a SIGTERM ends the run cleanly as interrupted; a run that is alive
 * in another baton is never run twice. Real binary, real git, real child processes; the
 * agents are small shell scripts (`cmd:`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../src/core/run/run-record.js';
import { baton, BATON_BIN, boardFingerprint, git, json } from './helpers/baton.js';
import { agentScript, makeRunRepo, repoSnapshot, runRecords, waitUntil, type RunRepo } from './helpers/run-fixture.js';
import { hostPid } from './helpers/host-pid.js';
import { groupMembers, processAlive } from './model-server/agent-cli.js';
import { sharedTempDir, TEST_SANDBOX_SHARE } from './helpers/sandbox-share.js';

const CONFIG = { checks: [{ id: 'fixed', run: 'test -f fixed.txt' }] };
const RETRY = 'Previous attempt failed because';

interface LiveRun {
  child: ChildProcess;
  pid: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** `baton run` in the background, so the test can signal it. */
function startRun(repo: RunRepo, args: string[], env: Record<string, string> = {}): LiveRun {
  const child = spawn(process.execPath, [BATON_BIN, 'run', ...args], {
    cwd: repo.dir,
    env: { ...process.env, NO_COLOR: '1', BATON_AGENT: 'tester', BATON_SANDBOX_SHARE: TEST_SANDBOX_SHARE, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => child.on('exit', (code, signal) => resolveExit({ code, signal })));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, pid: child.pid as number, output: () => output, exited };
}

/** An agent that records its pid (atomically) once it has written `file`, then sleeps. */
function sleeperBody(repo: RunRepo, file: string): string {
  return `echo work > ${file}\necho $$ > '${repo.tools}/agent.pid.tmp' && mv '${repo.tools}/agent.pid.tmp' '${repo.tools}/agent.pid'\nexec sleep 300`;
}

/** An agent that records how it found the worktree, then makes the check pass. */
function fixer(repo: RunRepo): string {
  const t = repo.tools;
  return agentScript(repo, 'fixer', `git rev-parse HEAD > '${t}/head'\nls -A > '${t}/files'\ngit status --porcelain --untracked-files=all > '${t}/status'\necho fixed > fixed.txt`);
}

/** Waits for the sleeping agent, then returns its pid and its process group (from run.json). */
async function sleepingAgent(repo: RunRepo, live: LiveRun): Promise<{ agentPid: number; pgid: number }> {
  const pidFile = join(repo.tools, 'agent.pid');
  await waitUntil(() => existsSync(pidFile) || live.child.exitCode !== null, 20_000, `the agent's pid file; baton said:\n${live.output()}`);
  expect(live.child.exitCode, live.output()).toBeNull();
  await waitUntil(() => runRecords(repo, 1).at(-1)?.agentPgid != null, 5_000, 'agentPgid in run.json');
  const pgid = runRecords(repo, 1).at(-1)?.agentPgid as number;
  // The sleeper reports its pid as it sees it: in a sandboxed run, a pid in a namespace of its own.
  const agentPid = hostPid(Number(readFileSync(pidFile, 'utf8')), realpathSync(repo.dir));
  expect(groupMembers(pgid)).toContain(agentPid);
  return { agentPid, pgid };
}

function repoFor(config: Record<string, unknown> = CONFIG): RunRepo {
  const repo = makeRunRepo(config, 'baton-run-crash-');
  cleanups.push(repo.cleanup);
  expect(baton(['add', 'Make the check pass'], { cwd: repo.dir }).code).toBe(0);
  return repo;
}

function events(repo: RunRepo): { type: string; actor: string; payload: Record<string, unknown> }[] {
  return json<{ events: { type: string; actor: string; payload: Record<string, unknown> }[] }>(baton(['log', '1', '--json'], { cwd: repo.dir })).events;
}

function task(repo: RunRepo): { status: string; assignee: string | null; leaseExpiresAt: string | null } {
  return json<{ task: { status: string; assignee: string | null; leaseExpiresAt: string | null } }>(baton(['show', '1', '--json'], { cwd: repo.dir })).task;
}

/** Kills what a test left running in a group, so a failed assertion leaves no sleeper behind. */
function killGroupLater(pgid: number): void {
  cleanups.push(() => {
    for (const pid of groupMembers(pgid)) process.kill(pid, 'SIGKILL');
  });
}

/**
 * Starts a run (lease 2 s) whose attempt 1 leaves work the check rejects (a checkpoint commit)
 * and whose attempt 2 leaves junk and sleeps; returns once attempt 2 sleeps.
 */
async function runUntilSecondAttempt(repo: RunRepo): Promise<{ live: LiveRun; during: RunRecord; agentPid: number; pgid: number }> {
  const count = join(repo.tools, 'count');
  const crashy = agentScript(
    repo,
    'crashy',
    `n=$(cat '${count}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '${count}'\nif [ "$n" = 1 ]; then echo one > attempt1.txt; exit 0; fi\n${sleeperBody(repo, 'junk.txt')}`,
  );
  const live = startRun(repo, ['1', '--agent', crashy, '--ttl', '2s']);
  const { agentPid, pgid } = await sleepingAgent(repo, live);
  killGroupLater(pgid);
  const [during] = runRecords(repo, 1) as [RunRecord];
  expect(during.attempts.map((attempt) => attempt.verdict)).toEqual(['checks_failed']);
  expect(during.checkpoint).not.toBe(during.startCommit);
  return { live, during, agentPid, pgid };
}

describe('baton run survives its own death', () => {
  it('SIGKILL: the agent dies with baton, the lease runs out, and the next run resumes from the checkpoint', { timeout: 60_000 }, async () => {
    const repo = repoFor();
    const { live, during, agentPid, pgid } = await runUntilSecondAttempt(repo);
    live.child.kill('SIGKILL');
    expect((await live.exited).signal).toBe('SIGKILL');
    const killedAtMs = Date.now();
    // The watchdog sees baton's pipe close and stops the group: SIGTERM at once, SIGKILL after 3 s.
    await waitUntil(() => !groupMembers(pgid).includes(agentPid), 2_000, `the agent ${agentPid} to die of the watchdog's SIGTERM`);
    const agentGoneMs = Date.now() - killedAtMs;
    await waitUntil(() => groupMembers(pgid).length === 0, 6_000, `the agent's group ${pgid} to die (left: ${groupMembers(pgid).join(', ')})`);
    const groupGoneMs = Date.now() - killedAtMs;

    // Nothing could write the record as baton died: it still says running, and the task is held.
    expect(runRecords(repo, 1).map((record) => record.status)).toEqual(['running']);
    const held = task(repo);
    expect(held).toMatchObject({ status: 'in_progress', assignee: 'tester' });
    expect(existsSync(join(during.worktree, 'junk.txt'))).toBe(true);

    // Once the lease has run out, anyone's reap returns the task to the queue.
    await waitUntil(() => Date.now() > Date.parse(held.leaseExpiresAt as string) + 50, 5_000, 'the lease to run out');
    const reaped = json<{ tasks: { id: number; status: string }[] }>(baton(['reap', '--json'], { cwd: repo.dir }));
    expect(reaped.tasks).toMatchObject([{ id: 1, status: 'open' }]);
    expect(events(repo).filter((event) => event.type === 'lease_expired')).toMatchObject([{ payload: { formerAssignee: 'tester' } }]);
    expect(runRecords(repo, 1).map((record) => record.status)).toEqual(['running']);

    const second = baton(['run', '1', '--agent', fixer(repo), '--json'], { cwd: repo.dir });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('resuming from its last checkpoint');
    const result = json<{ run: RunRecord; task: { status: string }; evidence: string }>(second);
    expect(result.run).toMatchObject({ run: 2, status: 'succeeded', worktree: during.worktree, branch: during.branch, startCommit: during.startCommit });
    expect(result.task.status).toBe('review');
    // The agent found run 1's checkpoint: attempt 1's file committed, the killed attempt's junk gone.
    const t = (name: string): string => readFileSync(join(repo.tools, name), 'utf8');
    expect(t('head').trim()).toBe(during.checkpoint);
    expect(t('files').split('\n')).toContain('attempt1.txt');
    expect(t('files').split('\n')).not.toContain('junk.txt');
    expect(t('status')).toBe('');
    // Its first prompt carries what run 1 last failed on.
    const prompt = readFileSync(join(result.evidence, 'attempt-1', 'prompt.md'), 'utf8');
    expect(prompt).toContain(RETRY);
    expect(prompt).toContain('`test -f fixed.txt` exited with 1');
    const files = git(repo.dir, ['ls-tree', '--name-only', result.run.commit as string]).split('\n');
    expect(files).toEqual(expect.arrayContaining(['attempt1.txt', 'fixed.txt']));
    expect(files).not.toContain('junk.txt');

    const [first] = runRecords(repo, 1) as [RunRecord];
    expect(first.status).toBe('interrupted');
    expect(first.reason).toContain(`pid ${live.pid}`);
    expect(first.endedAt).not.toBeNull();
    expect(events(repo).find((event) => event.type === 'run_started' && event.payload['run'] === 2)?.payload['resumedFrom']).toBe(1);
    console.log(`after baton's SIGKILL: agent gone in ${agentGoneMs} ms, its whole group in ${groupGoneMs} ms`);
  });

  it('SIGKILL during a check: the check, and what it started in the background, die with baton', { timeout: 60_000 }, async () => {
    const pids = sharedTempDir('baton-check-pids-');
    cleanups.push(() => rmSync(pids, { recursive: true, force: true }));
    const check = `echo $$ > '${pids}/check'; setsid sleep 300 & echo $! > '${pids}/escaped'; sleep 300`;
    const repo = repoFor({ checks: [{ id: 'slow', run: check }] });
    // A check gets temporary folders of its own: the folder it reports its pids in is shared with it.
    const live = startRun(repo, ['1', '--agent', agentScript(repo, 'writer', 'echo work > work.txt')]);
    const pidOf = (name: string): number => Number(readFileSync(join(pids, name), 'utf8').trim());
    await waitUntil(() => ['check', 'escaped'].every((name) => existsSync(join(pids, name)) && readFileSync(join(pids, name), 'utf8').trim() !== ''), 20_000, `the check to start; baton said:\n${live.output()}`);
    // As the check saw them: in a sandboxed run, pids in a namespace of its own.
    const [checkPid, escapedPid] = [hostPid(pidOf('check'), realpathSync(repo.dir)), hostPid(pidOf('escaped'), realpathSync(repo.dir))];
    cleanups.push(() => [checkPid, escapedPid].forEach((pid) => processAlive(pid) && process.kill(pid, 'SIGKILL')));
    expect(processAlive(checkPid) && processAlive(escapedPid)).toBe(true);

    live.child.kill('SIGKILL');
    await live.exited;

    await waitUntil(() => !processAlive(checkPid) && !processAlive(escapedPid), 5_000, `the check ${checkPid} and its background sleep ${escapedPid} to die`);
  });

  it('another agent takes over a task whose runner died once its lease ran out, without a reap, resuming the same branch', { timeout: 60_000 }, async () => {
    const repo = repoFor();
    const { live, during, pgid } = await runUntilSecondAttempt(repo);
    live.child.kill('SIGKILL');
    await live.exited;
    await waitUntil(() => groupMembers(pgid).length === 0, 6_000, `the agent's group ${pgid} to die`);
    const held = task(repo);
    await waitUntil(() => Date.now() > Date.parse(held.leaseExpiresAt as string) + 50, 5_000, 'the lease to run out');

    const taken = baton(['run', '1', '--agent', fixer(repo), '--json'], { cwd: repo.dir, env: { BATON_AGENT: 'night-shift' } });
    expect(taken.code, taken.stderr).toBe(0);
    const result = json<{ run: RunRecord; task: { status: string; assignee: string } }>(taken);
    expect(result.run).toMatchObject({ run: 2, status: 'succeeded', actor: 'night-shift', worktree: during.worktree, branch: during.branch });
    expect(result.task).toMatchObject({ status: 'review', assignee: 'night-shift' });
    expect(readFileSync(join(repo.tools, 'head'), 'utf8').trim()).toBe(during.checkpoint);
    expect(runRecords(repo, 1).map((record) => record.status)).toEqual(['interrupted', 'succeeded']);
    // The claim itself returned the expired lease to the queue, on the record.
    const feed = events(repo);
    const expired = feed.findIndex((event) => event.type === 'lease_expired');
    expect(expired).toBeGreaterThan(-1);
    expect(feed.findIndex((event, index) => index > expired && event.type === 'task_claimed' && event.actor === 'night-shift')).toBeGreaterThan(expired);
  });

  it('SIGTERM: the agent group is stopped, the run ends interrupted, the task is released, and the next run resumes', { timeout: 60_000 }, async () => {
    const repo = repoFor();
    const live = startRun(repo, ['1', '--agent', agentScript(repo, 'sleeper', sleeperBody(repo, 'work.txt'))]);
    const { pgid } = await sleepingAgent(repo, live);
    killGroupLater(pgid);
    const signalledAtMs = Date.now();
    live.child.kill('SIGTERM');
    const exit = await live.exited;
    const stopMs = Date.now() - signalledAtMs;
    expect(exit.code, live.output()).toBe(1);
    expect(stopMs).toBeLessThan(10_000);
    await waitUntil(() => groupMembers(pgid).length === 0, 2_000, `the agent's group ${pgid} to be gone after baton exited`);
    expect(live.output()).toMatch(/run 1 interrupted/);

    const [first] = runRecords(repo, 1) as [RunRecord];
    expect(first).toMatchObject({ status: 'interrupted', agentPgid: null });
    expect(first.endedAt).not.toBeNull();
    expect(task(repo)).toMatchObject({ status: 'open', assignee: null, leaseExpiresAt: null });
    const types = events(repo).map((event) => event.type);
    expect(types.slice(-2)).toEqual(['task_released', 'run_interrupted']);

    const second = baton(['run', '1', '--agent', fixer(repo), '--json'], { cwd: repo.dir });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('resuming from its last checkpoint');
    const result = json<{ run: RunRecord; task: { status: string } }>(second);
    expect(result.run).toMatchObject({ run: 2, status: 'succeeded', worktree: first.worktree, branch: first.branch, startCommit: first.startCommit });
    expect(result.task.status).toBe('review');
    // The stopped attempt was never checked, but its work is never lost: kept as a checkpoint
    // marked unchecked, which the next run builds on.
    expect(first.checkpoint).not.toBe(first.startCommit);
    expect(git(repo.dir, ['log', '-1', '--format=%s', first.checkpoint]).trim()).toBe('Checkpoint: Make the check pass (#1, attempt 1, not checked)');
    expect(git(repo.dir, ['show', `${first.checkpoint}:work.txt`])).toBe('work\n');
    expect(readFileSync(join(repo.tools, 'files'), 'utf8').split('\n')).toContain('work.txt');
    console.log(`baton exited ${stopMs} ms after SIGTERM`);
  });

  it('refuses a second run of a task whose run is alive in another baton, naming its pid, and changes nothing', { timeout: 60_000 }, async () => {
    const repo = repoFor();
    const live = startRun(repo, ['1', '--agent', agentScript(repo, 'sleeper', sleeperBody(repo, 'work.txt'))]);
    const { agentPid, pgid } = await sleepingAgent(repo, live);
    killGroupLater(pgid);
    const before = boardFingerprint(repo.db);
    const snapshot = repoSnapshot(repo);
    const record = JSON.stringify(runRecords(repo, 1));

    const refused = baton(['run', '1', '--agent', fixer(repo)], { cwd: repo.dir });
    expect(refused.code, refused.stderr).toBe(4);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^baton: /);
    expect(refused.stderr).toContain(`baton (pid ${live.pid})`);
    expect(refused.stderr).toContain('stop that process first');
    const doc = json<{ error: { code: string; details: { pid: number } } }>(baton(['run', '1', '--agent', fixer(repo), '--json'], { cwd: repo.dir }));
    expect(doc.error).toMatchObject({ code: 'CONFLICT', details: { pid: live.pid } });

    expect(boardFingerprint(repo.db)).toBe(before);
    expect(repoSnapshot(repo)).toBe(snapshot);
    expect(JSON.stringify(runRecords(repo, 1))).toBe(record);
    expect(existsSync(join(repo.tools, 'head'))).toBe(false);
    // The refused run left the running one alone.
    expect(groupMembers(pgid)).toContain(agentPid);
    expect(live.child.exitCode).toBeNull();

    live.child.kill('SIGTERM');
    expect((await live.exited).code).toBe(1);
  });
});
