import { runShell, say, type ConversationView, type Script, type Turn } from '../../adapters/scripted-model/script.js';
import { FEEDBACK_HEADING } from '../../core/run/prompt.js';
import { RESOLVE_INDEX, type FleetTask } from './fleet-project.js';

/*
 * What the scripted model answers in the fleet part. Claude Code and Codex both talk to it,
 * several at once, so every answer is chosen by what the request itself says: the task its
 * prompt opens with, or the merge queue's conflict it leads with.
 */

/** A fresh prompt, no tool output yet: the opening request of an attempt. */
const opening = (view: ConversationView): boolean => view.toolResults.length === 0;

/** The prompt of a run the merge queue sent back because index.mjs conflicted. */
const conflictFeedback = (view: ConversationView): boolean => view.prompt.includes(FEEDBACK_HEADING) && /conflicts in \d+ file\(s\):[^\n]*index\.mjs/.test(view.prompt);

/**
 * Each attempt is one shell call and a closing message once its output is back: the task's own
 * work, or, for a task sent back with conflict markers in index.mjs, the resolved file.
 */
export function fleetScript(tasks: readonly { id: number; task: FleetTask }[]): Script {
  const work: Turn[] = tasks.map(({ id, task }) => ({
    ...runShell(task.work),
    // The header every prompt opens with; other tasks' titles can appear further down (findings, notes).
    when: (view) => opening(view) && view.prompt.includes(`# Task #${id}: ${task.title}\n`),
    times: Infinity,
  }));
  return [
    { ...runShell(RESOLVE_INDEX), when: (view) => opening(view) && conflictFeedback(view), times: Infinity },
    ...work,
    { ...say('Done: the change is in place and `node test.mjs` passes.'), when: (view) => !opening(view), times: Infinity },
  ];
}
