import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeProcess from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../../test/model-server/agent-cli.js';
import { LineSplitter } from './output-lines.js';
import { ProcessError } from './process-error.js';
import { requireSuccess, runGroup, spawnGroup, type RunningGroup } from './spawn-group.js';

const GRACE_MS = 300;
const cwd = tmpdir();

/** A shell that ignores SIGTERM, starts a grandchild that inherits that, prints both pids, and waits. */
const STUBBORN = `trap '' TERM; sleep 300 & echo "$$ $!"; wait`;

/**
 * Waits until none of `pids` runs. A killed process closes its pipes while it exits, a moment
 * before it is gone, so the group's output can close just before its last process is dead.
 */
async function expectGone(pids: readonly number[]): Promise<void> {
  expect(pids.length).toBeGreaterThan(0);
  await expect.poll(() => pids.filter(processAlive), { timeout: 1_000, interval: 20 }).toEqual([]);
}

function pidsOf(line: string): number[] {
  return line.trim().split(/\s+/).map(Number);
}

describe('spawnGroup', () => {
  it('passes stdout and stderr on line by line and keeps their tails', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const exit = await runGroup(['sh', '-c', 'printf "one\\ntwo\\r\\nthree"; printf "oops\\n" >&2'], {
      cwd,
      onStdoutLine: (line) => out.push(line),
      onStderrLine: (line) => err.push(line),
    });
    expect(out).toEqual(['one', 'two', 'three']);
    expect(err).toEqual(['oops']);
    expect(exit).toMatchObject({ exitCode: 0, signal: null, timedOut: null, cancelled: false, stdoutTail: 'one\ntwo\nthree\n', stderrTail: 'oops\n' });
    expect(exit.command).toBe(`sh -c 'printf "one\\ntwo\\r\\nthree"; printf "oops\\n" >&2'`);
  });

  it('keeps only the last characters of a long output', async () => {
    const exit = await runGroup(['sh', '-c', 'for i in $(seq 1 500); do echo "line $i"; done'], { cwd, tailChars: 30 });
    const everything = Array.from({ length: 500 }, (_, i) => `line ${i + 1}\n`).join('');
    expect(exit.stdoutTail).toBe(everything.slice(-30));
    expect(exit.stdoutTail).toHaveLength(30);
  });

  it('reports a non-zero exit as an answer, and requireSuccess turns it into an error with the tails', async () => {
    const exit = await runGroup(['sh', '-c', 'echo partial; echo "bad thing" >&2; exit 3'], { cwd });
    expect(exit).toMatchObject({ exitCode: 3, signal: null, timedOut: null });
    expect(() => requireSuccess(exit)).toThrow(ProcessError);
    try {
      requireSuccess(exit);
    } catch (error) {
      expect(error).toMatchObject({ code: 'FAILED', exitCode: 3, signal: null, stderrTail: 'bad thing\n', stdoutTail: 'partial\n' });
      expect((error as Error).message).toContain('exited with 3:\nbad thing');
    }
  });

  it('refuses to start a command that is not installed, naming it', async () => {
    await expect(spawnGroup(['baton-no-such-agent', '-p', 'hi'], { cwd })).rejects.toMatchObject({
      code: 'FAILED',
      command: 'baton-no-such-agent -p hi',
      exitCode: null,
      message: expect.stringContaining('baton-no-such-agent is not installed') as unknown,
    });
  });

  it('says a name found on PATH only as a file it may not run could be not installed, or closed to this user', async () => {
    // A file without execute bits is closed even to root: the search along PATH ends in EACCES, as
    // it does for a user with a folder on PATH they cannot enter (root's own, say).
    const bin = mkdtempSync(join(tmpdir(), 'baton-closed-bin-'));
    try {
      writeFileSync(join(bin, 'baton-closed-agent'), 'echo hi\n', { mode: 0o644 });
      await expect(spawnGroup(['baton-closed-agent'], { cwd, env: { ...nodeProcess.env, PATH: `${bin}:/usr/bin:/bin` } })).rejects.toMatchObject({
        code: 'FAILED',
        message: expect.stringContaining('baton-closed-agent is not installed (not on PATH), or this user may not run it (permission denied') as unknown,
      });
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('runs a shell only when asked, with the remaining words as its arguments', async () => {
    const lines: string[] = [];
    await runGroup(['echo "$1|$2" && echo $0', 'a b', '$HOME'], { cwd, shell: true, onStdoutLine: (line) => lines.push(line) });
    expect(lines).toEqual(['a b|$HOME', 'sh']);
    const direct: string[] = [];
    await runGroup(['echo', '$HOME', 'a;b'], { cwd, onStdoutLine: (line) => direct.push(line) });
    expect(direct).toEqual(['$HOME a;b']);
  });

  it('closes stdin unless given a text or asked for a pipe', async () => {
    expect((await runGroup(['cat'], { cwd, timeoutMs: 10_000 })).stdoutTail).toBe('');
    expect((await runGroup(['cat'], { cwd, stdin: { kind: 'text', text: 'from baton\n' } })).stdoutTail).toBe('from baton\n');
    const group = await spawnGroup(['cat'], { cwd, stdin: { kind: 'pipe' } });
    group.stdin?.end('piped\n');
    expect((await group.done).stdoutTail).toBe('piped\n');
  });

  it('kills the whole group at the wall-clock timeout, SIGKILL for what ignores SIGTERM', async () => {
    let pids: number[] = [];
    const exit = await runGroup(['sh', '-c', STUBBORN], { cwd, timeoutMs: 500, killGraceMs: GRACE_MS, onStdoutLine: (line) => (pids = pidsOf(line)) });
    expect(pids).toHaveLength(2);
    expect(exit).toMatchObject({ timedOut: 'wall', cancelled: false, exitCode: null, signal: 'SIGKILL' });
    expect(exit.durationMs).toBeGreaterThanOrEqual(500 + GRACE_MS - 50);
    await expectGone(pids);
  });

  it('kills the group after the idle timeout when nothing is printed', async () => {
    const lines: string[] = [];
    const exit = await runGroup(['sh', '-c', 'echo "$$ started"; sleep 300'], { cwd, idleTimeoutMs: 400, timeoutMs: 30_000, killGraceMs: GRACE_MS, onStdoutLine: (line) => lines.push(line) });
    expect(exit).toMatchObject({ timedOut: 'idle', signal: 'SIGTERM' });
    expect(lines).toHaveLength(1);
    await expectGone([Number(lines[0]?.split(' ')[0])]);
  });

  it('gives a command the start-up limit for its first line, and the idle timeout after it', async () => {
    const options = { cwd, idleTimeoutMs: 300, startupIdleTimeoutMs: 1_500, timeoutMs: 30_000, killGraceMs: GRACE_MS };
    const [slowStart, silentStart, quietAfter] = await Promise.all([
      runGroup(['sh', '-c', 'sleep 0.8; echo started; echo done'], options),
      runGroup(['sh', '-c', 'sleep 300'], options),
      runGroup(['sh', '-c', 'echo started; sleep 0.8; echo done'], options),
    ]);
    expect(slowStart).toMatchObject({ timedOut: null, exitCode: 0, stdoutTail: 'started\ndone\n' });
    expect(silentStart).toMatchObject({ timedOut: 'idle', signal: 'SIGTERM' });
    expect(silentStart.durationMs).toBeGreaterThanOrEqual(1_450);
    expect(quietAfter).toMatchObject({ timedOut: 'idle', stdoutTail: 'started\n' });
  });

  it('does not count as idle a command that keeps printing', async () => {
    const exit = await runGroup(['sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do echo $i; sleep 0.15; done'], { cwd, idleTimeoutMs: 900, killGraceMs: GRACE_MS });
    expect(exit).toMatchObject({ timedOut: null, exitCode: 0 });
    expect(exit.stdoutTail).toBe('1\n2\n3\n4\n5\n6\n7\n8\n');
  });

  it('lets a command that announced a wait stay silent that long plus the idle timeout, and no longer', async () => {
    // "wait N" announces N ms of silence, as an agent waiting out a rate limit does.
    const announce = (command: string) => {
      let group: RunningGroup | undefined = undefined;
      const started = performance.now();
      const run = spawnGroup(['sh', '-c', command], {
        cwd,
        idleTimeoutMs: 400,
        killGraceMs: GRACE_MS,
        onStdoutLine: (line) => {
          const wait = /^wait (\d+)$/.exec(line);
          if (wait) group?.extendIdle(Number(wait[1]));
        },
      }).then((running) => (group = running).done);
      return run.then((exit) => ({ exit, elapsedMs: performance.now() - started }));
    };
    const [waited, overstayed, unannounced] = await Promise.all([
      announce('echo "wait 1000"; sleep 1.1; echo done'),
      announce('echo "wait 300"; sleep 30'),
      announce('echo started; sleep 1.1; echo done'),
    ]);
    expect(waited.exit).toMatchObject({ timedOut: null, exitCode: 0, stdoutTail: 'wait 1000\ndone\n' });
    expect(overstayed.exit).toMatchObject({ timedOut: 'idle', signal: 'SIGTERM' });
    expect(overstayed.elapsedMs).toBeGreaterThanOrEqual(700);
    expect(overstayed.elapsedMs).toBeLessThan(5_000);
    expect(unannounced.exit).toMatchObject({ timedOut: 'idle' });
  });

  it('stops the group when the signal is aborted', async () => {
    const controller = new AbortController();
    let pids: number[] = [];
    const exit = await runGroup(['sh', '-c', STUBBORN], {
      cwd,
      killGraceMs: GRACE_MS,
      signal: controller.signal,
      onStdoutLine: (line) => {
        pids = pidsOf(line);
        controller.abort();
      },
    });
    expect(exit).toMatchObject({ cancelled: true, timedOut: null, signal: 'SIGKILL' });
    expect(pids).toHaveLength(2);
    await expectGone(pids);
    await expect(spawnGroup(['true'], { cwd, signal: controller.signal })).rejects.toMatchObject({ message: expect.stringContaining('cancelled before it started') as unknown });
  });

  it('ends what the leader left running when it exits', async () => {
    let grandchild = 0;
    const exit = await runGroup(['sh', '-c', 'sleep 300 & echo $!; exit 0'], { cwd, killGraceMs: GRACE_MS, onStdoutLine: (line) => (grandchild = Number(line)) });
    expect(exit).toMatchObject({ exitCode: 0, timedOut: null, cancelled: false });
    await expectGone([grandchild]);
  });

  it('does not wait forever for a process that left the group holding its output', async () => {
    let escaped = 0;
    const pidFile = join(mkdtempSync(join(tmpdir(), 'baton-escape-')), 'pid');
    // The escapee writes its pid only once it is in a session of its own, and the leader waits for that.
    const script = `setsid sh -c 'echo $$ > "$1"; exec sleep 300' sh "$1" & while [ ! -s "$1" ]; do sleep 0.02; done; cat "$1"`;
    try {
      const exit = await runGroup([script, pidFile], { cwd, shell: true, killGraceMs: GRACE_MS, onStdoutLine: (line) => (escaped = Number(line)) });
      expect(exit).toMatchObject({ exitCode: 0, timedOut: null, stdoutTail: `${escaped}\n` });
      expect(processAlive(escaped)).toBe(true);
    } finally {
      if (escaped > 0) nodeProcess.kill(escaped, 'SIGKILL');
      rmSync(join(pidFile, '..'), { recursive: true, force: true });
    }
  });

  it('stops the group when a line callback throws, and rejects with its error', async () => {
    const group = await spawnGroup(['sh', '-c', 'echo first; sleep 300'], {
      cwd,
      killGraceMs: GRACE_MS,
      onStdoutLine: () => {
        throw new Error('parser broke');
      },
    });
    await expect(group.done).rejects.toThrow('parser broke');
  });
});

describe('a group outliving baton', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-spawn-'));
  const bundle = join(dir, 'parent.mjs');

  beforeAll(async () => {
    const source = join(dir, 'parent.ts');
    const spawner = fileURLToPath(new URL('./spawn-group.ts', import.meta.url));
    writeFileSync(
      source,
      [
        `import { spawnGroup } from ${JSON.stringify(spawner)};`,
        `const mode = process.argv[2];`,
        `const controller = new AbortController();`,
        `if (mode === 'handled') process.once('SIGTERM', () => controller.abort());`,
        `const group = await spawnGroup(['sh', '-c', ${JSON.stringify(STUBBORN)}], { cwd: '/', killGraceMs: 200, signal: controller.signal, onStdoutLine(line) {`,
        `  console.log(line);`,
        `  if (mode === 'exit') process.exit(0);`,
        `} });`,
        `const timer = setInterval(() => undefined, 1000);`,
        `const exit = await group.done;`,
        `console.log(JSON.stringify(exit));`,
        `clearInterval(timer);`,
      ].join('\n'),
    );
    await build({ entryPoints: [source], outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts the parent, waits for the pids its group printed, then lets `act` end the parent. */
  async function parentRun(mode: 'exit' | 'signal' | 'handled'): Promise<{ pids: number[]; code: number | null; signal: string | null; output: string }> {
    const parent = spawn(nodeProcess.execPath, [bundle, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    const pids = await new Promise<number[]>((resolve) => {
      parent.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('\n')) resolve(pidsOf(output.split('\n')[0] ?? ''));
      });
    });
    if (mode !== 'exit') parent.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => parent.once('exit', (c, s) => resolve([c, s])));
    return { pids, code, signal, output };
  }

  it('is killed when baton calls process.exit', async () => {
    const run = await parentRun('exit');
    expect(run.code).toBe(0);
    expect(run.pids).toHaveLength(2);
    await expectGone(run.pids);
  });

  it('is left to a SIGTERM handler of baton, which stops it gracefully', async () => {
    const run = await parentRun('handled');
    expect(run).toMatchObject({ code: 0, signal: null });
    expect(JSON.parse(run.output.trim().split('\n').at(-1) ?? '')).toMatchObject({ cancelled: true, signal: 'SIGKILL' });
    await expectGone(run.pids);
  });

  it('is killed when baton dies of a SIGTERM nothing else handles, and baton still dies of it', async () => {
    const run = await parentRun('signal');
    expect(run.signal).toBe('SIGTERM');
    expect(run.pids).toHaveLength(2);
    await expectGone(run.pids);
  });
});

describe('LineSplitter', () => {
  it('joins a character split across chunks and flushes the last line at the end', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const bytes = new TextEncoder().encode('café\nthé');
    splitter.push(bytes.slice(0, 4));
    expect(lines).toEqual([]);
    splitter.push(bytes.slice(4, 10));
    expect(lines).toEqual(['café']);
    splitter.push(bytes.slice(10));
    expect(lines).toEqual(['café']);
    splitter.end();
    expect(lines).toEqual(['café', 'thé']);
  });
});
