import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from 'node:process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../../test/model-server/agent-cli.js';
import { firstCommandWord, OutputTailLines, ShellCommandRunner } from './shell-command-runner.js';

const runner = new ShellCommandRunner({ killGraceMs: 300 });

describe('ShellCommandRunner.run', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-shell-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a shell command line in cwd with the given env and reports its exit code', async () => {
    const result = await runner.run('echo "$GREETING from $(basename "$PWD")"; exit 3', { cwd: dir, env: { ...env, GREETING: 'hi' }, timeoutMs: 10_000 });
    expect(result).toMatchObject({ exitCode: 3, signal: null, timedOut: false });
    expect(result.output).toBe(`hi from ${dir.split('/').pop()}\n`);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('interleaves stdout and stderr in the order lines arrive, with stdin closed', async () => {
    const result = await runner.run('echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three; cat; echo "stdin: $?"', { cwd: dir, env, timeoutMs: 10_000 });
    expect(result.exitCode).toBe(0);
    expect(result.output).toBe('one\ntwo\nthree\nstdin: 0\n');
  });

  it('kills the whole process group at the timeout', async () => {
    const pidFile = join(dir, 'sleep.pid');
    const started = performance.now();
    const result = await runner.run(`sleep 30 & echo $! > ${pidFile}; echo started; wait`, { cwd: dir, env, timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.signal).toBe('SIGTERM');
    expect(result.output).toBe('started\n');
    expect(performance.now() - started).toBeLessThan(5_000);
    const sleepPid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(sleepPid).toBeGreaterThan(0);
    await expect.poll(() => processAlive(sleepPid), { timeout: 2_000, interval: 20 }).toBe(false);
  });

  it('leaves nothing running that the command started in the background, in its group or in a session of its own', async () => {
    const pidFile = join(dir, 'servers.pid');
    const result = await runner.run(`sleep 30 & echo $! > ${pidFile}; setsid sleep 30 & echo $! >> ${pidFile}; echo up`, { cwd: dir, env, timeoutMs: 10_000 });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, output: 'up\n' });
    const pids = readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    await expect.poll(() => pids.filter(processAlive), { timeout: 2_000, interval: 20 }).toEqual([]);
  });

  it('stops the group when the signal aborts, without calling it a timeout', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await runner.run('sleep 30', { cwd: dir, env, timeoutMs: 10_000, signal: controller.signal });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBeNull();
    expect(result.signal).toBe('SIGTERM');
  });

  it('keeps only the last 64 KiB of a long output and says how much was cut', async () => {
    const result = await runner.run('seq 1 30000', { cwd: dir, env, timeoutMs: 10_000 });
    const total = Array.from({ length: 30_000 }, (_, index) => `${index + 1}\n`).join('');
    const [note, ...rest] = result.output.split('\n');
    const kept = `${rest.join('\n')}`;
    expect(note).toMatch(/^\[baton: output cut: the first (\d+) characters \((\d+) whole lines\) are not shown\]$/);
    const cutChars = Number(/first (\d+) characters/.exec(note as string)?.[1]);
    expect(kept.length).toBeLessThanOrEqual(64 * 1024);
    expect(kept.length).toBeGreaterThan(60 * 1024);
    expect(cutChars + kept.length).toBe(total.length);
    expect(total.endsWith(kept)).toBe(true);
    expect(kept.endsWith('29999\n30000\n')).toBe(true);
  });
});

describe('OutputTailLines', () => {
  it('cuts the start of a single line longer than the limit', () => {
    const tail = new OutputTailLines(10);
    tail.push('short');
    tail.push('0123456789abcdef');
    expect(tail.text()).toBe('[baton: output cut: the first 13 characters (1 whole lines) are not shown]\n789abcdef\n');
  });

  it('keeps everything under the limit untouched', () => {
    const tail = new OutputTailLines(100);
    for (const line of ['a', '', 'b']) tail.push(line);
    expect(tail.text()).toBe('a\n\nb\n');
  });
});

describe('ShellCommandRunner.commandExists', () => {
  let dir: string;
  let bin: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-exists-'));
    bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'mytool'), '#!/bin/sh\necho tool\n');
    chmodSync(join(bin, 'mytool'), 0o755);
    writeFileSync(join(bin, 'notexec'), '#!/bin/sh\n');
    mkdirSync(join(dir, 'scripts'));
    writeFileSync(join(dir, 'scripts', 'check.sh'), '#!/bin/sh\n');
    chmodSync(join(dir, 'scripts', 'check.sh'), 0o755);
    writeFileSync(join(dir, 'my script.sh'), '#!/bin/sh\n');
    chmodSync(join(dir, 'my script.sh'), 0o755);
    writeFileSync(join(dir, 'plain.sh'), '#!/bin/sh\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const exists = (command: string) => runner.commandExists(command, { cwd: dir, env: { PATH: bin, HOME: dir } });

  it('accepts shell builtins and reserved words', async () => {
    for (const command of ['cd sub && mytool', 'test -f x', '[ -f x ]', 'true', 'exit 0', 'export A=1', '. ./env.sh', 'if true; then :; fi', '( mytool )']) {
      expect(await exists(command), command).toBe(true);
    }
  });

  it('finds names on PATH with exec permission only', async () => {
    expect(await exists('mytool --flag')).toBe(true);
    expect(await exists('  FOO=1 BAR="a b" mytool')).toBe(true);
    expect(await exists('notexec')).toBe(false);
    expect(await exists('no-such-command-xyz --version')).toBe(false);
    expect(await exists('FOO=1 no-such-command-xyz')).toBe(false);
    // Not on this PATH, though the test process's PATH has it.
    expect(await exists('sh -c true')).toBe(false);
    expect(await runner.commandExists('sh -c true', { cwd: dir, env })).toBe(true);
  });

  it('resolves paths from cwd, quoted or absolute', async () => {
    expect(await exists('./scripts/check.sh --all')).toBe(true);
    expect(await exists('scripts/check.sh')).toBe(true);
    expect(await exists(`${join(dir, 'scripts', 'check.sh')}`)).toBe(true);
    expect(await exists('"./my script.sh" arg')).toBe(true);
    expect(await exists("./my\\ script.sh")).toBe(true);
    expect(await exists('./plain.sh')).toBe(false);
    expect(await exists('./scripts')).toBe(false);
    expect(await exists('./missing.sh')).toBe(false);
    expect(await exists('~/scripts/check.sh')).toBe(true);
    expect(existsSync(join(dir, 'plain.sh'))).toBe(true);
  });

  it('gives the benefit of the doubt to words the shell expands, and refuses an empty command', async () => {
    expect(await exists('$TOOL run')).toBe(true);
    expect(await exists('"$(which node)" -v')).toBe(true);
    expect(await exists('   ')).toBe(false);
  });
});

describe('firstCommandWord', () => {
  it('skips assignments and undoes quoting', () => {
    expect(firstCommandWord(`A=1 B='x y' "my"'tool' arg`, undefined)).toEqual({ kind: 'word', text: 'mytool' });
    expect(firstCommandWord('make;echo', undefined)).toEqual({ kind: 'word', text: 'make' });
    expect(firstCommandWord('A=$(pwd) make', undefined)).toEqual({ kind: 'word', text: 'make' });
    expect(firstCommandWord('A=1', undefined)).toEqual({ kind: 'none' });
    expect(firstCommandWord('A="$(echo "a;b")" B=`date` make', undefined)).toEqual({ kind: 'word', text: 'make' });
    expect(firstCommandWord('$(which node) -v', undefined)).toEqual({ kind: 'dynamic' });
    expect(firstCommandWord('> out make', undefined)).toEqual({ kind: 'dynamic' });
  });
});
