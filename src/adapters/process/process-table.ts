import { readFileSync } from 'node:fs';
import type { ProcessTable } from '../../app/run-ports.js';

/**
 * Processes as Linux's /proc shows them. `kill(pid, 0)` alone is no test of life: a
 * container's PID 1 may never reap the orphans it inherits, so a dead process can linger as
 * a zombie that still answers signals.
 */
export const procProcessTable: ProcessTable = {
  isAlive(pid: number): boolean {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  },
};
