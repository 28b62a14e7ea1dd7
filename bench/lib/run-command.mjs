import { spawnSync } from 'node:child_process';

/**
 * Runs one command to completion and returns its wall time in milliseconds (spawn to exit,
 * as a shell user or an agent would see it) with its exit code and output.
 */
export function timeCommand(command, args, { cwd, env, timeoutMs = 120_000 } = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, spawnOptions({ cwd, env, timeoutMs }));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  return { ms, code: result.status ?? -1, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** Like `timeCommand`, but throws with the command's output when it exits non-zero. */
export function runChecked(command, args, options) {
  const result = timeCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${tail(result.stdout)}\n${tail(result.stderr)}`);
  }
  return result;
}

/** How every bench command is run: output captured whole, a timeout, no stdin. */
function spawnOptions({ cwd, env, timeoutMs }) {
  return { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 };
}

export function tail(text, chars = 600) {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

/*
 * Wall time and CPU of one command, measured by a bash around it: `$EPOCHREALTIME` (microseconds)
 * just before and after it, and `times`, whose second line is the user and system CPU of the
 * shell's waited-for children (the command and whatever it started and waited for, git
 * included), from getrusage with millisecond resolution. Node cannot read a child's rusage,
 * and a preloaded script would miss the child's start-up, the part being measured.
 */
const TIMED_SHELL = 'start=$EPOCHREALTIME; "$@"; code=$?; end=$EPOCHREALTIME; echo "@@timing $start $end $code" >&2; times >&2';
const TIMES_LINE = /@@timing (\d+\.\d+) (\d+\.\d+) (\d+)\n\S+ \S+\n(\d+)m(\d+(?:\.\d+)?)s (\d+)m(\d+(?:\.\d+)?)s\s*$/;

/** Runs one command; returns its wall time and CPU (user + system) in milliseconds, exit code and output. */
export function timeCommandCpu(command, args, { cwd, env, timeoutMs = 120_000 } = {}) {
  const result = spawnSync('bash', ['-c', TIMED_SHELL, 'bash', command, ...args], spawnOptions({ cwd, env, timeoutMs }));
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  const found = TIMES_LINE.exec(result.stderr);
  if (found === null) throw new Error(`${command} ${args.join(' ')}: no timing from bash (exit ${result.status}): ${tail(result.stderr)}`);
  const [, start, end, code, userMin, userSec, sysMin, sysSec] = found;
  return {
    ms: (Number(end) - Number(start)) * 1000,
    cpuMs: (Number(userMin) * 60 + Number(userSec) + Number(sysMin) * 60 + Number(sysSec)) * 1000,
    code: Number(code),
    stdout: result.stdout,
    stderr: result.stderr.slice(0, found.index),
  };
}
