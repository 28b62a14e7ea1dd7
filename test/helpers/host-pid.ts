import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * The pid, as this test sees it, of a process that reported its own pid from inside a run: in
 * a sandboxed run the agent lives in a PID namespace of its own, where `$$` is a small number
 * that means nothing outside. Found through /proc's NSpid line (the pid in every namespace,
 * innermost last) among the processes working in the test's repository; a process outside any
 * namespace is its own. Not by command line: a process that reported its pid may not have
 * reached its `exec` yet when the test looks (seen under a loaded CI run).
 */
export function hostPid(reported: number, cwdWithin: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ids = /^NSpid:\s+(.+)$/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]?.trim().split(/\s+/).map(Number) ?? [];
      if (ids.at(-1) !== reported) continue;
      // Another sandbox may hold a process with the same inner pid: this one works in the repository.
      if (readlinkSync(`/proc/${entry}/cwd`).startsWith(cwdWithin)) return Number(entry);
    } catch {
      // Gone meanwhile, or another user's.
    }
  }
  throw new Error(`no process working in ${cwdWithin} has pid ${reported} in its own namespace`);
}
