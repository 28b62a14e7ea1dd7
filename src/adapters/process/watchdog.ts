import { childProcess } from './child-process.js';
import { setGroupWatcher } from './group-registry.js';
import { MARK_PREFIX, MARK_VARIABLE } from './marked-processes.js';

/*
 * baton kills the process groups it started when it exits or is signalled (group-registry.ts),
 * but a SIGKILL gives it no chance to. The watchdog closes that gap for a whole run: one small
 * Node process, started once, in a session of its own (a Ctrl-C meant for baton does not reach
 * it), holding a pipe from baton on its stdin. baton tells it each group it starts (`+pgid`)
 * and each group that is over (`-pgid`). The kernel closes the pipe when baton dies, however it
 * dies; the watchdog then stops every group it was told of and every process that carries one
 * of baton's marks (which also covers a group started a moment before baton could write its
 * line): SIGTERM, then SIGKILL after a grace period for whatever is left. With nothing left it
 * exits at once, so a baton that ended normally leaves no watchdog behind.
 *
 * One watchdog per run, rather than a guardian process leading each command, costs one Node
 * start-up per run, while the worktree is being made, instead of one on every attempt's path.
 *
 * Arguments: `<graceMs> <needle>`, where the needle is `MARK_VARIABLE=MARK_PREFIX`.
 */
export const WATCHDOG_SOURCE = String.raw`
'use strict';
const fs = require('node:fs');
const [graceText, needleText] = process.argv.slice(1);
const graceMs = Number(graceText);
const needle = '\0' + needleText;
const POLL_MS = 50;
process.title = 'baton-watchdog';
const groups = new Set();
let pending = '';
process.stdin.setEncoding('latin1');
process.stdin.on('data', (chunk) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop();
  for (const line of lines) {
    const pgid = Number(line.slice(1));
    if (!Number.isInteger(pgid) || pgid <= 1) continue;
    if (line[0] === '+') groups.add(pgid);
    else if (line[0] === '-') groups.delete(pgid);
  }
});
const markedPids = () => {
  let entries = [];
  try { entries = fs.readdirSync('/proc'); } catch {}
  return entries.filter((entry) => {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) return false;
    try {
      if (!('\0' + fs.readFileSync('/proc/' + entry + '/environ', 'latin1')).includes(needle)) return false;
      const stat = fs.readFileSync('/proc/' + entry + '/stat', 'latin1');
      return !'ZX'.includes(stat[stat.lastIndexOf(')') + 2]);
    } catch { return false; }
  }).map(Number);
};
// True when something was there to receive the signal.
const signalAll = (signal) => {
  let reached = false;
  for (const pgid of groups) {
    try { process.kill(-pgid, signal); reached = true; } catch { groups.delete(pgid); }
  }
  for (const pid of markedPids()) {
    try { process.kill(pid, signal); reached = true; } catch {}
  }
  return reached;
};
let orphaned = false;
const onBatonGone = () => {
  if (orphaned) return;
  orphaned = true;
  if (!signalAll('SIGTERM')) process.exit(0);
  const deadline = Date.now() + graceMs;
  const poll = setInterval(() => {
    // signal 0 only asks who is left.
    if (!signalAll(0)) process.exit(0);
    if (Date.now() < deadline) return;
    clearInterval(poll);
    signalAll('SIGKILL');
    process.exit(0);
  }, POLL_MS);
};
process.stdin.on('end', onBatonGone);
process.stdin.on('close', onBatonGone);
process.stdin.on('error', onBatonGone);
`;

/** How long the watchdog gives what it stops between SIGTERM and SIGKILL once baton is gone. */
export const WATCHDOG_KILL_GRACE_MS = 3_000;

export interface WatchdogOptions {
  /** The Node binary that runs the watchdog (`process.execPath` of baton). */
  execPath: string;
  /** Between SIGTERM and SIGKILL once baton is gone. */
  killGraceMs?: number;
}

let watchdogPid: number | null = null;

/** The argv that runs a watchdog for the marks starting with `markPrefix` (see WATCHDOG_SOURCE). */
export function watchdogArgv(execPath: string, killGraceMs: number, markPrefix: string): string[] {
  return [execPath, '-e', WATCHDOG_SOURCE, '--', String(killGraceMs), `${MARK_VARIABLE}=${markPrefix}`];
}

/**
 * From now on, nothing this baton process starts through `spawnGroup` outlives it, even when
 * it is SIGKILLed: starts the watchdog (on the first call only) and tells it of every group.
 * The watchdog also stops what carries a mark from `markedEnvironment`. Returns its pid.
 */
export function guardChildren(options: WatchdogOptions): number {
  if (watchdogPid !== null) return watchdogPid;
  const [file, ...args] = watchdogArgv(options.execPath, options.killGraceMs ?? WATCHDOG_KILL_GRACE_MS, MARK_PREFIX);
  const child = childProcess().spawn(file as string, args, {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const lifeline = child.stdin;
  if (!lifeline) throw new Error('the watchdog has no stdin');
  // A watchdog that died (or could not start) only means less protection, never a failed run.
  lifeline.on('error', () => undefined);
  child.on('error', () => undefined);
  // Neither the watchdog nor its pipe keeps baton alive; the pipe closes when baton exits.
  child.unref();
  (lifeline as unknown as { unref(): void }).unref();
  const tell = (line: string): void => {
    if (!lifeline.destroyed) lifeline.write(`${line}\n`);
  };
  setGroupWatcher({ watch: (pgid) => tell(`+${pgid}`), forget: (pgid) => tell(`-${pgid}`) });
  watchdogPid = child.pid ?? 0;
  return watchdogPid;
}
