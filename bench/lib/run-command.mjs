import { spawnSync } from 'node:child_process';

/**
 * Runs one command to completion and returns its wall time in milliseconds (spawn to exit,
 * as a shell user or an agent would see it) with its exit code and output.
 */
export function timeCommand(command, args, { cwd, env, timeoutMs = 120_000 } = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
  });
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

export function tail(text, chars = 600) {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}
