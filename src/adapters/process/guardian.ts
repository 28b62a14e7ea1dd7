import { commandText, spawnGroup, type RunningGroup, type SpawnGroupOptions } from './spawn-group.js';

/*
 * A process group started by baton dies with baton when baton exits or is signalled (see
 * group-registry.ts), but a SIGKILL gives baton no chance to clean up. The guardian closes
 * that gap: a tiny Node process that leads the group, runs the real command as its child in
 * the same group, and holds a pipe from baton on its stdin. The kernel closes that pipe when
 * baton dies, however it dies; the guardian then stops its whole group (SIGTERM, SIGKILL
 * after a grace period). While baton lives, the guardian is invisible: the command's output
 * is the group's output, its exit code or signal is the group's, and a SIGTERM to the group
 * reaches the command while the guardian waits for it to end.
 *
 * Arguments: `<killGraceMs> <stdinMode> <command> [args...]`. With stdin mode `relay`, what
 * baton writes to the guardian's stdin is passed on to the command's (ACP agents speak
 * JSON-RPC on stdin); with `none` the command's stdin is /dev/null, because agent CLIs read
 * piped input as part of their prompt.
 */
export const GUARDIAN_SOURCE = String.raw`
'use strict';
const { spawn } = require('node:child_process');
const [graceText, stdinMode, command, ...args] = process.argv.slice(1);
const graceMs = Number(graceText);
const relay = stdinMode === 'relay';
process.title = 'baton-guardian';
let orphaned = false;
const ignore = () => undefined;
// The group's SIGTERM is meant for the command; the guardian waits for it to end.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, ignore);
const child = spawn(command, args, { stdio: [relay ? 'pipe' : 'ignore', 'inherit', 'inherit'] });
child.on('error', (error) => {
  process.stderr.write('baton: could not start ' + command + ': ' + error.message + '\n');
  process.exit(error.code === 'ENOENT' ? 127 : 126);
});
if (relay) {
  child.stdin.on('error', ignore);
  process.stdin.pipe(child.stdin);
}
const onBatonGone = () => {
  if (orphaned) return;
  orphaned = true;
  try { process.kill(-process.pid, 'SIGTERM'); } catch {}
  // The marked strays first: the group's SIGKILL ends the guardian too.
  setTimeout(() => { killMarked(); try { process.kill(-process.pid, 'SIGKILL'); } catch {} process.exit(137); }, graceMs);
};
// Agents start tools in sessions of their own (outside this group); they carry the agent's mark.
const killMarked = () => {
  const mark = process.env.BATON_AGENT_MARK;
  if (!mark) return;
  const fs = require('node:fs');
  const needle = '\0BATON_AGENT_MARK=' + mark + '\0';
  let entries = [];
  try { entries = fs.readdirSync('/proc'); } catch {}
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (('\0' + fs.readFileSync('/proc/' + entry + '/environ', 'latin1')).includes(needle)) process.kill(Number(entry), 'SIGKILL');
    } catch {}
  }
};
process.stdin.on('end', onBatonGone);
process.stdin.on('close', onBatonGone);
process.stdin.on('error', onBatonGone);
if (!relay) process.stdin.resume();
child.on('exit', (code, signal) => {
  // Without baton, nothing else would clear what the command left in the group.
  if (orphaned) return;
  if (signal === null) process.exit(code ?? 1);
  for (const name of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.off(name, ignore);
  try { process.kill(process.pid, signal); } catch {}
  // A signal Node keeps ignoring (SIGPIPE) cannot be mirrored: exit as a shell reports it.
  setTimeout(() => process.exit(128 + (require('node:os').constants.signals[signal] ?? 0)), 100);
});
`;

/** How long the guardian gives its group between SIGTERM and SIGKILL once baton is gone. */
export const GUARDIAN_KILL_GRACE_MS = 3_000;

export interface GuardianOptions {
  /** The Node binary that runs the guardian (`process.execPath` of baton). */
  execPath: string;
  /** Pass baton's writes to the guardian's stdin on to the command (for ACP agents). */
  relayStdin?: boolean;
  /** Between SIGTERM and SIGKILL once baton is gone. */
  orphanKillGraceMs?: number;
}

/** The argv that runs `argv` under a guardian (see GUARDIAN_SOURCE). */
export function guardedArgv(argv: readonly string[], options: GuardianOptions): string[] {
  const grace = String(options.orphanKillGraceMs ?? GUARDIAN_KILL_GRACE_MS);
  return [options.execPath, '-e', GUARDIAN_SOURCE, '--', grace, options.relayStdin ? 'relay' : 'none', ...argv];
}

/**
 * `spawnGroup` with a guardian leading the group, so the command cannot outlive baton even
 * when baton is SIGKILLed. The guardian's stdin is baton's lifeline: `stdin` of the result is
 * null unless `relayStdin` asks for the command's stdin (and then ending it stops the group).
 * A command that cannot be started exits 127.
 */
export async function spawnGuarded(argv: readonly string[], options: Omit<SpawnGroupOptions, 'stdin' | 'shell'> & GuardianOptions): Promise<RunningGroup> {
  if (argv.length === 0) throw new Error('spawnGuarded needs a command');
  const group = await spawnGroup(guardedArgv(argv, options), { ...options, stdin: { kind: 'pipe' } });
  const lifeline = group.stdin;
  // Once the group is over the pipe has no reader; release it so baton can exit.
  const done = group.done.finally(() => lifeline?.destroy());
  // Reports name the command, not the guardian's source.
  const command = commandText(argv);
  return {
    pid: group.pid,
    stdin: options.relayStdin ? lifeline : null,
    done: done.then((exit) => ({ ...exit, command })),
    stop: () => group.stop(),
  };
}
