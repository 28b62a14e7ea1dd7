import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import nodeProcess from 'node:process';
import type { Environment } from './spawn-group.js';

/*
 * Killing a process group is not enough: agent CLIs start their tools in sessions of their
 * own (Claude Code's Bash tool runs each command under setsid), and a check may leave a server
 * running, so a command left in the background (`npm run dev &`) is in no group baton knows.
 * Every process inherits its parent's environment, so baton marks the environment of each
 * command it starts with a value of its own and, once the command is over, kills whatever
 * still carries it. Marks share a prefix per baton process, so that the watchdog can find
 * every one of them if baton dies (see watchdog.ts).
 */

/** The variable that marks baton's processes. No KEY, SECRET or TOKEN in its name: Codex would drop it from its tools' environment. */
export const MARK_VARIABLE = 'BATON_PROCESS_MARK';

/** What every mark of this baton process starts with. */
export const MARK_PREFIX = `${randomUUID()}.`;

/** `env`, marked with a value no other command has. */
export function markedEnvironment(env: Environment): { env: Environment; mark: string } {
  const mark = `${MARK_PREFIX}${randomUUID()}`;
  return { env: { ...env, [MARK_VARIABLE]: mark }, mark };
}

/** Passes over /proc: a process caught between fork and kill shows up on the next one. */
const MAX_PASSES = 5;

/**
 * SIGKILLs every live process that carries `mark` in its environment and returns their pids.
 * Where there is no /proc (macOS), there is nothing to find and it returns nothing.
 */
export function killMarkedProcesses(mark: string): number[] {
  const needle = `\0${MARK_VARIABLE}=${mark}\0`;
  const killed: number[] = [];
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    const found = markedPids(needle).filter((pid) => pid !== nodeProcess.pid);
    if (found.length === 0) break;
    for (const pid of found) {
      try {
        nodeProcess.kill(pid, 'SIGKILL');
        killed.push(pid);
      } catch {
        // Gone meanwhile.
      }
    }
  }
  return [...new Set(killed)];
}

function markedPids(needle: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      // A leading NUL lets the first variable match like the others.
      const environ = `\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`;
      return environ.includes(needle) && !isZombie(entry) ? [Number(entry)] : [];
    } catch {
      return []; // Gone, or another user's.
    }
  });
}

/** A zombie has already died; it only waits for a parent (or a PID 1 that never reaps). */
function isZombie(pid: string): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}
