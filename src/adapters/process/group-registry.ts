import nodeProcess from 'node:process';

/*
 * Every process group baton has started and not yet seen end. When baton exits, normally or
 * through process.exit, the groups are killed outright (an 'exit' handler cannot wait for a
 * grace period). A SIGINT, SIGTERM or SIGHUP that nothing else in baton handles would end
 * baton without an 'exit' event, so while groups are live baton listens for those too: it
 * kills the groups and then dies of the same signal. If another part of baton handles the
 * signal (the runner aborting its run), that handler owns the shutdown. A SIGKILL leaves baton
 * no say at all: for that, a watcher (the runner's watchdog) is told of every group.
 */

const live = new Set<number>();
/** Told of every group, when one is watching (the runner's watchdog, see watchdog.ts). */
let watcher: GroupWatcher | null = null;
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let exitHandlerInstalled = false;

/**
 * Sends `signal` to every process in group `pgid` (0 only asks whether any is left); false
 * when none was there to receive it.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    nodeProcess.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export interface GroupWatcher {
  watch(pgid: number): void;
  forget(pgid: number): void;
}

/** Tells `groupWatcher` of every group tracked from now on, and of its end. */
export function setGroupWatcher(groupWatcher: GroupWatcher | null): void {
  watcher = groupWatcher;
}

/** Keeps group `pgid` from outliving baton; the returned function forgets it again. */
export function trackGroup(pgid: number): () => void {
  if (!exitHandlerInstalled) {
    nodeProcess.on('exit', killAll);
    exitHandlerInstalled = true;
  }
  // First in line, so that a `once` handler elsewhere has not yet removed itself when it looks.
  if (live.size === 0) for (const signal of FORWARDED_SIGNALS) nodeProcess.prependListener(signal, onSignal);
  live.add(pgid);
  watcher?.watch(pgid);
  return () => {
    if (!live.delete(pgid)) return;
    watcher?.forget(pgid);
    if (live.size > 0) return;
    for (const signal of FORWARDED_SIGNALS) nodeProcess.off(signal, onSignal);
  };
}

/** How many groups baton is keeping track of (for tests). */
export function liveGroupCount(): number {
  return live.size;
}

function killAll(): void {
  for (const pgid of live) signalGroup(pgid, 'SIGKILL');
}

function onSignal(signal: NodeJS.Signals): void {
  if (nodeProcess.listenerCount(signal) > 1) return;
  killAll();
  for (const forwarded of FORWARDED_SIGNALS) nodeProcess.off(forwarded, onSignal);
  nodeProcess.kill(nodeProcess.pid, signal);
}
