import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import nodeProcess from 'node:process';
import type { Environment } from '../../app/run-ports.js';

/*
 * Killing the agent's process group is not enough: agent CLIs start their tools in sessions of
 * their own (Claude Code's Bash tool runs each command under setsid), so a command the agent
 * left running in the background (`npm run dev &`) is in no group baton knows. Every process
 * of an agent inherits its environment, so baton marks the agent's environment with a value
 * of its own and, once the agent is over, kills whatever still carries it.
 */

/** The variable that marks an agent's processes. No KEY, SECRET or TOKEN in its name: Codex would drop it from its tools' environment. */
export const AGENT_MARK_VARIABLE = 'BATON_AGENT_MARK';

/** The agent's environment, marked with a value no other agent session has. */
export function markedEnvironment(env: Environment): { env: Environment; mark: string } {
  const mark = randomUUID();
  return { env: { ...env, [AGENT_MARK_VARIABLE]: mark }, mark };
}

/** Passes over /proc: a process caught between fork and kill shows up on the next one. */
const MAX_PASSES = 5;

/**
 * SIGKILLs every live process that carries `mark` in its environment and returns their pids.
 * Where there is no /proc (macOS), there is nothing to find and it returns nothing.
 */
export function killMarkedProcesses(mark: string): number[] {
  const needle = `\0${AGENT_MARK_VARIABLE}=${mark}\0`;
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
